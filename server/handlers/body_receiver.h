// Streams a request body into an upload: piece by piece from the exchange into the writer,
// a durable commit every --checkpoint-bytes, and a last commit however the body ended, so the
// bytes of a cut body are kept (invariant I2). A body under a checksum (Upload-Checksum, or a
// checksum-trailer) is all-or-nothing instead: no checkpoints, and it is committed only once
// its digest matches; otherwise it is rolled back. The checksum rules are protocol's
// (protocol/body_checksum.h), the digests base's (base/checksum_verifier.h); this file only
// wires them to the body. Where each store call runs (commits and compressed appends on the
// blocking pool, raw appends inline) is server/handlers/store_calls.h's decision.
// Runs on the exchange's coroutine; the writer is this request's alone (it holds the lease).
#pragma once

#include <optional>

#include <boost/asio/awaitable.hpp>

#include "base/status.h"
#include "protocol/body_checksum.h"
#include "protocol/error_catalogue.h"
#include "server/http/body_end.h"
#include "server/http/exchange.h"
#include "store/upload_store.h"

namespace tuskd::server {

// How a body ended, and what failed on the way.
struct ReceiveOutcome {
  BodyEnd end = BodyEnd::kNone;                       // kNone when storage failed first
  Status storage;                                     // the first append or commit failure
  std::optional<protocol::Failure> checksum_failure;  // mismatch (460) or a bad trailer (400)
};

// Reads the body (sending 100 Continue first if asked) into `writer`, at most `limit` bytes.
// On return, everything the upload kept is committed and the writer holds nothing pending:
// the bytes received (all of them for a body without a checksum, however it ended; none for a
// checked body that was cut or did not match), or, after a failed append or commit, the state
// of the last commit that succeeded.
boost::asio::awaitable<ReceiveOutcome> ReceiveBody(Exchange& exchange, store::UploadWriter& writer,
                                                   uint64_t limit,
                                                   const protocol::BodyChecksum& checksum);

// The error a body outcome answers with; nullopt for a complete body (the caller answers
// success) and for a client that is gone (nobody to answer).
std::optional<protocol::Failure> FailureForOutcome(const ReceiveOutcome& outcome);

}  // namespace tuskd::server
