#include "server/handlers/tus_handlers.h"

#include "base/clock.h"
#include "protocol/body_checksum.h"
#include "protocol/decisions.h"
#include "server/handlers/body_receiver.h"
#include "server/handlers/concat_handlers.h"
#include "server/handlers/record_view.h"
#include "server/handlers/store_calls.h"
#include "server/handlers/store_error.h"
#include "server/handlers/upload_lease.h"
#include "server/http/request_target.h"

namespace tuskd::server {

namespace asio = boost::asio;
using protocol::ErrorCode;
using protocol::ErrorResponse;
using protocol::Failure;

namespace {

// Reads the record; answers 404/500 itself and returns false when there is none.
asio::awaitable<bool> LoadRecord(Exchange& exchange, const std::string& id,
                                 store::UploadRecord* record) {
  Status status = GetRecord(exchange.services(), id, record);
  if (status.ok()) co_return true;
  // Built as a named local: GCC 12 destroys a conditional's temporary twice when it sits inside
  // a co_await expression (seen as free(): invalid pointer).
  std::string detail;
  if (!status.IsNotFound()) detail = status.message();
  protocol::Response response = ErrorResponse(ErrorFor(status), std::move(detail));
  co_await exchange.Respond(std::move(response));
  co_return false;
}

std::vector<std::pair<std::string, std::string>> DecodedMetadata(const protocol::Metadata& in) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& entry : in) out.emplace_back(entry.key, entry.value.value_or(""));
  return out;
}

// Streams the body into the upload and answers: `success` for a complete body, the matching
// error otherwise, nothing when the client is gone.
asio::awaitable<void> ReceiveAndAnswer(Exchange& exchange, store::UploadWriter& writer,
                                       uint64_t limit,
                                       const std::optional<protocol::ChecksumHeader>& checksum,
                                       const std::string& location) {
  auto& services = exchange.services();
  bool was_complete = writer.committed().complete();
  // A named local, not a temporary inside co_await (GCC 12 destroys those twice).
  const protocol::BodyChecksum body_checksum =
      protocol::DecideBodyChecksum(exchange.head(), checksum, services.policy);
  ReceiveOutcome outcome = co_await ReceiveBody(exchange, writer, limit, body_checksum);
  protocol::UploadView view = ToView(writer.committed());
  if (!was_complete && writer.committed().complete()) services.metrics.CountCompleted();
  auto failure = FailureForOutcome(outcome);
  if (!failure && outcome.end == BodyEnd::kClientGone) co_return;
  bool creation = !location.empty();
  bool body_refused =
      failure && (outcome.checksum_failure || failure->code == ErrorCode::kSizeExceeded);
  if (creation && !body_refused) {
    // The upload exists whatever happened to the body: tell the client where, and how far it got.
    co_await exchange.Respond(protocol::CreatedResponse(view, location));
    co_return;
  }
  if (failure) {
    failure->headers.emplace_back("Upload-Offset", std::to_string(view.offset));
    if (creation) failure->headers.emplace_back("Location", location);
    co_await exchange.Respond(ErrorResponse(*failure));
    co_return;
  }
  co_await exchange.Respond(protocol::PatchedResponse(view, services.policy));
}

// The upload's lease (AcquireLease), or a 423 answered here when its holder does not let go.
asio::awaitable<std::optional<store::UploadLockTable::Lease>> LeaseOrLocked(Exchange& exchange,
                                                                            const std::string& id) {
  auto lease = co_await AcquireLease(exchange, id);
  if (!lease) co_await exchange.Respond(ErrorResponse(ErrorCode::kUploadLocked));
  co_return lease;
}

}  // namespace

asio::awaitable<void> HandleCreate(Exchange& exchange) {
  auto& services = exchange.services();
  auto decision = protocol::DecideCreate(exchange.head(), services.policy);
  if (auto* failure = std::get_if<Failure>(&decision)) {
    co_await exchange.Respond(ErrorResponse(*failure));
    co_return;
  }
  auto& plan = std::get<protocol::CreatePlan>(decision);
  if (!plan.concat_part_urls.empty())
    co_return co_await HandleCreateFinal(exchange, std::move(plan));
  store::ConcatKind concat =
      plan.concat_partial ? store::ConcatKind::kPartial : store::ConcatKind::kNone;
  store::NewUpload spec{
      plan.length, plan.metadata_raw,          DecodedMetadata(plan.metadata), concat,
      {},          services.config.compression};
  store::UploadRecord record;
  int64_t now = UnixNow();
  Status status = co_await CreateUpload(services, spec, now, &record);
  if (!status.ok()) {
    co_await exchange.Respond(ErrorResponse(ErrorFor(status), status.message()));
    co_return;
  }
  services.metrics.CountCreated();
  if (record.complete()) services.metrics.CountCompleted();
  std::string location = exchange.PublicOrigin() + services.config.base_path + record.id;
  if (!plan.with_body || record.complete()) {
    co_await exchange.Respond(protocol::CreatedResponse(ToView(record), location));
    co_return;
  }
  // creation-with-upload: nobody else knows the id yet, so the lease is free.
  auto lease = services.store.locks().TryAcquire(record.id, exchange.HandoverCallback());
  std::unique_ptr<store::UploadWriter> writer;
  status = co_await OpenWriter(services, record.id, &writer);
  if (!lease || !status.ok()) {
    co_await exchange.Respond(ErrorResponse(ErrorCode::kInternal, status.message()));
    co_return;
  }
  co_await ReceiveAndAnswer(exchange, *writer, plan.max_body_bytes, plan.checksum, location);
}

