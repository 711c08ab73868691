// A FileSystem for tests that wraps a real one (PosixFileSystem by default) and injects the
// failures that invariants I1-I3 must survive: an Append that fails once the file would pass
// byte N (ENOSPC, EIO, ...), a failing Sync, a process death at any numbered write or sync
// point (CrashPoints), and a "crash" that, as a power loss would, drops every byte not yet
// synced and every file created since its directory was last synced (LevelDB's
// fault_injection_test models the same two losses). A removal is taken as durable at once: a
// real crash may bring an unlinked file back, which recovery removes again as an orphan.
// Thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>

#include "base/file_system.h"
#include "base/posix_file_system.h"
#include "tests/common/crash_points.h"

namespace tuskd {

class FaultInjectionFileSystem final : public FileSystem {
 public:
  explicit FaultInjectionFileSystem(FileSystem* base = PosixFileSystem()) : base_(base) {}

  // The next Append that would take a file past `limit` bytes writes up to the limit, then
  // fails with `err`. One shot.
  void FailAppendPast(uint64_t limit, int err);
  // The next Sync fails with `err` and syncs nothing. One shot.
  void FailNextSync(int err);
  // A disk that lies, for tests that check a crash test notices: every later Sync (or
  // SyncDir) returns Ok without making anything durable.
  void LieAboutFileSyncs();
  void LieAboutDirSyncs();
  // Every write and sync point (create, append, sync, truncate, remove, directory sync) is
  // reported to `points` first, and fails with EIO once it has crashed. nullptr: none.
  void SetCrashPoints(CrashPoints* points);
  // Power loss: truncates every file opened through this file system to its last synced
  // length and removes the files created since their directory's last SyncDir. Call with no
  // DataFile in use (close the store first).
  Status Crash();
  // Bytes of `path` that a crash now would keep; nullopt if the file was never opened here.
  std::optional<uint64_t> SyncedLength(const std::string& path) const;

  Status OpenForAppend(const std::string& path, std::unique_ptr<DataFile>* out) override;
  Status OpenForRead(const std::string& path, std::unique_ptr<DataFile>* out) override;
  Status Remove(const std::string& path) override;
  Status Truncate(const std::string& path, uint64_t length) override;
  Status FileSize(const std::string& path, uint64_t* size) override;
  Status CreateDirs(const std::string& path) override;
  Status SyncDir(const std::string& path) override;
  Status ForEachFile(const std::string& dir,
                     const std::function<void(const std::string& name)>& visit) override;

 private:
  friend class FaultInjectionDataFile;
  // Called by the wrapped files.
  std::optional<std::pair<uint64_t, int>> TakeAppendFault(uint64_t size, uint64_t append);
  std::optional<int> TakeSyncFault();
  bool LiesAboutFileSyncs() const;
  // Ok when the operation may go ahead; the EIO of a dead process otherwise.
  Status PassPoint(const char* what, const std::string& path);
  void RecordSynced(const std::string& path, uint64_t length);
  void RecordTruncated(const std::string& path, uint64_t length);

  FileSystem* const base_;
  mutable std::mutex mu_;
  std::optional<std::pair<uint64_t, int>> append_fault_;  // limit, errno
  std::optional<int> sync_fault_;
  std::map<std::string, uint64_t> synced_;  // path -> bytes a crash keeps
  std::set<std::string> unsynced_names_;    // created since their directory's last SyncDir
  CrashPoints* points_ = nullptr;
  bool lie_about_file_syncs_ = false;
  bool lie_about_dir_syncs_ = false;
};

}  // namespace tuskd
