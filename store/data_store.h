// The data store: where upload bytes live, one object per upload, holding exactly the bytes
// the state store's record counts as stored (data_length: raw bytes, or zstd frames). The
// commit protocol, recovery, termination and concatenation are written against this interface
// only; LocalDataStore (store/local/) implements it with one file per upload, and object
// storage implements the same contract.
//
// Contract, for every implementation:
// - Create is durable: once Ok, the empty object survives a crash (the record that names it
//   is written after it).
// - Bytes are durable only through DataAppender::Sync; anything past the last synced length
//   may be lost at a crash, and Recover cuts it off (invariant I3).
// - An object's committed length is the state store's to know; the data store never decides
//   it, and never exposes bytes past the length a reader was opened with.
// - Remove is idempotent (Ok when absent), so a crash between a retirement batch and the
//   removal is finished by recovery.
// - Every call may block on disk or network: callers keep them off the io threads. A
//   DataStore is thread-safe; its appenders and readers are used by one thread at a time.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "base/status.h"
#include "store/data_appender.h"
#include "store/data_reader.h"

namespace tuskd::store {

class DataStore {
 public:
  virtual ~DataStore() = default;

  // Makes the empty object for a new upload, durably. Invalid for an id the store cannot name.
  virtual Status Create(const std::string& id) = 0;
  // Opens the object for appending at `committed_length`: stored bytes past it (an uncommitted
  // tail of a request that failed or crashed) are cut off. Corruption when the object holds
  // fewer bytes than that; an object that is gone counts as empty (made again when nothing was
  // committed, since then nothing is lost).
  virtual Status OpenAppender(const std::string& id, uint64_t committed_length,
                              std::unique_ptr<DataAppender>* out) = 0;
  // Opens the object for reading its first `committed_length` bytes. Corruption when it holds
  // fewer; NotFound when it is gone.
  virtual Status OpenReader(const std::string& id, uint64_t committed_length,
                            std::unique_ptr<DataReader>* out) const = 0;
  // Ok when absent.
  virtual Status Remove(const std::string& id) = 0;
  // At start-up, for an upload still receiving: cuts the object back to `committed_length`.
  // NotFound when it is missing, Corruption when it is shorter (both left as they are, for
  // tuskctl verify to report).
  virtual Status Recover(const std::string& id, uint64_t committed_length) = 0;
  // Calls `visit` with the upload id of every object the store holds (any order): recovery
  // removes those no record names.
  virtual Status ForEachObject(const std::function<void(const std::string& id)>& visit) const = 0;
  // Where the object is, for people and logs: a path, a URL.
  virtual std::string Location(const std::string& id) const = 0;
};

}  // namespace tuskd::store
