#include "tools/tuskctl/admin_client.h"

#include <curl/curl.h>

#include <memory>

namespace tuskd::tuskctl {
namespace {

constexpr long kConnectTimeoutMs = 3000;
// A purge removes files and syncs batches; generous, but a hung server must not hang tuskctl.
constexpr long kTimeoutMs = 120000;

size_t Collect(char* data, size_t size, size_t count, void* body) {
  static_cast<std::string*>(body)->append(data, size * count);
  return size * count;
}

}  // namespace

AdminReply CallAdmin(const store::AdminInfo& admin, const std::string& method,
                     const std::string& path) {
  AdminReply reply;
  std::unique_ptr<CURL, void (*)(CURL*)> curl(curl_easy_init(), curl_easy_cleanup);
  if (!curl) {
    reply.error = "libcurl could not start";
    return reply;
  }
  const std::string url = admin.admin_url + path;
  const std::string authorization = "Authorization: Bearer " + admin.token;
  std::unique_ptr<curl_slist, void (*)(curl_slist*)> headers(
      curl_slist_append(nullptr, authorization.c_str()), curl_slist_free_all);
  char error[CURL_ERROR_SIZE] = "";
  CURL* handle = curl.get();
  curl_easy_setopt(handle, CURLOPT_URL, url.c_str());
  curl_easy_setopt(handle, CURLOPT_NOPROXY, "*");
  curl_easy_setopt(handle, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(handle, CURLOPT_CUSTOMREQUEST, method.c_str());
  if (method == "POST") {
    curl_easy_setopt(handle, CURLOPT_POSTFIELDS, "");
    curl_easy_setopt(handle, CURLOPT_POSTFIELDSIZE, 0L);
  }
  if (!admin.tls_pin.empty()) {
    // The key tuskd published in its data directory is the trust anchor: no CA, no name check
    // (the certificate names the public host, not 127.0.0.1), but any other key is refused.
    curl_easy_setopt(handle, CURLOPT_PINNEDPUBLICKEY, admin.tls_pin.c_str());
    curl_easy_setopt(handle, CURLOPT_SSL_VERIFYPEER, 0L);
    curl_easy_setopt(handle, CURLOPT_SSL_VERIFYHOST, 0L);
  }
  curl_easy_setopt(handle, CURLOPT_CONNECTTIMEOUT_MS, kConnectTimeoutMs);
  curl_easy_setopt(handle, CURLOPT_TIMEOUT_MS, kTimeoutMs);
  curl_easy_setopt(handle, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, Collect);
  curl_easy_setopt(handle, CURLOPT_WRITEDATA, &reply.body);
  curl_easy_setopt(handle, CURLOPT_ERRORBUFFER, error);
  CURLcode code = curl_easy_perform(handle);
  if (code != CURLE_OK) {
    reply.error = error[0] != '\0' ? error : curl_easy_strerror(code);
    return reply;
  }
  curl_easy_getinfo(handle, CURLINFO_RESPONSE_CODE, &reply.status);
  return reply;
}

}  // namespace tuskd::tuskctl
