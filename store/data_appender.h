// DataAppender: an upload's stored bytes, open for appending by the request that holds the
// upload's lease (store/data_store.h gives the contract of the store that made it). Bytes are
// appended at Size(); Sync makes them durable; Truncate cuts back to a length at or above the
// last synced one. Used by one thread at a time.
#pragma once

#include <cstdint>
#include <span>

#include "base/byte_sink.h"
#include "base/status.h"
#include "store/state_batch.h"

namespace tuskd::store {

class DataAppender : public ByteSink {
 public:
  // Appends all of `bytes` at Size(), or fails; after a failure a prefix may have landed and
  // the caller truncates back to a known length.
  Status Append(std::span<const char> bytes) override = 0;
  // Makes every byte appended so far durable: once Ok, they survive a crash. `commit` is the
  // state batch that will make them visible; a store that must record where the bytes are
  // (object storage: its part list) stages that here, so it is committed atomically with the
  // new offset. After a failure the unsynced bytes may be lost even if a later Sync succeeds:
  // callers never retry, they truncate.
  virtual Status Sync(StateBatch* commit) = 0;
  // Drops everything past `length`, which is never below the last synced size.
  virtual Status Truncate(uint64_t length) = 0;
  virtual uint64_t Size() const = 0;
};

}  // namespace tuskd::store
