// A fixed-size read-ahead buffer over a ByteSource, for predictors that parse a file format
// while streaming it: Peek() makes the next few bytes visible without consuming them, so a
// parser can look at a header, a chunk or a partial sample that straddles two Reads. Memory is
// the buffer's capacity, whatever the file size.
// Not thread-safe: one reader per prediction.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "predict/byte_source.h"

namespace tuskd::predict {

class PeekingReader {
 public:
  static constexpr size_t kDefaultCapacity = size_t{64} * 1024;

  // `source` must outlive the reader.
  explicit PeekingReader(ByteSource* source, size_t capacity = kDefaultCapacity);
  PeekingReader(const PeekingReader&) = delete;
  PeekingReader& operator=(const PeekingReader&) = delete;

  // Returns the unconsumed buffered bytes after reading until at least min(want, capacity) are
  // there or the source ends. Fewer bytes than asked means end of data (or a read error: see
  // failed()). The view stays valid until the next Peek, Consume or Skip.
  std::string_view Peek(size_t want);
  // Drops `n` bytes, which must be at most the size of the last Peek's view.
  void Consume(size_t n);
  // Reads and drops up to `n` bytes; returns how many there were (< n at end of data).
  uint64_t Skip(uint64_t n);

  // True once the source has failed; the data then looks as if it ended, and error() says why.
  bool failed() const { return failed_; }
  const std::string& error() const { return error_; }
  // Bytes consumed so far.
  uint64_t position() const { return position_; }

 private:
  ByteSource* source_;
  std::vector<char> buffer_;
  size_t begin_ = 0;  // unconsumed bytes are buffer_[begin_, end_)
  size_t end_ = 0;
  bool at_end_ = false;
  bool failed_ = false;
  std::string error_;
  uint64_t position_ = 0;
};

}  // namespace tuskd::predict
