#include "server/handlers/prediction_endpoints.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "protocol/response.h"
#include "server/handlers/admin_endpoints.h"
#include "server/handlers/store_calls.h"

namespace tuskd::server {

namespace asio = boost::asio;
using nlohmann::json;
using protocol::ErrorCode;
using protocol::ErrorResponse;

namespace {

bool IsSha256Hex(const std::string& text) {
  return text.size() == 64 && std::all_of(text.begin(), text.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

protocol::Response JsonResponse(const json& body) {
  protocol::Response response;
  response.status = 200;
  response.headers.emplace_back("Content-Type", "application/json");
  response.headers.emplace_back("Cache-Control", "no-store");
  response.body = body.dump() + "\n";
  return response;
}

json Render(const store::PredictionStatus& status) {
  return json{{"status", store::ToString(status.state)},
              {"sha256", status.sha256},
              {"result", status.result},
              {"error", status.error.empty() ? json() : json(status.error)},
              {"attempts", status.attempts},
              {"updated_at", status.updated_at}};
}

}  // namespace

asio::awaitable<void> HandleUploadPrediction(Exchange& exchange, const std::string& id) {
  auto& services = exchange.services();
  store::UploadRecord record;
  Status found = GetRecord(services, id, &record);
  if (!found.ok()) {
    co_return co_await exchange.Respond(ErrorResponse(ErrorCode::kUploadNotFound));
  }
  if (!record.complete() || !record.sha256) {
    co_return co_await exchange.Respond(
        ErrorResponse(ErrorCode::kPredictionNotFound, "the upload is not complete"));
  }
  store::PredictionStatus status;
  if (!GetPredictionStatus(services, *record.sha256, &status).ok()) {
    co_return co_await exchange.Respond(ErrorResponse(ErrorCode::kPredictionNotFound));
  }
  json body = Render(status);
  body["upload_id"] = id;
  body["cache_hit"] = record.prediction.is_object() && record.prediction.value("cache_hit", false);
  co_await exchange.Respond(JsonResponse(body));
}

asio::awaitable<void> HandleHashPrediction(Exchange& exchange, const std::string& sha256) {
  if (exchange.services().config.prediction_lookup == PredictionLookup::kAdmin) {
    // A named local, not a temporary in the condition (GCC 12 coroutines, as in ServeAdmin).
    const std::string token = PublishedAdminToken(exchange.services().config.data_dir);
    if (!AdminTokenMatches(exchange.head().headers, token)) {
      co_return co_await exchange.Respond(ErrorResponse(ErrorCode::kLookupForbidden));
    }
  }
  store::PredictionStatus status;
  if (!IsSha256Hex(sha256) || !GetPredictionStatus(exchange.services(), sha256, &status).ok()) {
    co_return co_await exchange.Respond(ErrorResponse(ErrorCode::kPredictionNotFound));
  }
  json body = Render(status);
  body["cache_hit"] =
      status.state == store::PredictionState::kDone;  // a later upload of this content would hit
  co_await exchange.Respond(JsonResponse(body));
}

}  // namespace tuskd::server
