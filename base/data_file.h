// One open file of the FileSystem seam (base/file_system.h): appended at its end, synced,
// truncated and read at any offset. Used by one thread at a time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "base/byte_sink.h"
#include "base/status.h"

namespace tuskd {

class DataFile : public ByteSink {
 public:
  // Appends all of `bytes` at the end of the file, or fails. After a failure the file may hold
  // a prefix of `bytes`; the caller truncates back to a known length.
  Status Append(std::span<const char> bytes) override = 0;
  // fdatasync: everything appended so far survives a crash once this returns Ok. After a
  // failure the unsynced bytes may be lost even if a later Sync succeeds (the kernel may drop
  // the dirty pages and clear the error), so callers must not retry; they truncate instead.
  virtual Status Sync() = 0;
  virtual Status Truncate(uint64_t length) = 0;
  // Reads up to out.size() bytes at `offset`; *read is 0 at end of file.
  virtual Status ReadAt(uint64_t offset, std::span<char> out, size_t* read) = 0;
  virtual uint64_t Size() const = 0;
};

}  // namespace tuskd
