#include "server/handlers/admin_endpoints.h"

#include <openssl/crypto.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "base/clock.h"
#include "protocol/response.h"
#include "server/handlers/store_calls.h"
#include "server/handlers/store_error.h"
#include "server/handlers/tus_handlers.h"
#include "store/admin_file.h"
#include "store/upload_id.h"

namespace tuskd::server {

namespace asio = boost::asio;
using protocol::ErrorCode;
using protocol::ErrorResponse;

namespace {

constexpr std::string_view kBearer = "Bearer ";
constexpr std::string_view kUploads = "uploads/";

protocol::Response MethodNotAllowed(std::string_view allow) {
  protocol::Response response = ErrorResponse(ErrorCode::kMethodNotAllowed);
  response.headers.emplace_back("Allow", std::string(allow));
  return response;
}

asio::awaitable<void> ServeExpired(Exchange& exchange, bool dry_run) {
  auto& services = exchange.services();
  std::vector<std::string> ids;
  int64_t now = UnixNow();
  Status status = co_await PurgeExpired(services, now, dry_run, &ids);
  if (!status.ok()) {
    protocol::Response failure = ErrorResponse(ErrorFor(status), status.message());
    co_return co_await exchange.Respond(std::move(failure));
  }
  if (!dry_run && !ids.empty()) services.metrics.CountExpired(ids.size());
  protocol::Response response;
  response.headers.emplace_back("Content-Type", "application/json");
  response.headers.emplace_back("Cache-Control", "no-store");
  response.body = nlohmann::json{{"expired", ids}, {"dry_run", dry_run}}.dump() + "\n";
  co_await exchange.Respond(std::move(response));
}

}  // namespace

std::string PublishedAdminToken(const std::string& data_dir) {
  std::optional<store::AdminInfo> published = store::ReadAdminFile(data_dir);
  if (!published || published->pid != ::getpid()) return "";
  return published->token;
}

bool AdminTokenMatches(const protocol::HeaderMap& headers, std::string_view token) {
  std::optional<std::string_view> value = headers.Get("Authorization");
  if (token.empty() || !value || value->substr(0, kBearer.size()) != kBearer) return false;
  std::string_view presented = value->substr(kBearer.size());
  return presented.size() == token.size() &&
         CRYPTO_memcmp(presented.data(), token.data(), token.size()) == 0;
}

asio::awaitable<void> ServeAdmin(Exchange& exchange, const std::string& method,
                                 const std::string& sub) {
  // A named local, not a temporary in the condition: GCC 12 mishandles some temporaries in
  // coroutines (see LoadRecord in tus_handlers.cc).
  const std::string token = PublishedAdminToken(exchange.services().config.data_dir);
  if (!exchange.peer_is_loopback() || !AdminTokenMatches(exchange.head().headers, token)) {
    co_return co_await exchange.Respond(ErrorResponse(ErrorCode::kAdminForbidden));
  }
  if (sub == "expired") {
    if (method != "GET") co_return co_await exchange.Respond(MethodNotAllowed("GET"));
    co_return co_await ServeExpired(exchange, /*dry_run=*/true);
  }
  if (sub == "purge-expired") {
    if (method != "POST") co_return co_await exchange.Respond(MethodNotAllowed("POST"));
    co_return co_await ServeExpired(exchange, /*dry_run=*/false);
  }
  if (sub.starts_with(kUploads)) {
    std::string id = sub.substr(kUploads.size());
    if (method != "DELETE") co_return co_await exchange.Respond(MethodNotAllowed("DELETE"));
    if (!store::IsValidUploadId(id)) {
      co_return co_await exchange.Respond(ErrorResponse(ErrorCode::kUploadNotFound));
    }
    // The tus DELETE path as it is: the same lease handover (I5), states and answers.
    co_return co_await HandleDelete(exchange, id);
  }
  co_await exchange.Respond(ErrorResponse(ErrorCode::kNotFound));
}

}  // namespace tuskd::server
