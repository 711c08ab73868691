// Maps a request to its handler: the upload collection and resources under --base-path, plus
// /healthz, /metrics and the admin endpoints under /admin/ (server/handlers/admin_endpoints.h).
// Applies the checks every tus request shares (method override, Tus-Resumable, id syntax, CORS
// preflight) before any handler runs.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <boost/asio/awaitable.hpp>

namespace tuskd::server {

class Exchange;

// Where a path points, independent of the method.
struct Route {
  enum class Kind {
    kCollection,
    kUpload,
    kUploadSub,
    kPredictionByHash,
    kHealth,
    kMetrics,
    kAdmin,
    kUnknown
  };
  Kind kind = Kind::kUnknown;
  std::string id;   // kUpload, kUploadSub; the hash for kPredictionByHash
  std::string sub;  // kUploadSub: what follows "<id>/"; kAdmin: what follows "/admin/"
};
Route ResolveRoute(std::string_view path, std::string_view base_path);

// Serves the request `exchange` carries, to its response.
boost::asio::awaitable<void> ServeRequest(Exchange& exchange);

}  // namespace tuskd::server
