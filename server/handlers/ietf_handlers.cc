#include "server/handlers/ietf_handlers.h"

#include <memory>
#include <utility>
#include <vector>

#include "base/clock.h"
#include "protocol/ietf/decisions.h"
#include "server/handlers/body_receiver.h"
#include "server/handlers/record_view.h"
#include "server/handlers/store_calls.h"
#include "server/handlers/store_error.h"
#include "server/handlers/tus_handlers.h"
#include "server/handlers/upload_lease.h"
#include "server/http/request_target.h"
#include "store/upload_id.h"

namespace tuskd::server {

namespace asio = boost::asio;
using protocol::ErrorCode;
using protocol::Failure;
using protocol::IetfDraft;
using protocol::IetfFailure;

namespace {

// Callers pass a named IetfFailure, never a temporary or a Failure to convert: GCC 12 destroys
// temporaries made inside a co_await expression twice (seen as free(): invalid pointer).
asio::awaitable<void> RespondError(Exchange& exchange, const IetfDraft& draft,
                                   const IetfFailure& failure) {
  protocol::Response response =
      protocol::IetfErrorResponse(draft, failure, exchange.services().policy.max_size);
  co_await exchange.Respond(std::move(response));
}

// A failure made here from a code and a detail; both are plain values, so callers need no
// temporary inside their co_await (see RespondError).
asio::awaitable<void> RespondFailure(Exchange& exchange, const IetfDraft& draft, ErrorCode code,
                                     std::string_view detail) {
  IetfFailure failure(Failure{code, std::string(detail), {}});
  co_await RespondError(exchange, draft, failure);
}

// Reads the record; answers 404/500 itself and returns false when there is none.
asio::awaitable<bool> LoadRecord(Exchange& exchange, const IetfDraft& draft, const std::string& id,
                                 store::UploadRecord* record) {
  Status status = GetRecord(exchange.services(), id, record);
  if (status.ok()) co_return true;
  // A named local, never a conditional inside co_await (GCC 12 destroys its temporary twice).
  IetfFailure failure(Failure{ErrorFor(status), {}, {}});
  if (!status.IsNotFound()) failure.failure.detail = status.message();
  co_await RespondError(exchange, draft, failure);
  co_return false;
}

// What a body's end means for the draft: a cut body is no answer at all (the client is gone), a
// body past its limit is an inconsistent length when the limit is the upload's length, and a
// completing request must leave the upload complete (it fixes the length when only the body
// could tell it). nullopt when the request succeeded.
asio::awaitable<std::optional<Failure>> FinishBody(Exchange& exchange, store::UploadWriter& writer,
                                                   const ReceiveOutcome& outcome,
                                                   protocol::IetfBodyLimit limit, bool completes,
                                                   bool length_from_body) {
  std::optional<Failure> failure = FailureForOutcome(outcome);
  if (failure && failure->code == ErrorCode::kSizeExceeded && limit.is_length) {
    failure = Failure{ErrorCode::kInconsistentLength, "the body passes the upload's length", {}};
  }
  if (failure || !completes || outcome.end != BodyEnd::kComplete) co_return failure;
  if (length_from_body) {
    Status status = SetLength(writer, writer.offset());
    if (status.ok()) status = co_await Commit(exchange.services(), writer, UnixNow());
    if (!status.ok()) co_return Failure{ErrorFor(status), status.message(), {}};
  }
  if (!writer.committed().complete()) {
    co_return Failure{
        ErrorCode::kInconsistentLength, "the body ended before the upload's length", {}};
  }
  co_return std::nullopt;
}

// Streams the body into the upload and answers. `location` is non-empty for a creation: its
// answers carry the upload's Location (the draft wants the same one in every response).
asio::awaitable<void> ReceiveAndAnswer(Exchange& exchange, const IetfDraft& draft,
                                       store::UploadWriter& writer, protocol::IetfBodyLimit limit,
                                       bool completes, bool length_from_body,
                                       const std::string& location) {
  auto& services = exchange.services();
  bool was_complete = writer.committed().complete();
  // The draft has no per-request checksum of its own: the body is streamed without one.
  const protocol::BodyChecksum no_checksum;
  ReceiveOutcome outcome = co_await ReceiveBody(exchange, writer, limit.max_bytes, no_checksum);
  std::optional<Failure> failure =
      co_await FinishBody(exchange, writer, outcome, limit, completes, length_from_body);
  protocol::UploadView view = ToView(writer.committed());
  if (!was_complete && writer.committed().complete()) services.metrics.CountCompleted();
  if (!failure && outcome.end == BodyEnd::kClientGone) co_return;  // nobody to answer
  if (!failure) {
    protocol::Response response =
        location.empty()
            ? protocol::IetfAppendedResponse(draft, view)
            : protocol::IetfCreatedResponse(draft, view, location, services.policy, UnixNow());
    co_await exchange.Respond(std::move(response));
    co_return;
  }
  // The upload is active whatever happened to the body: say how far it got (every version).
  IetfFailure answer(std::move(*failure));
  answer.failure.headers.emplace_back("Upload-Offset", std::to_string(view.offset));
  if (!location.empty()) answer.failure.headers.emplace_back("Location", location);
  co_await RespondError(exchange, draft, answer);
}

std::vector<std::pair<std::string, std::string>> DecodedPairs(const protocol::Metadata& metadata) {
  std::vector<std::pair<std::string, std::string>> pairs;
  pairs.reserve(metadata.size());
  for (const protocol::MetadataEntry& entry : metadata) {
    pairs.emplace_back(entry.key, entry.value ? *entry.value : std::string());
  }
  return pairs;
}

asio::awaitable<void> CreateUpload(Exchange& exchange, const IetfDraft& draft) {
  auto& services = exchange.services();
  auto decision = protocol::DecideIetfCreate(exchange.head(), draft, services.policy);
  if (auto* failure = std::get_if<IetfFailure>(&decision)) {
    co_return co_await RespondError(exchange, draft, *failure);
  }
  auto& plan = std::get<protocol::IetfCreatePlan>(decision);
  store::NewUpload spec;
  spec.length = plan.length;
  spec.metadata_raw = plan.metadata_raw;
  spec.metadata = DecodedPairs(plan.metadata);
  spec.compression = services.config.compression;
  store::UploadRecord record;
  int64_t now = UnixNow();
  Status status = co_await CreateUpload(services, spec, now, &record);
  if (!status.ok()) {
    co_return co_await RespondFailure(exchange, draft, ErrorFor(status), status.message());
  }
  services.metrics.CountCreated();
  if (record.complete()) services.metrics.CountCompleted();
  std::string location = exchange.PublicOrigin() + services.config.base_path + record.id;
  // Before any body byte is read: a client cut off from now on can resume at `location`.
  protocol::HeaderList interim =
      protocol::IetfInterimHeaders(draft, ToView(record), location, services.policy, now);
  co_await exchange.SendInformational(104, "Upload Resumption Supported", interim);
  if (record.complete() || !exchange.head().has_body()) {
    protocol::Response created =
        protocol::IetfCreatedResponse(draft, ToView(record), location, services.policy, now);
    co_return co_await exchange.Respond(std::move(created));
  }
  // Nobody else knows the id yet, so the lease is free.
  auto lease = services.store.locks().TryAcquire(record.id, exchange.HandoverCallback());
  std::unique_ptr<store::UploadWriter> writer;
  status = co_await OpenWriter(services, record.id, &writer);
  if (!lease || !status.ok()) {
    co_return co_await RespondFailure(exchange, draft, ErrorCode::kInternal, status.message());
  }
  co_await ReceiveAndAnswer(exchange, draft, *writer, plan.limit, plan.completes,
                            plan.length_from_body, location);
}

asio::awaitable<void> RetrieveOffset(Exchange& exchange, const IetfDraft& draft,
                                     const std::string& id) {
  if (auto refused = protocol::CheckNoStateFields(exchange.head(), draft)) {
    co_return co_await RespondError(exchange, draft, *refused);
  }
  store::UploadRecord record;
  if (!co_await LoadRecord(exchange, draft, id, &record)) co_return;
  // A request still writing this upload is asked to commit and end first, so the offset
  // reported is one the next append will be accepted at (the draft's concurrency rule). Not a
  // final concatenated upload's: its writer is the join, which no client resumes.
  if (!record.final_upload()) {
    co_await WaitForRelease(exchange, id);
    if (!co_await LoadRecord(exchange, draft, id, &record)) co_return;
  }
  auto decision =
      protocol::DecideIetfHead(draft, ToView(record), exchange.services().policy, UnixNow());
  if (auto* failure = std::get_if<IetfFailure>(&decision)) {
    co_return co_await RespondError(exchange, draft, *failure);
  }
  co_await exchange.Respond(std::move(std::get<protocol::Response>(decision)));
}

asio::awaitable<void> Append(Exchange& exchange, const IetfDraft& draft, const std::string& id) {
  auto& services = exchange.services();
  store::UploadRecord record;
  if (!co_await LoadRecord(exchange, draft, id, &record)) co_return;
  if (auto refused = protocol::CheckIetfAppendRequest(exchange.head(), draft)) {
    co_return co_await RespondError(exchange, draft, *refused);
  }
  // Unlike tus, a well-formed append ends a request still writing the upload before it is
  // decided (the draft's recommended concurrency handling): that request's client has given up
  // on it, and the offset the new one is checked against includes every byte it received.
  auto lease = co_await AcquireLease(exchange, id);
  if (!lease) co_return co_await RespondFailure(exchange, draft, ErrorCode::kUploadLocked, {});
  // The previous holder committed as it let go: decide on the state it left.
  if (!co_await LoadRecord(exchange, draft, id, &record)) co_return;
  auto decision =
      protocol::DecideIetfAppend(exchange.head(), draft, ToView(record), services.policy);
  if (auto* failure = std::get_if<IetfFailure>(&decision)) {
    co_return co_await RespondError(exchange, draft, *failure);
  }
  auto& plan = std::get<protocol::IetfAppendPlan>(decision);
  if (plan.already_complete) {
    protocol::Response done = protocol::IetfAppendedResponse(draft, ToView(record));
    co_return co_await exchange.Respond(std::move(done));
  }
  std::unique_ptr<store::UploadWriter> writer;
  Status status = co_await OpenWriter(services, id, &writer);
  if (status.ok() && plan.set_length) status = SetLength(*writer, *plan.set_length);
  if (!status.ok()) {
    co_return co_await RespondFailure(exchange, draft, ErrorFor(status), status.message());
  }
  const std::string no_location;  // an append: its answers carry no Location
  co_await ReceiveAndAnswer(exchange, draft, *writer, plan.limit, plan.completes,
                            plan.length_from_body, no_location);
}

asio::awaitable<void> Cancel(Exchange& exchange, const IetfDraft& draft, const std::string& id) {
  auto& services = exchange.services();
  if (auto refused = protocol::CheckNoStateFields(exchange.head(), draft)) {
    co_return co_await RespondError(exchange, draft, *refused);
  }
  store::UploadRecord record;
  if (!co_await LoadRecord(exchange, draft, id, &record)) co_return;
  if (auto gone = protocol::CheckActive(ToView(record))) {
    co_return co_await RespondError(exchange, draft, *gone);
  }
  // The draft: end any request still writing the upload before answering.
  auto lease = co_await AcquireLease(exchange, id);
  if (!lease) co_return co_await RespondFailure(exchange, draft, ErrorCode::kUploadLocked, {});
  int64_t now = UnixNow();
  Status status = co_await Terminate(services, id, now);
  if (!status.ok()) {
    co_return co_await RespondFailure(exchange, draft, ErrorFor(status), status.message());
  }
  protocol::Response deleted = protocol::DeletedResponse();
  co_await exchange.Respond(std::move(deleted));
}

protocol::Response MethodNotAllowed(std::string_view allow) {
  protocol::Response response = protocol::ErrorResponse(ErrorCode::kMethodNotAllowed);
  response.headers.emplace_back("Allow", std::string(allow));
  return response;
}

}  // namespace

asio::awaitable<void> ServeIetfDraft(Exchange& exchange, const std::string& method,
                                     const Route& route) {
  // Every answer here is built as a named local first (see RespondError).
  auto parsed = protocol::ParseInteropVersion(exchange.head().headers);
  if (auto* failure = std::get_if<Failure>(&parsed)) {
    protocol::Response refused = protocol::ErrorResponse(*failure);
    co_return co_await exchange.Respond(std::move(refused));
  }
  const IetfDraft draft = std::get<IetfDraft>(parsed);
  if (method == "OPTIONS") {
    protocol::Response options = protocol::IetfOptionsResponse(draft, exchange.services().policy);
    co_return co_await exchange.Respond(std::move(options));
  }
  if (route.kind == Route::Kind::kCollection) {
    if (method == "POST") co_return co_await CreateUpload(exchange, draft);
    protocol::Response not_allowed = MethodNotAllowed("OPTIONS, POST");
    co_return co_await exchange.Respond(std::move(not_allowed));
  }
  if (!store::IsValidUploadId(route.id)) {
    co_return co_await RespondFailure(exchange, draft, ErrorCode::kUploadNotFound, {});
  }
  if (method == "HEAD") co_return co_await RetrieveOffset(exchange, draft, route.id);
  if (method == "PATCH") co_return co_await Append(exchange, draft, route.id);
  if (method == "DELETE") co_return co_await Cancel(exchange, draft, route.id);
  if (method == "GET") co_return co_await HandleDownload(exchange, route.id);
  protocol::Response not_allowed = MethodNotAllowed("OPTIONS, HEAD, PATCH, DELETE, GET");
  co_await exchange.Respond(std::move(not_allowed));
}

}  // namespace tuskd::server
