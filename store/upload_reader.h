// UploadReader: an upload's committed bytes by uncompressed offset, whether stored raw or as
// zstd frames (store/compressed_reader.h). Made by UploadStore::OpenReader. Not thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

#include "base/status.h"
#include "store/data_reader.h"

namespace tuskd::store {

class CompressedReader;

class UploadReader {
 public:
  ~UploadReader();
  UploadReader(const UploadReader&) = delete;
  UploadReader& operator=(const UploadReader&) = delete;

  // Reads up to out.size() bytes at `offset` (< committed offset); *read 0 at the end.
  Status Read(uint64_t offset, std::span<char> out, size_t* read);
  uint64_t size() const { return size_; }  // committed uncompressed bytes

 private:
  friend class UploadStore;
  UploadReader(std::unique_ptr<DataReader> raw, uint64_t size);
  UploadReader(std::unique_ptr<CompressedReader> compressed, uint64_t size);
  std::unique_ptr<DataReader> raw_;               // raw uploads
  std::unique_ptr<CompressedReader> compressed_;  // zstd uploads
  uint64_t size_;
};

}  // namespace tuskd::store
