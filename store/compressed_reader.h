// CompressedReader: reads a zstd upload's committed bytes by uncompressed offset, for
// UploadReader. It decodes forward through the frames with fixed buffers and keeps the last
// decoded block, so sequential reads (downloads, predictors) and the small step back a
// partial socket write causes cost nothing extra. Any other jump looks the target frame up in
// the frame index and decodes from that frame's start, never from the start of the upload.
// Memory is fixed: the decoder (one window of at most 2 MiB) and two ~128 KiB buffers,
// allocated at the first Read. Not thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "base/status.h"
#include "store/data_reader.h"

struct ZSTD_DCtx_s;

namespace tuskd::store {

class StateStore;

class CompressedReader {
 public:
  // `size`: committed uncompressed bytes; `data_length`: committed bytes of `data` (the reader
  // never looks past them). `state` holds the frame index and must outlive the reader.
  CompressedReader(const StateStore* state, std::string id, std::unique_ptr<DataReader> data,
                   uint64_t size, uint64_t data_length);
  ~CompressedReader();
  CompressedReader(const CompressedReader&) = delete;
  CompressedReader& operator=(const CompressedReader&) = delete;

  // As UploadReader::Read. Corruption when the data does not decode, ends early, or the index
  // has no frame for `offset`.
  Status Read(uint64_t offset, std::span<char> out, size_t* read);

 private:
  Status Init();
  // Positions the decoder at the start of the frame holding `offset`.
  Status Seek(uint64_t offset);
  // Decodes the next block into the output buffer (block_start_ moves past the old one).
  Status DecodeBlock();
  Status FillInput();

  const StateStore* state_;
  std::string id_;
  std::unique_ptr<DataReader> data_;
  uint64_t size_;
  uint64_t data_length_;
  struct DCtxFree {
    void operator()(ZSTD_DCtx_s* dctx) const;
  };
  std::unique_ptr<ZSTD_DCtx_s, DCtxFree> dctx_;
  std::unique_ptr<char[]> in_;
  size_t in_capacity_ = 0;
  size_t in_pos_ = 0;
  size_t in_end_ = 0;
  uint64_t file_pos_ = 0;  // next data-file byte to read into in_
  std::unique_ptr<char[]> block_;
  size_t block_capacity_ = 0;
  size_t block_size_ = 0;
  uint64_t block_start_ = 0;  // uncompressed offset of block_[0]
};

}  // namespace tuskd::store
