// StateDb: the store's RocksDB, private to store/. Owns the DB and one handle per column family
// (uploads, hash_state, predictions, jobs, expiry, meta, frames), creates missing families,
// opens every family found on disk (RocksDB refuses a read-write open that leaves one out) and
// checks the schema version in `meta`. Every write is one synced WriteBatch: a batch that returned
// Ok survives a crash (invariant I1). Tools open it read-only instead (OpenReadOnly), which never
// takes RocksDB's lock nor touches the writer's files. Thread-safe, as rocksdb::DB is.
#pragma once

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "store/upload_record.h"

namespace tuskd::store {

// Bumped when the meaning of a key or value changes; Open refuses a newer version.
inline constexpr int kSchemaVersion = 1;

// kFrames: the frame index of compressed uploads (store/frame_index.h).
enum class Family { kUploads, kHashState, kPredictions, kJobs, kExpiry, kMeta, kFrames };
inline constexpr size_t kFamilyCount = 7;

// Expiry index key: 8-byte big-endian expires_at, then the id, so that iteration runs in time
// order and a sweep stops at the first key in the future.
std::string ExpiryKey(int64_t expires_at, std::string_view id);
// False when `key` is not an expiry key.
bool ParseExpiryKey(std::string_view key, int64_t* expires_at, std::string* id);

class StateDb;

// The writes of one state change, applied atomically by StateDb::Write.
class StateBatch {
 public:
  void PutRecord(const UploadRecord& record);
  void PutHashState(const std::string& id, const std::string& blob);
  void DeleteHashState(const std::string& id);
  // Moves the upload's expiry entry from `before` to `after` (either may be absent).
  void MoveExpiry(const std::string& id, std::optional<int64_t> before,
                  std::optional<int64_t> after);
  void DeleteExpiryKey(std::string_view key);
  // Raw writes for the families that hold JSON documents keyed by hash (predictions, jobs).
  void Put(Family family, std::string_view key, std::string_view value);
  void Delete(Family family, std::string_view key);

 private:
  friend class StateDb;
  explicit StateBatch(const StateDb* db) : db_(db) {}
  const StateDb* db_;
  rocksdb::WriteBatch batch_;
};

// How a tool opens a DB it must not write (DESIGN.md, "Facts measured": a failed second
// read-write open renames the writer's info LOG, so tools never try one).
enum class ReadOnlyMode {
  // A RocksDB secondary instance: safe beside a running writer (tuskd), and CatchUp() replays
  // what the writer committed since. Keeps its own files in a scratch directory under $TMPDIR
  // (or /tmp), removed when the StateDb is destroyed.
  kSecondary,
  // A point-in-time read-only open. Only for a DB that no writer has open: RocksDB leaves a
  // read-only instance beside a writer undefined.
  kPointInTime,
};

class StateDb {
 public:
  // Opens or creates the DB in `path`. RocksDB's message is kept in the returned Status.
  static Status Open(const std::string& path, std::unique_ptr<StateDb>* out);
  // Opens an existing DB without write access, listing every family on disk; writes through
  // it fail, and families an older writer never created read as empty. NotFound when `path`
  // holds no DB; Invalid when it has no uploads family or a schema newer than this build.
  // RocksDB's info log goes nowhere, so nothing is written into `path`.
  static Status OpenReadOnly(const std::string& path, ReadOnlyMode mode,
                             std::unique_ptr<StateDb>* out);
  ~StateDb();
  StateDb(const StateDb&) = delete;
  StateDb& operator=(const StateDb&) = delete;

  // NotFound when the key is absent.
  Status Get(Family family, std::string_view key, std::string* value) const;
  // NotFound for an absent record, Corruption for one that does not parse.
  Status GetRecord(const std::string& id, UploadRecord* out) const;

  StateBatch NewBatch() const { return StateBatch(this); }
  // Applies the batch with WriteOptions::sync: durable once Ok.
  Status Write(StateBatch* batch);

  std::unique_ptr<rocksdb::Iterator> NewIterator(Family family) const;
  // kSecondary: replays what the writer has committed since the open or the last call (a few
  // ms). A no-op for a point-in-time or read-write open.
  Status CatchUp();
  bool read_only() const { return read_only_.has_value(); }
  rocksdb::ColumnFamilyHandle* handle(Family family) const {
    return handles_[static_cast<size_t>(family)];
  }
  rocksdb::DB* db() const { return db_.get(); }

 private:
  StateDb() = default;
  // Takes the handles RocksDB returned for `names`, in order.
  void AdoptHandles(const std::vector<std::string>& names,
                    const std::vector<rocksdb::ColumnFamilyHandle*>& handles);
  Status CheckSchema();

  std::unique_ptr<rocksdb::DB> db_;
  // Indexed by Family; unknown families found on disk are kept in extra_handles_ so that the
  // open succeeds and they are closed properly.
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
  std::vector<rocksdb::ColumnFamilyHandle*> extra_handles_;
  rocksdb::ColumnFamilyHandle* default_handle_ = nullptr;
  std::optional<ReadOnlyMode> read_only_;  // nullopt: the read-write open
  std::string scratch_dir_;                // kSecondary's own files; removed after the close
};

// Converts a RocksDB status, keeping its message.
Status FromRocks(const rocksdb::Status& status, const std::string& context);

}  // namespace tuskd::store
