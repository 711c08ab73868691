#include "predict/http_predictor.h"

#include <curl/curl.h>

#include <algorithm>
#include <mutex>
#include <string_view>
#include <utility>

#include "base/base64.h"
#include "predict/utf8.h"

namespace tuskd::predict {
namespace {

void InitCurlOnce() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

// Header values come from the store, but a CR or LF must never reach the wire.
std::string HeaderSafe(std::string_view value) {
  std::string out;
  for (char c : value) {
    if (c > 0x20 && c < 0x7F) out += c;
  }
  return out;
}

struct CurlDeleter {
  void operator()(CURL* curl) const { curl_easy_cleanup(curl); }
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
  void operator()(CURLU* url) const { curl_url_cleanup(url); }
};
template <typename T>
using CurlPtr = std::unique_ptr<T, CurlDeleter>;

// The state one request's callbacks share.
struct Exchange {
  ByteSource* source = nullptr;
  uint64_t size = 0;
  uint64_t sent = 0;
  bool source_failed = false;
  bool source_retryable = true;
  std::string source_error;
  std::string body;
  bool body_overflow = false;
};

// CURLOPT_READFUNCTION: streams exactly `size` bytes of the upload into the request body.
size_t ReadBody(char* out, size_t size, size_t count, void* data) {
  auto* ex = static_cast<Exchange*>(data);
  const size_t want = static_cast<size_t>(std::min<uint64_t>(size * count, ex->size - ex->sent));
  if (want == 0) return 0;
  size_t n = 0;
  std::string error;
  if (!ex->source->Read(std::span<char>(out, want), &n, &error)) {
    ex->source_error = "reading upload bytes: " + error;
    ex->source_failed = true;
    return CURL_READFUNC_ABORT;
  }
  if (n == 0) {
    ex->source_error =
        "upload bytes: read " + std::to_string(ex->sent) + ", expected " + std::to_string(ex->size);
    ex->source_failed = true;
    ex->source_retryable = false;
    return CURL_READFUNC_ABORT;
  }
  n = std::min(n, want);
  ex->sent += n;
  return n;
}

// CURLOPT_WRITEFUNCTION: keeps the reply body, up to kMaxResponse.
size_t WriteBody(char* in, size_t size, size_t count, void* data) {
  auto* ex = static_cast<Exchange*>(data);
  const size_t n = size * count;
  if (ex->body.size() + n > HttpPredictor::kMaxResponse) {
    ex->body_overflow = true;
    return 0;  // makes curl fail the transfer with CURLE_WRITE_ERROR
  }
  ex->body.append(in, n);
  return n;
}

CurlPtr<curl_slist> RequestHeaders(const PredictionInput& input) {
  const std::string lines[] = {
      "Content-Type: application/octet-stream",
      "Accept: application/json",
      "Expect:",  // no 100-continue round trip: the service takes the body or closes
      "X-Tuskd-Upload-Id: " + HeaderSafe(input.upload_id),
      "X-Tuskd-Sha256: " + HeaderSafe(input.sha256_hex),
      "X-Tuskd-Metadata: " + EncodeBase64(input.Describe().dump()),
  };
  curl_slist* list = nullptr;
  for (const std::string& line : lines) list = curl_slist_append(list, line.c_str());
  return CurlPtr<curl_slist>(list);
}

// The first line of a reply body, shortened, to make a status code meaningful.
std::string BodyHint(const std::string& body) {
  std::string line = body.substr(0, body.find('\n')).substr(0, 200);
  return line.empty() ? "" : ": " + ToValidUtf8(line);
}

PredictionOutcome Interpret(CURLcode rc, long status, const Exchange& ex, const char* curl_error,
                            std::chrono::milliseconds timeout) {
  if (ex.source_failed) return PredictionOutcome::Failure(ex.source_error, ex.source_retryable);
  if (ex.body_overflow) {
    return PredictionOutcome::Failure(
        "response exceeds " + std::to_string(HttpPredictor::kMaxResponse) + " bytes", false);
  }
  if (rc == CURLE_OPERATION_TIMEDOUT) {
    return PredictionOutcome::Failure("timeout after " + std::to_string(timeout.count()) + " ms",
                                      true);
  }
  if (rc != CURLE_OK) {
    const bool config_error = rc == CURLE_UNSUPPORTED_PROTOCOL || rc == CURLE_URL_MALFORMAT;
    return PredictionOutcome::Failure(
        std::string("POST failed: ") + (curl_error[0] ? curl_error : curl_easy_strerror(rc)),
        !config_error);
  }
  if (status >= 200 && status < 300) {
    try {
      return PredictionOutcome::Success(nlohmann::json::parse(ex.body));
    } catch (const nlohmann::json::exception& e) {
      // e.what() may quote the offending bytes, which need not be UTF-8.
      return PredictionOutcome::Failure("invalid JSON in response: " + ToValidUtf8(e.what()),
                                        false);
    }
  }
  const bool transient = status >= 500 || status == 408 || status == 429;
  return PredictionOutcome::Failure("HTTP " + std::to_string(status) + BodyHint(ex.body),
                                    transient);
}

}  // namespace

std::unique_ptr<HttpPredictor> HttpPredictor::Create(const std::string& url,
                                                     const PredictorOptions& options,
                                                     std::string* error) {
  InitCurlOnce();
  CurlPtr<CURLU> parsed(curl_url());
  char* scheme = nullptr;
  char* host = nullptr;
  bool ok = parsed != nullptr && curl_url_set(parsed.get(), CURLUPART_URL, url.c_str(), 0) == 0 &&
            curl_url_get(parsed.get(), CURLUPART_SCHEME, &scheme, 0) == 0 &&
            curl_url_get(parsed.get(), CURLUPART_HOST, &host, 0) == 0 &&
            (std::string_view(scheme) == "http" || std::string_view(scheme) == "https") &&
            host[0] != '\0';
  curl_free(scheme);
  curl_free(host);
  if (!ok) {
    *error = "http predictor: \"" + ToValidUtf8(url) + "\" is not an http(s) URL with a host";
    return nullptr;
  }
  return std::unique_ptr<HttpPredictor>(new HttpPredictor(url, options));
}

HttpPredictor::HttpPredictor(std::string url, const PredictorOptions& options)
    : url_(std::move(url)),
      timeout_(options.timeout),
      slots_(static_cast<std::ptrdiff_t>(std::max<size_t>(options.max_concurrency, 1))) {}

PredictionOutcome HttpPredictor::Predict(const PredictionInput& input) {
  slots_.acquire();
  struct Release {
    std::counting_semaphore<>* slots;
    ~Release() { slots->release(); }
  } release{&slots_};
  return Post(input);
}

PredictionOutcome HttpPredictor::Post(const PredictionInput& input) {
  std::unique_ptr<ByteSource> source = input.open ? input.open() : nullptr;
  if (source == nullptr) return PredictionOutcome::Failure("cannot open upload bytes", true);
  CurlPtr<CURL> curl(curl_easy_init());
  if (curl == nullptr) return PredictionOutcome::Failure("curl_easy_init failed", true);
  Exchange ex;
  ex.source = source.get();
  ex.size = input.size;
  CurlPtr<curl_slist> headers = RequestHeaders(input);
  char curl_error[CURL_ERROR_SIZE] = "";
  CURL* c = curl.get();
  curl_easy_setopt(c, CURLOPT_URL, url_.c_str());
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_POST, 1L);
  curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(input.size));
  curl_easy_setopt(c, CURLOPT_READFUNCTION, ReadBody);
  curl_easy_setopt(c, CURLOPT_READDATA, &ex);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, WriteBody);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &ex);
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(c, CURLOPT_USERAGENT, "tuskd");
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, curl_error);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout_.count()));
  // Signals for DNS timeouts are unsafe in a multi-threaded process; curl also then leaves
  // SIGPIPE alone and relies on MSG_NOSIGNAL for its own sockets.
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  const CURLcode rc = curl_easy_perform(c);
  long status = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
  return Interpret(rc, status, ex, curl_error, timeout_);
}

}  // namespace tuskd::predict
