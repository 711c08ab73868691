#include "server/handlers/body_receiver.h"

#include <algorithm>
#include <cctype>
#include <span>
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

// The expected digest: the header's, or the trailer's (parsed and checked against the offered
// algorithms). A Failure when a promised trailer is missing or unusable.
std::variant<protocol::ChecksumHeader, Failure> ExpectedChecksum(Exchange& exchange,
                                                                 const BodyChecksum& checksum) {
  if (checksum.header) return *checksum.header;
  auto trailer = exchange.TrailerField("Upload-Checksum");
  if (!trailer) return Failure{ErrorCode::kInvalidChecksumHeader, "no Upload-Checksum trailer", {}};
  auto parsed = protocol::ParseChecksumHeader(*trailer);
  if (auto* failure = std::get_if<Failure>(&parsed)) return std::move(*failure);
  auto& header = std::get<protocol::ChecksumHeader>(parsed);
  const auto& offered = exchange.services().policy.checksum_algorithms;
  if (std::find(offered.begin(), offered.end(), header.algorithm) == offered.end())
    return Failure{ErrorCode::kUnsupportedChecksum, header.algorithm, {}};
  return header;
}

// Drops what the body appended since the last commit. A rollback that fails leaves the writer
// refusing everything and an uncommitted tail in the file, which the next writer (or recovery)
// cuts off (I3); nothing was acknowledged, so the answer the caller chose stays true.
asio::awaitable<void> RollBack(Services& services, store::UploadWriter& writer) {
  if (Status rolled = co_await Rollback(services, writer); !rolled.ok()) {
    Log(LogLevel::kWarn, kServerLog,
        "rollback of upload " + writer.committed().id + " failed: " + rolled.ToString() +
            " (trimmed later)",
        {{"upload_id", writer.committed().id}});
  }
}

}  // namespace

BodyChecksum ChecksumFor(const Exchange& exchange,
                         const std::optional<protocol::ChecksumHeader>& header) {
  BodyChecksum checksum;
  checksum.header = header;
  if (!header && exchange.head().chunked) {
    if (auto announced = exchange.head().headers.Get("Trailer")) {
      std::string lower(*announced);
      std::transform(lower.begin(), lower.end(), lower.begin(),
                     [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
      checksum.trailer = lower.find("upload-checksum") != std::string::npos;
    }
  }
  return checksum;
}

asio::awaitable<ReceiveOutcome> ReceiveBody(Exchange& exchange, store::UploadWriter& writer,
                                            uint64_t limit, const BodyChecksum& checksum) {
  Services& services = exchange.services();
  const auto& policy = services.policy;
  std::optional<ChecksumVerifier> verifier;
  if (checksum.header)
    verifier.emplace(std::vector<std::string>{checksum.header->algorithm});
  else if (checksum.trailer)
    verifier.emplace(policy.checksum_algorithms);
  // Unverified bytes must never become durable, so checkpoints wait for bodies without a sum.
  const uint64_t checkpoint = verifier ? UINT64_MAX : services.config.checkpoint_bytes;

  ReceiveOutcome outcome;
  std::vector<char> owned;  // for compressed appends only (store_calls.h Append)
  co_await exchange.SendContinue();
  for (;;) {
    BodyPiece piece = co_await exchange.NextPiece(limit);
    if (piece.end != BodyEnd::kNone) {
      outcome.end = piece.end;
      break;
    }
    if (verifier) verifier->Update(piece.bytes);
    outcome.storage = co_await Append(services, writer, piece.bytes, owned);
    if (!outcome.storage.ok()) break;
    if (writer.pending_bytes() >= checkpoint) {
      outcome.storage = co_await CountedCommit(services, writer);
      if (!outcome.storage.ok()) break;
    }
  }
  if (verifier) {
    bool keep = false;
    if (outcome.end == BodyEnd::kComplete && outcome.storage.ok()) {
      auto expected = ExpectedChecksum(exchange, checksum);
      if (auto* failure = std::get_if<Failure>(&expected)) {
        outcome.checksum_failure = std::move(*failure);
      } else {
        auto& sum = std::get<protocol::ChecksumHeader>(expected);
        keep = verifier->Matches(sum.algorithm, sum.digest);
        if (!keep)
          outcome.checksum_failure = Failure{ErrorCode::kChecksumMismatch, sum.algorithm, {}};
      }
    }
    if (!keep) {
      // A body that cannot be verified (cut, too large, failed) is dropped whole (tus checksum).
      co_await RollBack(services, writer);
      co_return outcome;
    }
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
