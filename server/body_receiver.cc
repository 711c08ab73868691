#include "server/body_receiver.h"

#include "server/store_bridge.h"

namespace tuskd::server {

namespace asio = boost::asio;

namespace {

asio::awaitable<store::Status> CommitOffThread(Connection& connection,
                                               store::UploadWriter& writer) {
  auto& context = connection.context();
  int64_t now = UnixNow();
  store::Status status =
      co_await context.pool.Run([&writer, now] { return writer.Commit(now); });
  if (status.ok()) context.metrics.CountCommit();
  co_return status;
}

}  // namespace

asio::awaitable<ReceiveOutcome> ReceiveBody(Connection& connection, store::UploadWriter& writer,
                                            uint64_t limit) {
  const uint64_t checkpoint = connection.context().config.checkpoint_bytes;
  ReceiveOutcome outcome;
  co_await connection.SendContinue();
  for (;;) {
    BodyPiece piece = co_await connection.NextPiece(limit);
    if (piece.end != BodyEnd::kNone) {
      outcome.end = piece.end;
      break;
    }
    outcome.storage = writer.Append(piece.bytes);
    if (!outcome.storage.ok()) break;
    if (writer.pending_bytes() >= checkpoint) {
      outcome.storage = co_await CommitOffThread(connection, writer);
      if (!outcome.storage.ok()) break;
    }
  }
  // Commit what arrived, however the body ended: a cut body keeps its bytes.
  store::Status last = co_await CommitOffThread(connection, writer);
  if (!last.ok()) {
    writer.Rollback();  // back to the last durable commit; the tail is trimmed
    if (outcome.storage.ok()) outcome.storage = last;
  }
  co_return outcome;
}

std::optional<protocol::ErrorCode> ErrorForOutcome(const ReceiveOutcome& outcome) {
  using protocol::ErrorCode;
  if (!outcome.storage.ok()) return ErrorFor(outcome.storage);
  switch (outcome.end) {
    case BodyEnd::kComplete: return std::nullopt;
    case BodyEnd::kClientGone: return std::nullopt;
    case BodyEnd::kTimedOut: return ErrorCode::kRequestTimeout;
    case BodyEnd::kHandedOver: return ErrorCode::kUploadInterrupted;
    case BodyEnd::kShutdown: return ErrorCode::kShuttingDown;
    case BodyEnd::kTooLarge: return ErrorCode::kSizeExceeded;
    case BodyEnd::kMalformed: return ErrorCode::kBadRequest;
    case BodyEnd::kNone: break;
  }
  return ErrorCode::kInternal;
}

}  // namespace tuskd::server
