#include "server/http/router.h"

#include "protocol/decisions.h"
#include "protocol/ietf/version.h"
#include "server/handlers/admin_endpoints.h"
#include "server/handlers/ietf_handlers.h"
#include "server/handlers/prediction_endpoints.h"
#include "server/handlers/tus_handlers.h"
#include "server/http/cors.h"
#include "server/http/exchange.h"
#include "store/upload_id.h"

namespace tuskd::server {

namespace asio = boost::asio;
using protocol::ErrorCode;
using protocol::ErrorResponse;

Route ResolveRoute(std::string_view path, std::string_view base_path) {
  Route route;
  std::string_view base_no_slash = base_path.substr(0, base_path.size() - 1);
  if (path == "/healthz") {
    route.kind = Route::Kind::kHealth;
  } else if (path == "/metrics") {
    route.kind = Route::Kind::kMetrics;
  } else if (path.substr(0, 7) == "/admin/") {
    // Before the base path, so that no --base-path can shadow the admin endpoints.
    route.kind = Route::Kind::kAdmin;
    route.sub = std::string(path.substr(7));
  } else if (path.substr(0, 13) == "/predictions/") {
    route.kind = Route::Kind::kPredictionByHash;
    route.id = std::string(path.substr(13));
  } else if (path == base_path || path == base_no_slash) {
    route.kind = Route::Kind::kCollection;
  } else if (path.substr(0, base_path.size()) == base_path) {
    std::string_view rest = path.substr(base_path.size());
    size_t slash = rest.find('/');
    route.id = std::string(rest.substr(0, slash));
    if (slash == std::string_view::npos) {
      route.kind = Route::Kind::kUpload;
    } else {
      route.kind = Route::Kind::kUploadSub;
      route.sub = std::string(rest.substr(slash + 1));
    }
  }
  return route;
}

namespace {

protocol::Response MethodNotAllowed(std::string_view allow) {
  protocol::Response response = ErrorResponse(ErrorCode::kMethodNotAllowed);
  response.headers.emplace_back("Allow", std::string(allow));
  return response;
}

protocol::Response PlainText(int status, std::string body, std::string_view type) {
  protocol::Response response;
  response.status = status;
  response.headers.emplace_back("Content-Type", std::string(type));
  response.body = std::move(body);
  return response;
}

asio::awaitable<void> ServeUpload(Exchange& exchange, const std::string& method,
                                  const std::string& id) {
  if (method == "HEAD") co_return co_await HandleHead(exchange, id);
  if (method == "PATCH") co_return co_await HandlePatch(exchange, id);
  if (method == "DELETE") co_return co_await HandleDelete(exchange, id);
  if (method == "GET") co_return co_await HandleDownload(exchange, id);
  co_await exchange.Respond(MethodNotAllowed("OPTIONS, HEAD, PATCH, DELETE, GET"));
}

}  // namespace

asio::awaitable<void> ServeRequest(Exchange& exchange) {
  auto& services = exchange.services();
  const auto& head = exchange.head();
  if (auto preflight = PreflightResponse(services.config, head)) {
    co_return co_await exchange.Respond(std::move(*preflight));
  }
  auto effective = protocol::EffectiveMethod(head.method, head.headers);
  if (auto* failure = std::get_if<protocol::Failure>(&effective)) {
    co_return co_await exchange.Respond(ErrorResponse(*failure));
  }
  const std::string method = std::get<std::string>(effective);
  Route route = ResolveRoute(head.path, services.config.base_path);

  switch (route.kind) {
    case Route::Kind::kHealth:
      co_return co_await exchange.Respond(PlainText(200, "ok\n", "text/plain; charset=utf-8"));
    case Route::Kind::kMetrics:
      co_return co_await exchange.Respond(
          PlainText(200, services.metrics.Render(services.store.storage_totals()),
                    "text/plain; version=0.0.4"));
    case Route::Kind::kUnknown:
      co_return co_await exchange.Respond(ErrorResponse(ErrorCode::kNotFound));
    case Route::Kind::kPredictionByHash:
      if (method != "GET") co_return co_await exchange.Respond(MethodNotAllowed("GET"));
      co_return co_await HandleHashPrediction(exchange, route.id);
    case Route::Kind::kAdmin:
      // Not tus: no Tus-Resumable, and its own access rule (loopback + token).
      co_return co_await ServeAdmin(exchange, method, route.sub);
    default:
      break;
  }
  // The IETF resumable-upload draft serves the same uploads; its requests name their version.
  if (route.kind != Route::Kind::kUploadSub && protocol::IsIetfDraftRequest(head.headers)) {
    co_return co_await ServeIetfDraft(exchange, method, route);
  }
  if (method == "OPTIONS") {
    co_return co_await exchange.Respond(protocol::DecideOptions(services.policy));
  }
  // Downloads need no Tus-Resumable: a browser link cannot send one (tusd does the same).
  if (auto failure = protocol::CheckTusResumable(method, head.headers)) {
    co_return co_await exchange.Respond(ErrorResponse(*failure));
  }
  if (route.kind == Route::Kind::kCollection) {
    if (method == "POST") co_return co_await HandleCreate(exchange);
    co_return co_await exchange.Respond(MethodNotAllowed("OPTIONS, POST"));
  }
  if (!store::IsValidUploadId(route.id)) {
    co_return co_await exchange.Respond(ErrorResponse(ErrorCode::kUploadNotFound));
  }
  if (route.kind == Route::Kind::kUploadSub) {
    if (route.sub != "prediction") {
      co_return co_await exchange.Respond(ErrorResponse(ErrorCode::kNotFound));
    }
    if (method != "GET") co_return co_await exchange.Respond(MethodNotAllowed("GET"));
    co_return co_await HandleUploadPrediction(exchange, route.id);
  }
  co_await ServeUpload(exchange, method, route.id);
}

}  // namespace tuskd::server
