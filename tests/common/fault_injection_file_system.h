// A FileSystem for tests that wraps a real one (PosixFileSystem by default) and injects the
// failures that invariants I1-I3 must survive: an Append that fails once the file would pass
// byte N (ENOSPC, EIO, ...), a failing Sync, and a "crash" that drops every byte not yet synced,
// as a power loss would. Thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "base/file_system.h"
#include "base/posix_file_system.h"

namespace tuskd {

class FaultInjectionFileSystem final : public FileSystem {
 public:
  explicit FaultInjectionFileSystem(FileSystem* base = PosixFileSystem()) : base_(base) {}

  // The next Append that would take a file past `limit` bytes writes up to the limit, then
  // fails with `err`. One shot.
  void FailAppendPast(uint64_t limit, int err);
  // The next Sync fails with `err` and syncs nothing. One shot.
  void FailNextSync(int err);
  // Power loss: truncates every file opened through this file system to its last synced
  // length. Call with no DataFile in use (close the store first).
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
  void RecordSynced(const std::string& path, uint64_t length);
  void RecordTruncated(const std::string& path, uint64_t length);

  FileSystem* const base_;
  mutable std::mutex mu_;
  std::optional<std::pair<uint64_t, int>> append_fault_;  // limit, errno
  std::optional<int> sync_fault_;
  std::map<std::string, uint64_t> synced_;  // path -> bytes a crash keeps
};

}  // namespace tuskd
