// Streams a request body into an upload: piece by piece from the connection into the writer,
// a durable commit every --checkpoint-bytes, and a last commit however the body ended, so the
// bytes of a cut body are kept (invariant I2). Commits run on the blocking pool.
#pragma once

#include <boost/asio/awaitable.hpp>

#include "protocol/response.h"
#include "server/connection.h"
#include "store/upload_store.h"

namespace tuskd::server {

struct ReceiveOutcome {
  BodyEnd end = BodyEnd::kNone;  // kNone when storage failed first
  store::Status storage;         // the first append or commit failure
};

boost::asio::awaitable<ReceiveOutcome> ReceiveBody(Connection& connection,
                                                   store::UploadWriter& writer, uint64_t limit);

// The error a body outcome answers with; nullopt for a complete body (the caller answers
// success) and for a client that is gone (nobody to answer).
std::optional<protocol::ErrorCode> ErrorForOutcome(const ReceiveOutcome& outcome);

}  // namespace tuskd::server
