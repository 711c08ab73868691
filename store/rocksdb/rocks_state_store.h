// RocksStateStore: the StateStore of one machine, a RocksDB in <data-dir>/db with one column
// family per Family. Creates missing families, opens every family found on disk (RocksDB
// refuses a read-write open that leaves one out) and checks the schema version. Every Write is
// one WriteBatch with WriteOptions::sync, so a batch that returned Ok survives a crash (I1).
// Tools open it read-only instead (OpenReadOnly), which never takes RocksDB's lock nor touches
// the writer's files. Thread-safe, as rocksdb::DB is.
#pragma once

#include <rocksdb/db.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "store/state_store.h"

namespace tuskd::store {

// How a tool opens a DB it must not write (a failed second read-write open renames the
// writer's info LOG, so tools never try one).
enum class ReadOnlyMode {
  // A RocksDB secondary instance: safe beside a running writer (tuskd), and CatchUp() replays
  // what the writer committed since. Keeps its own files in a scratch directory under $TMPDIR
  // (or /tmp), removed when the store is destroyed.
  kSecondary,
  // A point-in-time read-only open. Only for a DB that no writer has open: RocksDB leaves a
  // read-only instance beside a writer undefined.
  kPointInTime,
};

class RocksStateStore : public StateStore {
 public:
  // Opens or creates the DB in `path`. RocksDB's message is kept in the returned Status.
  // `env`: RocksDB's seam to the OS, for tests that inject faults into the WAL and MANIFEST
  // (nullptr: the default); it must outlive the store.
  static Status Open(const std::string& path, std::unique_ptr<RocksStateStore>* out,
                     rocksdb::Env* env = nullptr);
  // Opens an existing DB without write access, listing every family on disk; writes through
  // it fail, and families an older writer never created read as empty. NotFound when `path`
  // holds no DB; Invalid when it has no uploads family or a schema newer than this build.
  // RocksDB's info log goes nowhere, so nothing is written into `path`.
  static Status OpenReadOnly(const std::string& path, ReadOnlyMode mode,
                             std::unique_ptr<RocksStateStore>* out);
  ~RocksStateStore() override;
  RocksStateStore(const RocksStateStore&) = delete;
  RocksStateStore& operator=(const RocksStateStore&) = delete;

  Status Get(Family family, std::string_view key, std::string* value) const override;
  Status Write(const StateBatch& batch) override;
  Status Scan(Family family, std::string_view prefix, std::string_view from,
              const ScanVisitor& visit) const override;
  Status FindLastAtOrBefore(Family family, std::string_view prefix, std::string_view key,
                            std::string* found_key, std::string* value) const override;

  // kSecondary: replays what the writer has committed since the open or the last call (a few
  // ms). A no-op for a point-in-time or read-write open.
  Status CatchUp();
  bool read_only() const { return read_only_.has_value(); }
  // For tests that must write what tuskd never would (a record that does not parse).
  rocksdb::DB* db() const { return db_.get(); }
  rocksdb::ColumnFamilyHandle* handle(Family family) const {
    return handles_[static_cast<size_t>(family)];
  }

 private:
  RocksStateStore() = default;
  // Takes the handles RocksDB returned for `names`, in order.
  void AdoptHandles(const std::vector<std::string>& names,
                    const std::vector<rocksdb::ColumnFamilyHandle*>& handles);
  std::unique_ptr<rocksdb::Iterator> NewIterator(Family family) const;

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
