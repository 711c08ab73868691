#include "server/handlers/concat_handlers.h"

#include "base/clock.h"
#include "base/length_limit.h"
#include "protocol/concat_rules.h"
#include "server/handlers/record_view.h"
#include "server/handlers/store_calls.h"
#include "server/handlers/store_error.h"
#include "server/http/request_target.h"
#include "store/upload_id.h"

namespace tuskd::server {

namespace asio = boost::asio;
using protocol::ErrorCode;
using protocol::ErrorResponse;
using protocol::Failure;

namespace {

// The parts' ids and current state, in the client's order; a Failure for a URL that names no
// upload of this server.
std::variant<std::vector<store::UploadRecord>, Failure> ResolveParts(
    Exchange& exchange, const std::vector<std::string>& urls) {
  auto& services = exchange.services();
  const std::string origin = exchange.PublicOrigin();
  std::vector<store::UploadRecord> parts;
  for (const std::string& url : urls) {
    auto id = protocol::PartIdFromUrl(url, services.config.base_path, origin);
    if (auto* failure = std::get_if<Failure>(&id)) return std::move(*failure);
    store::UploadRecord part;
    Status status = Status::NotFound("");
    if (store::IsValidUploadId(std::get<std::string>(id))) {
      status = GetRecord(services, std::get<std::string>(id), &part);
    }
    if (status.IsNotFound()) {
      return Failure{ErrorCode::kInvalidConcat, "part " + url + ": no such upload", {}};
    }
    if (!status.ok()) return Failure{ErrorFor(status), status.message(), {}};
    parts.push_back(std::move(part));
  }
  return parts;
}

// Joins a final whose parts are all complete before it is answered, so that the 201 reports it
// complete (as tusd does). The error response when the join failed or a part went away;
// nullopt when `record` holds the final as it now stands (joined, or left to the background
// joiner, which resumes at the last joined part).
asio::awaitable<std::optional<protocol::Response>> JoinNow(Exchange& exchange,
                                                           store::UploadRecord& record, int64_t now,
                                                           const std::string& location) {
  auto& services = exchange.services();
  // Nobody else knows the id yet, so the lease is free.
  auto lease = services.store.locks().TryAcquire(record.id, exchange.HandoverCallback());
  store::AssemblyResult result = store::AssemblyResult::kStopped;
  Status status;
  if (lease) status = co_await AssembleFinal(services, record.id, *lease, now, &result);
  lease.reset();
  if (!status.ok() || result == store::AssemblyResult::kStopped) {
    services.joiner.Enqueue(record.id);
  }
  if (!status.ok()) {
    protocol::Response response = ErrorResponse(ErrorFor(status), status.message());
    response.headers.emplace_back("Location", location);
    co_return response;
  }
  if (result == store::AssemblyResult::kAbandoned) {
    co_return ErrorResponse(ErrorCode::kInvalidConcat, "a part went away while it was joined");
  }
  status = GetRecord(services, record.id, &record);
  if (!status.ok()) co_return ErrorResponse(ErrorFor(status), status.message());
  co_return std::nullopt;
}

}  // namespace

asio::awaitable<void> HandleCreateFinal(Exchange& exchange, protocol::CreatePlan plan) {
  auto& services = exchange.services();
  auto resolved = ResolveParts(exchange, plan.concat_part_urls);
  if (auto* failure = std::get_if<Failure>(&resolved)) {
    co_await exchange.Respond(ErrorResponse(*failure));
    co_return;
  }
  auto& parts = std::get<std::vector<store::UploadRecord>>(resolved);
  std::vector<protocol::UploadView> views;
  store::NewUpload spec;
  for (const store::UploadRecord& part : parts) {
    views.push_back(ToView(part));
    spec.concat_parts.push_back(part.id);
  }
  auto decided = protocol::DecideFinalParts(views, services.policy);
  if (auto* failure = std::get_if<Failure>(&decided)) {
    co_await exchange.Respond(ErrorResponse(*failure));
    co_return;
  }
  spec.metadata_raw = plan.metadata_raw;
  for (const auto& entry : plan.metadata) {
    spec.metadata.emplace_back(entry.key, entry.value.value_or(""));
  }
  spec.concat = store::ConcatKind::kFinal;
  store::UploadRecord record;
  int64_t now = UnixNow();
  Status status = co_await CreateUpload(services, spec, now, &record);
  if (!status.ok()) {
    // Invalid: a part changed between the look above and the store's own check.
    ErrorCode code = status.IsInvalid() ? ErrorCode::kInvalidConcat : ErrorFor(status);
    co_await exchange.Respond(ErrorResponse(code, status.message()));
    co_return;
  }
  services.metrics.CountCreated();
  std::string location = exchange.PublicOrigin() + services.config.base_path + record.id;
  if (std::get<protocol::FinalPlan>(decided).ready && !record.complete()) {
    std::optional<protocol::Response> refused = co_await JoinNow(exchange, record, now, location);
    if (refused) co_return co_await exchange.Respond(std::move(*refused));
  }
  if (record.complete()) services.metrics.CountCompleted();
  co_await exchange.Respond(protocol::CreatedResponse(ToView(record), location));
}

std::optional<uint64_t> FinalLengthNow(Services& services,
                                       const store::UploadRecord& final_upload) {
  if (final_upload.length) return final_upload.length;
  uint64_t sum = 0;
  for (const std::string& part_id : final_upload.concat_parts) {
    store::UploadRecord part;
    if (!GetRecord(services, part_id, &part).ok() || !part.length) return std::nullopt;
    // Past the limit the joiner terminates the final; until it has, report no length rather
    // than one no client can read.
    if (*part.length > kMaxUploadLength - sum) return std::nullopt;
    sum += *part.length;
  }
  if (services.config.max_size > 0 && sum > services.config.max_size) return std::nullopt;
  return sum;
}

}  // namespace tuskd::server