asio::awaitable<void> HandleHead(Exchange& exchange, const std::string& id) {
  store::UploadRecord record;
  if (!co_await LoadRecord(exchange, id, &record)) co_return;
  // Like tusd: a HEAD asks a request still writing this upload to commit and end, so a client
  // that changed networks resumes from everything the server received. Not a final upload's:
  // its writer is the join, which no client resumes, and stopping it would only delay it.
  if (!record.final_upload()) {
    co_await WaitForRelease(exchange, id);
    if (!co_await LoadRecord(exchange, id, &record)) co_return;
  }
  protocol::UploadView view = ToView(record);
  if (record.final_upload()) {
    view.length = FinalLengthNow(exchange.services(), record);
    for (const std::string& part : record.concat_parts) {
      view.concat_part_urls.push_back(exchange.services().config.base_path + part);
    }
  }
  auto decision = protocol::DecideHead(view, exchange.services().policy);
  if (auto* failure = std::get_if<Failure>(&decision)) {
    co_await exchange.Respond(ErrorResponse(*failure));
    co_return;
  }
  co_await exchange.Respond(std::move(std::get<protocol::Response>(decision)));
}

asio::awaitable<void> HandlePatch(Exchange& exchange, const std::string& id) {
  auto& services = exchange.services();
  store::UploadRecord record;
  if (!co_await LoadRecord(exchange, id, &record)) co_return;
  // Decide before taking the lease, so a refused request never disturbs a running one.
  auto decision = protocol::DecidePatch(exchange.head(), ToView(record), services.policy);
  if (auto* failure = std::get_if<Failure>(&decision)) {
    co_await exchange.Respond(ErrorResponse(*failure));
    co_return;
  }
  auto lease = co_await LeaseOrLocked(exchange, id);
  if (!lease) co_return;
  // The previous holder committed as it let go: decide again on the state it left.
  if (!co_await LoadRecord(exchange, id, &record)) co_return;
  decision = protocol::DecidePatch(exchange.head(), ToView(record), services.policy);
  if (auto* failure = std::get_if<Failure>(&decision)) {
    co_await exchange.Respond(ErrorResponse(*failure));
    co_return;
  }
  auto& plan = std::get<protocol::PatchPlan>(decision);
  if (record.state != store::UploadState::kReceiving) {
    // Nothing left to write (the protocol allowed only an empty body): report the offset.
    co_await exchange.Respond(protocol::PatchedResponse(ToView(record), services.policy));
    co_return;
  }
  std::unique_ptr<store::UploadWriter> writer;
  Status status = co_await OpenWriter(services, id, &writer);
  if (status.ok() && plan.set_length) status = SetLength(*writer, *plan.set_length);
  if (!status.ok()) {
    co_await exchange.Respond(ErrorResponse(ErrorFor(status), status.message()));
    co_return;
  }
  co_await ReceiveAndAnswer(exchange, *writer, plan.max_body_bytes, plan.checksum, "");
}

asio::awaitable<void> HandleDelete(Exchange& exchange, const std::string& id) {
  auto& services = exchange.services();
  store::UploadRecord record;
  if (!co_await LoadRecord(exchange, id, &record)) co_return;
  if (auto failure = protocol::DecideDelete(ToView(record))) {
    co_await exchange.Respond(ErrorResponse(*failure));
    co_return;
  }
  auto lease = co_await LeaseOrLocked(exchange, id);
  if (!lease) co_return;
  int64_t now = UnixNow();
  Status status = co_await Terminate(services, id, now);
  if (!status.ok()) {
    co_await exchange.Respond(ErrorResponse(ErrorFor(status), status.message()));
    co_return;
  }
  co_await exchange.Respond(protocol::DeletedResponse());
}

asio::awaitable<void> HandleDownload(Exchange& exchange, const std::string& id) {
  auto& services = exchange.services();
  store::UploadRecord record;
  if (!co_await LoadRecord(exchange, id, &record)) co_return;
  auto decision = protocol::DecideDownload(exchange.head(), ToView(record));
  if (auto* failure = std::get_if<Failure>(&decision)) {
    co_await exchange.Respond(ErrorResponse(*failure));
    co_return;
  }
  auto& plan = std::get<protocol::DownloadPlan>(decision);
  std::unique_ptr<store::UploadReader> reader;
  Status status = co_await OpenReader(services, id, &reader);
  if (!status.ok()) {
    co_await exchange.Respond(ErrorResponse(ErrorFor(status), status.message()));
    co_return;
  }
  co_await exchange.RespondWithFile(std::move(plan.head), *reader, plan.first, plan.count);
}

}  // namespace tuskd::server
