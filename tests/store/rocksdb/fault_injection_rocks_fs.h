// FaultInjectionRocksFs: RocksDB's file system seam (rocksdb::FileSystemWrapper over the default
// one) with the losses a crash causes, so the state store's WAL, MANIFEST and CURRENT can be
// tested the way the data files are (tests/common/fault_injection_file_system.h). It tracks,
// for every file RocksDB writes, the bytes synced and whether its name was made durable by a
// sync of its directory; Crash() then truncates each file to its synced bytes, removes files
// created since their directory's last sync, and undoes an unsynced rename over an existing
// file (RocksDB's FaultInjectionTestFS draws the same lines). Every write and sync point is
// reported to a CrashPoints first, and a one-shot failure of the next WAL sync is available.
// RocksDB's info LOG is passed through untracked: it is not state, and its background writes
// would make the numbering of points vary between runs. Thread-safe.
#pragma once

#include <rocksdb/env.h>
#include <rocksdb/file_system.h>

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "tests/common/crash_points.h"

namespace tuskd::store {

class FaultInjectionRocksFs : public rocksdb::FileSystemWrapper {
 public:
  explicit FaultInjectionRocksFs(CrashPoints* points);

  static const char* kClassName() { return "TuskdFaultInjectionRocksFs"; }
  const char* Name() const override { return kClassName(); }

  // An Env for rocksdb::DBOptions::env over this file system. `fs` must outlive it.
  static std::unique_ptr<rocksdb::Env> NewEnv(const std::shared_ptr<FaultInjectionRocksFs>& fs);

  // Power loss (see above). Call with the DB closed.
  rocksdb::IOStatus Crash();
  // The next sync of a WAL file (*.log) fails with an IOError and syncs nothing. One shot.
  void FailNextWalSync();
  // A disk that lies, for tests that check a crash test notices: every later sync of a WAL
  // file returns Ok without making anything durable.
  void LieAboutWalSyncs();

  rocksdb::IOStatus NewWritableFile(const std::string& fname, const rocksdb::FileOptions& options,
                                    std::unique_ptr<rocksdb::FSWritableFile>* result,
                                    rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus ReopenWritableFile(const std::string& fname,
                                       const rocksdb::FileOptions& options,
                                       std::unique_ptr<rocksdb::FSWritableFile>* result,
                                       rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus NewDirectory(const std::string& name, const rocksdb::IOOptions& options,
                                 std::unique_ptr<rocksdb::FSDirectory>* result,
                                 rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus DeleteFile(const std::string& fname, const rocksdb::IOOptions& options,
                               rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus RenameFile(const std::string& src, const std::string& target,
                               const rocksdb::IOOptions& options,
                               rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus Truncate(const std::string& fname, size_t size,
                             const rocksdb::IOOptions& options,
                             rocksdb::IODebugContext* dbg) override;

  // ---- called by the wrapped files and directories ----
  // Ok when the operation may go ahead; the IOError of a dead process otherwise.
  rocksdb::IOStatus PassPoint(const char* what, const std::string& path);
  void RecordAppend(const std::string& path, uint64_t bytes);
  // Sync of `path`: the injected WAL failure if one is due, else Ok (the caller then syncs and
  // reports RecordSynced, unless *lie).
  rocksdb::IOStatus TakeSyncFault(const std::string& path, bool* lie);
  void RecordSynced(const std::string& path);
  void RecordTruncated(const std::string& path, uint64_t size);
  void RecordDirSynced(const std::string& dir);

 private:
  struct Tracked {
    uint64_t size = 0;
    uint64_t synced = 0;
    bool durable_name = true;
    // What the name held before an unsynced rename replaced it; restored by a crash.
    std::optional<std::string> replaced;
  };
  static bool Untracked(const std::string& path);  // the info LOG
  rocksdb::IOStatus Wrap(const std::string& fname, bool creates,
                         std::unique_ptr<rocksdb::FSWritableFile>* result);

  CrashPoints* const points_;
  std::mutex mu_;
  std::map<std::string, Tracked> files_;
  bool fail_next_wal_sync_ = false;
  bool lie_about_wal_syncs_ = false;
};

}  // namespace tuskd::store
