// The seam between tuskd and the operating system's files (LevelDB's Env, narrowed to what
// data files need). Production uses PosixFileSystem (base/posix_file_system.h); tests use
// FaultInjectionFileSystem to fail a write at byte N, return ENOSPC/EIO, or drop unsynced bytes
// as a crash would. Thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "base/data_file.h"
#include "base/status.h"

namespace tuskd {

class FileSystem {
 public:
  virtual ~FileSystem() = default;
  // Opens (creating with mode 0600 if absent) for appending and reading.
  virtual Status OpenForAppend(const std::string& path, std::unique_ptr<DataFile>* out) = 0;
  virtual Status OpenForRead(const std::string& path, std::unique_ptr<DataFile>* out) = 0;
  virtual Status Remove(const std::string& path) = 0;  // Ok if absent
  virtual Status Truncate(const std::string& path, uint64_t length) = 0;
  // NotFound when absent.
  virtual Status FileSize(const std::string& path, uint64_t* size) = 0;
  // mkdir -p; directories it creates get mode 0700 (upload data is private to the server).
  virtual Status CreateDirs(const std::string& path) = 0;
  // fsync of a directory: makes a file created in it survive a crash (its directory entry is
  // not covered by the file's own fdatasync on every file system).
  virtual Status SyncDir(const std::string& path) = 0;
  // Calls `visit` with the name of each regular file directly in `dir` (any order).
  virtual Status ForEachFile(const std::string& dir,
                             const std::function<void(const std::string& name)>& visit) = 0;
};

}  // namespace tuskd
