#include "server/http/cors.h"

#include <algorithm>

namespace tuskd::server {
namespace {

constexpr const char* kExposed =
    "Location, Upload-Offset, Upload-Length, Upload-Defer-Length, Upload-Metadata, "
    "Upload-Expires, Upload-Concat, Upload-Checksum, Tus-Version, Tus-Resumable, Tus-Max-Size, "
    "Tus-Extension, Tus-Checksum-Algorithm, Content-Range, Content-Disposition, Repr-Digest, "
    "Upload-Complete, Upload-Draft-Interop-Version, Upload-Limit";
constexpr const char* kAllowedHeaders =
    "Authorization, Origin, X-Requested-With, X-Request-ID, X-HTTP-Method-Override, "
    "Content-Type, Upload-Length, Upload-Offset, Tus-Resumable, Upload-Metadata, "
    "Upload-Defer-Length, Upload-Concat, Upload-Checksum, Upload-Complete, Upload-Incomplete, "
    "Upload-Draft-Interop-Version, Want-Repr-Digest, Range";
constexpr const char* kAllowedMethods = "POST, HEAD, PATCH, OPTIONS, GET, DELETE";

std::optional<std::string_view> AllowedOrigin(const ServerConfig& config,
                                              const protocol::RequestHead& head) {
  auto origin = head.headers.Get("Origin");
  if (!origin || origin->empty()) return std::nullopt;
  for (const auto& allowed : config.cors_origins) {
    if (allowed == "*" || protocol::EqualsIgnoreCase(allowed, *origin)) return origin;
  }
  return std::nullopt;
}

}  // namespace

void AddCorsHeaders(const ServerConfig& config, const protocol::RequestHead& head,
                    protocol::HeaderList& headers) {
  auto origin = AllowedOrigin(config, head);
  if (!origin) return;
  // Echo the origin rather than "*" so credentialed requests work too; Vary keeps caches honest.
  headers.emplace_back("Access-Control-Allow-Origin", std::string(*origin));
  headers.emplace_back("Vary", "Origin");
  headers.emplace_back("Access-Control-Expose-Headers", kExposed);
}

std::optional<protocol::Response> PreflightResponse(const ServerConfig& config,
                                                    const protocol::RequestHead& head) {
  if (head.method != "OPTIONS" || !head.headers.Has("Origin") ||
      !head.headers.Has("Access-Control-Request-Method")) {
    return std::nullopt;
  }
  protocol::Response response;
  response.status = 204;
  if (AllowedOrigin(config, head)) {
    response.headers.emplace_back("Access-Control-Allow-Methods", kAllowedMethods);
    response.headers.emplace_back("Access-Control-Allow-Headers", kAllowedHeaders);
    response.headers.emplace_back("Access-Control-Max-Age", "86400");
  }
  return response;
}

}  // namespace tuskd::server
