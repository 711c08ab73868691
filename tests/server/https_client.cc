#include "tests/server/https_client.h"

#include <curl/curl.h>

#include <algorithm>
#include <cstring>
#include <memory>

namespace tuskd::server::testing {
namespace {

struct Transfer {
  const HttpsRequest* request = nullptr;
  size_t sent = 0;
  HttpResponse response;
};

size_t ReadBody(char* out, size_t size, size_t count, void* user) {
  auto* transfer = static_cast<Transfer*>(user);
  const std::string& body = transfer->request->body;
  size_t end = std::min(body.size(), transfer->request->cut_after.value_or(body.size()));
  if (transfer->sent >= end && end < body.size()) return CURL_READFUNC_ABORT;
  size_t n = std::min(size * count, end - transfer->sent);
  std::memcpy(out, body.data() + transfer->sent, n);
  transfer->sent += n;
  return n;
}

size_t WriteBody(char* data, size_t size, size_t count, void* user) {
  static_cast<Transfer*>(user)->response.body.append(data, size * count);
  return size * count;
}

// Header lines of every response (a 100 Continue first, perhaps): the last one's are kept.
size_t ReadHeader(char* data, size_t size, size_t count, void* user) {
  auto& headers = static_cast<Transfer*>(user)->response.headers;
  std::string line(data, size * count);
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
  if (line.rfind("HTTP/", 0) == 0) {
    headers.clear();
  } else if (size_t colon = line.find(':'); colon != std::string::npos) {
    size_t value = line.find_first_not_of(' ', colon + 1);
    headers.emplace_back(line.substr(0, colon),
                         value == std::string::npos ? "" : line.substr(value));
  }
  return size * count;
}

}  // namespace

HttpResponse HttpsExchange(uint16_t port, const std::string& ca_path, const HttpsRequest& request) {
  Transfer transfer;
  transfer.request = &request;
  std::unique_ptr<CURL, void (*)(CURL*)> curl(curl_easy_init(), curl_easy_cleanup);
  if (!curl) {
    transfer.response.error = "libcurl could not start";
    return transfer.response;
  }
  CURL* handle = curl.get();
  const std::string url = request.target.rfind("https://", 0) == 0
                              ? request.target
                              : "https://127.0.0.1:" + std::to_string(port) + request.target;
  curl_slist* list = nullptr;
  for (const auto& [name, value] : request.headers) {
    list = curl_slist_append(list, (name + ": " + value).c_str());
  }
  if (request.chunked) list = curl_slist_append(list, "Transfer-Encoding: chunked");
  std::unique_ptr<curl_slist, void (*)(curl_slist*)> headers(list, curl_slist_free_all);
  char error[CURL_ERROR_SIZE] = "";
  curl_easy_setopt(handle, CURLOPT_URL, url.c_str());
  curl_easy_setopt(handle, CURLOPT_NOPROXY, "*");
  curl_easy_setopt(handle, CURLOPT_CAINFO, ca_path.c_str());
  curl_easy_setopt(handle, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  curl_easy_setopt(handle, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(handle, CURLOPT_TIMEOUT_MS, 30000L);
  curl_easy_setopt(handle, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(handle, CURLOPT_ERRORBUFFER, error);
  curl_easy_setopt(handle, CURLOPT_HEADERFUNCTION, ReadHeader);
  curl_easy_setopt(handle, CURLOPT_HEADERDATA, &transfer);
  curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, WriteBody);
  curl_easy_setopt(handle, CURLOPT_WRITEDATA, &transfer);
  if (request.method == "HEAD") curl_easy_setopt(handle, CURLOPT_NOBODY, 1L);
  if (request.method == "POST" || request.method == "PATCH" || !request.body.empty()) {
    curl_easy_setopt(handle, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(handle, CURLOPT_READFUNCTION, ReadBody);
    curl_easy_setopt(handle, CURLOPT_READDATA, &transfer);
    if (!request.chunked) {
      curl_easy_setopt(handle, CURLOPT_INFILESIZE_LARGE,
                       static_cast<curl_off_t>(request.body.size()));
    }
  }
  if (request.max_receive_bytes_per_second > 0) {
    curl_easy_setopt(handle, CURLOPT_MAX_RECV_SPEED_LARGE,
                     static_cast<curl_off_t>(request.max_receive_bytes_per_second));
  }
  CURLcode code = curl_easy_perform(handle);
  if (code != CURLE_OK) {
    transfer.response.status = 0;
    transfer.response.error = error[0] != '\0' ? error : curl_easy_strerror(code);
    return transfer.response;
  }
  long status = 0;
  curl_easy_getinfo(handle, CURLINFO_RESPONSE_CODE, &status);
  transfer.response.status = static_cast<int>(status);
  return transfer.response;
}

}  // namespace tuskd::server::testing
