// The state store: where upload state lives (records, hash states, the expiry and frame
// indexes, concatenation waits, prediction jobs and results, the schema version), as ordered
// key-value families (store/state_family.h) written in atomic batches. The commit protocol,
// recovery, concatenation and the completion pipeline are written against this interface only;
// RocksStateStore (store/rocksdb/) implements it for one machine, and a cluster store (etcd)
// implements the same contract.
//
// Contract, for every implementation:
// - Write(batch) is atomic and durable: once it returns Ok, every op of the batch survives a
//   crash (kill -9, power loss) and every later read sees all of them; a reader never sees some
//   without the others. On failure none of them took effect (invariants I1, I3).
// - Reads see every batch whose Write returned Ok, from any thread.
// - Every call may block (disk, network): callers keep them off the io threads.
// - Thread-safe.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "base/status.h"
#include "store/state_batch.h"
#include "store/state_family.h"
#include "store/upload_record.h"

namespace tuskd::store {

// Called for each entry of a scan; returning false ends the scan (with Ok).
using ScanVisitor = std::function<bool(std::string_view key, std::string_view value)>;

class StateStore {
 public:
  virtual ~StateStore() = default;

  // NotFound when the key is absent.
  virtual Status Get(Family family, std::string_view key, std::string* value) const = 0;
  virtual Status Write(const StateBatch& batch) = 0;
  // The entries whose keys begin with `prefix` ("" for all), in ascending byte order, from the
  // first key >= `from` (keys below `prefix` are never visited, whatever `from` says).
  virtual Status Scan(Family family, std::string_view prefix, std::string_view from,
                      const ScanVisitor& visit) const = 0;
  // The greatest key that begins with `prefix` and is <= `key`, and its value. NotFound when
  // there is none.
  virtual Status FindLastAtOrBefore(Family family, std::string_view prefix, std::string_view key,
                                    std::string* found_key, std::string* value) const = 0;

  // ---- typed reads, the same for every implementation ----
  // NotFound for an absent record, Corruption for one that does not parse (or names another id).
  Status GetRecord(const std::string& id, UploadRecord* out) const;
  // Every key of `family` that begins with `prefix`, without values.
  Status ListKeys(Family family, std::string_view prefix, std::vector<std::string>* keys) const;
};

}  // namespace tuskd::store
