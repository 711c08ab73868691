// Taking an upload's lease for a request (invariant I5): if an older request holds it, ask that
// one to commit and end, and wait for it to let go, up to --lock-timeout. Runs on the exchange's
// coroutine; the lock table itself is thread-safe.
#pragma once

#include <optional>
#include <string>

#include <boost/asio/awaitable.hpp>

#include "server/http/exchange.h"
#include "store/upload_lock_table.h"

namespace tuskd::server {

// nullopt when the holder did not let go in time (the caller answers 423).
boost::asio::awaitable<std::optional<store::UploadLockTable::Lease>> AcquireLease(
    Exchange& exchange, const std::string& id);

// For readers (HEAD): asks a holder to end and waits until it has committed, so the offset
// read afterwards includes everything it received. True when no one holds the upload.
boost::asio::awaitable<bool> WaitForRelease(Exchange& exchange, const std::string& id);

}  // namespace tuskd::server
