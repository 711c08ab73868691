#include "server/handlers/final_creation.h"

#include "base/clock.h"
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
  spec.concat = "final";
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
    // Nobody else knows the id yet, so the lease is free.
    auto lease = services.store.locks().TryAcquire(record.id, exchange.HandoverCallback());
    store::AssemblyResult result = store::AssemblyResult::kStopped;
    if (lease) {
      status = co_await AssembleFinal(services, record.id, *lease, now, &result);
    }
    lease.reset();
    if (!status.ok() || result == store::AssemblyResult::kStopped) {
      // Left for the background assembler (it resumes at the last joined part).
      services.assembler.Enqueue(record.id);
    }
    if (!status.ok()) {
      protocol::Response response = ErrorResponse(ErrorFor(status), status.message());
      response.headers.emplace_back("Location", location);
      co_await exchange.Respond(std::move(response));
      co_return;
    }
    if (result == store::AssemblyResult::kAbandoned) {
      co_await exchange.Respond(
          ErrorResponse(ErrorCode::kInvalidConcat, "a part went away while it was joined"));
      co_return;
    }
    if (status = GetRecord(services, record.id, &record); !status.ok()) {
      co_await exchange.Respond(ErrorResponse(ErrorFor(status), status.message()));
      co_return;
    }
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
    sum += *part.length;
  }
  return sum;
}

}  // namespace tuskd::server
