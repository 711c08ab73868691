// The seam between the store and the operating system's files (LevelDB's Env, narrowed to what
// data files need). Production uses PosixFileSystem; tests use FaultInjectionFileSystem to fail
// a write at byte N, return ENOSPC/EIO, or drop unsynced bytes as a crash would.
// A DataFile is used by one thread at a time; a FileSystem is thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>

#include "base/status.h"

namespace tuskd {

class DataFile {
 public:
  virtual ~DataFile() = default;
  // Appends all of `bytes` at the end of the file, or fails. After a failure the file may hold
  // a prefix of `bytes`; the caller truncates back to a known length.
  virtual Status Append(std::span<const char> bytes) = 0;
  // fdatasync: everything appended so far survives a crash once this returns Ok. After a
  // failure the unsynced bytes may be lost even if a later Sync succeeds (the kernel may drop
  // the dirty pages and clear the error), so callers must not retry; they truncate instead.
  virtual Status Sync() = 0;
  virtual Status Truncate(uint64_t length) = 0;
  // Reads up to out.size() bytes at `offset`; *read is 0 at end of file.
  virtual Status ReadAt(uint64_t offset, std::span<char> out, size_t* read) = 0;
  virtual uint64_t Size() const = 0;
};

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

// The real thing: POSIX open/write/fdatasync/ftruncate/pread. Never null; lives forever.
FileSystem* PosixFileSystem();

}  // namespace tuskd
