// tuskctl's side of tuskd's admin endpoints (server/handlers/admin_endpoints.h): one HTTP request
// with libcurl to the URL and token tuskd published in <data-dir>/admin.json. Never through a
// proxy: the endpoint is on loopback and proxies (http_proxy) would only leak the token. Blocking;
// one call at a time per thread (libcurl's global init happens in main()).
#pragma once

#include <string>

#include "store/admin_file.h"

namespace tuskd::tuskctl {

struct AdminReply {
  long status = 0;  // HTTP status; 0 when no response came
  std::string body;
  std::string error;  // transport failure (connection refused, timeout), when status is 0
};

// `method` on admin_url + `path` ("purge-expired", "uploads/<id>").
AdminReply CallAdmin(const store::AdminInfo& admin, const std::string& method,
                     const std::string& path);

}  // namespace tuskd::tuskctl
