#include "server/handlers/body_receiver.h"

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/checksum_verifier.h"
#include "base/clock.h"
#include "base/log.h"
#include "server/handlers/store_calls.h"
#include "server/handlers/store_error.h"

namespace tuskd::server {

namespace asio = boost::asio;
using protocol::ErrorCode;
using protocol::Failure;

namespace {

// A commit (on the blocking pool, store_calls.h), counted for /metrics.
asio::awaitable<Status> CountedCommit(Services& services, store::UploadWriter& writer) {
  Status status = co_await Commit(services, writer, UnixNow());
  if (status.ok()) services.metrics.CountCommit();
  co_return status;
}

// Drops what the body appended since the last commit. A rollback that fails leaves the writer
// refusing everything and an uncommitted tail in the file, which the next writer (or recovery)
// cuts off (I3); nothing was acknowledged, so the answer the caller chose stays true.
asio::awaitable<void> RollBack(Services& services, store::UploadWriter& writer) {
  Status rolled = co_await Rollback(services, writer);
  if (rolled.ok()) co_return;
  Log(LogLevel::kWarn, kServerLog,
      "rollback of upload " + writer.committed().id + " failed: " + rolled.ToString() +
          " (trimmed later)",
      {{"upload_id", writer.committed().id}});
}

// Reads pieces into the writer until the body ends or storage fails, feeding the verifier
// (when the body is checked) and committing every `checkpoint` bytes.
asio::awaitable<void> StreamPieces(Exchange& exchange, store::UploadWriter& writer, uint64_t limit,
                                   uint64_t checkpoint, ChecksumVerifier* verifier,
                                   ReceiveOutcome& outcome) {
  Services& services = exchange.services();
  std::vector<char> owned;  // for compressed appends only (store_calls.h Append)
  for (;;) {
    BodyPiece piece = co_await exchange.NextPiece(limit);
    if (piece.end != BodyEnd::kNone) {
      outcome.end = piece.end;
      co_return;
    }
    if (verifier) verifier->Update(piece.bytes);
    outcome.storage = co_await Append(services, writer, piece.bytes, owned);
    if (!outcome.storage.ok()) co_return;
    if (writer.pending_bytes() >= checkpoint) {
      outcome.storage = co_await CountedCommit(services, writer);
      if (!outcome.storage.ok()) co_return;
    }
  }
}

// Whether a checked body may be kept: it is complete, stored, and has the digest protocol says
// it must have. When it was complete but may not be kept, outcome.checksum_failure says why.
bool Verified(Exchange& exchange, const protocol::BodyChecksum& checksum,
              const ChecksumVerifier& verifier, ReceiveOutcome& outcome) {
  if (outcome.end != BodyEnd::kComplete || !outcome.storage.ok()) return false;
  std::optional<std::string> trailer = exchange.TrailerField("Upload-Checksum");
  std::optional<std::string_view> trailer_field;
  if (trailer) trailer_field = *trailer;
  auto expected = protocol::ExpectedChecksum(checksum, trailer_field, exchange.services().policy);
  if (auto* failure = std::get_if<Failure>(&expected)) {
    outcome.checksum_failure = std::move(*failure);
    return false;
  }
  const auto& sum = std::get<protocol::ChecksumHeader>(expected);
  if (verifier.Matches(sum.algorithm, sum.digest)) return true;
  outcome.checksum_failure = protocol::ChecksumMismatch(sum);
  return false;
}

}  // namespace

asio::awaitable<ReceiveOutcome> ReceiveBody(Exchange& exchange, store::UploadWriter& writer,
                                            uint64_t limit,
                                            const protocol::BodyChecksum& checksum) {
  Services& services = exchange.services();
  std::optional<ChecksumVerifier> verifier;
  if (checksum.verified())
    verifier.emplace(protocol::AlgorithmsToCompute(checksum, services.policy));
  const uint64_t checkpoint =
      protocol::AllowsCheckpoints(checksum) ? services.config.checkpoint_bytes : UINT64_MAX;

  ReceiveOutcome outcome;
  co_await exchange.SendContinue();
  co_await StreamPieces(exchange, writer, limit, checkpoint, verifier ? &*verifier : nullptr,
                        outcome);
  if (verifier && !Verified(exchange, checksum, *verifier, outcome)) {
    // A body that cannot be verified (cut, too large, failed) is dropped whole (tus checksum).
    co_await RollBack(services, writer);
    co_return outcome;
  }
  // Commit what arrived, however the body ended: a cut body keeps its bytes.
  Status last = co_await CountedCommit(services, writer);
  if (!last.ok()) {
    co_await RollBack(services, writer);  // back to the last durable commit; the tail is trimmed
    if (outcome.storage.ok()) outcome.storage = last;
  }
  co_return outcome;
}

std::optional<Failure> FailureForOutcome(const ReceiveOutcome& outcome) {
  auto fail = [](ErrorCode code, std::string detail = {}) {
    return Failure{code, std::move(detail), {}};
  };
  if (!outcome.storage.ok()) return fail(ErrorFor(outcome.storage), outcome.storage.message());
  if (outcome.checksum_failure) return outcome.checksum_failure;
  switch (outcome.end) {
    case BodyEnd::kComplete:
      return std::nullopt;
    case BodyEnd::kClientGone:
      return std::nullopt;
    case BodyEnd::kTimedOut:
      return fail(ErrorCode::kRequestTimeout);
    case BodyEnd::kTooSlow:
      return fail(ErrorCode::kRequestTimeout, "the body arrived slower than --min-body-rate");
    case BodyEnd::kHandedOver:
      return fail(ErrorCode::kUploadInterrupted);
    case BodyEnd::kShutdown:
      return fail(ErrorCode::kShuttingDown);
    case BodyEnd::kTooLarge:
      return fail(ErrorCode::kSizeExceeded);
    case BodyEnd::kMalformed:
      return fail(ErrorCode::kBadRequest, "malformed chunked body");
    case BodyEnd::kNone:
      break;
  }
  return fail(ErrorCode::kInternal);
}

}  // namespace tuskd::server
