// Streams a request body into an upload: piece by piece from the exchange into the writer,
// a durable commit every --checkpoint-bytes, and a last commit however the body ended, so the
// bytes of a cut body are kept (invariant I2). A body under a checksum (Upload-Checksum, or a
// checksum-trailer) is all-or-nothing instead: no checkpoints, and it is committed only once
// its digest matches; otherwise it is rolled back. Where each store call runs (commits and
// compressed appends on the blocking pool, raw appends inline) is server/handlers/store_calls.h's
// decision.
#pragma once

#include <optional>

#include <boost/asio/awaitable.hpp>

#include "protocol/header_parsers.h"
#include "protocol/response.h"
#include "server/http/exchange.h"
#include "store/upload_store.h"

namespace tuskd::server {

struct BodyChecksum {
  std::optional<protocol::ChecksumHeader> header;  // Upload-Checksum sent up front
  bool trailer = false;  // `Trailer: Upload-Checksum` announced on a chunked body
};

struct ReceiveOutcome {
  BodyEnd end = BodyEnd::kNone;                       // kNone when storage failed first
  Status storage;                                     // the first append or commit failure
  std::optional<protocol::Failure> checksum_failure;  // mismatch (460) or a bad trailer (400)
};

boost::asio::awaitable<ReceiveOutcome> ReceiveBody(Exchange& exchange, store::UploadWriter& writer,
                                                   uint64_t limit, const BodyChecksum& checksum);

// The checksum a request asks for: its Upload-Checksum, or a trailer it announces.
BodyChecksum ChecksumFor(const Exchange& exchange,
                         const std::optional<protocol::ChecksumHeader>& header);

// The error a body outcome answers with; nullopt for a complete body (the caller answers
// success) and for a client that is gone (nobody to answer).
std::optional<protocol::Failure> FailureForOutcome(const ReceiveOutcome& outcome);

}  // namespace tuskd::server
