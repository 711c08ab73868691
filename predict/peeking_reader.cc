#include "predict/peeking_reader.h"

#include <algorithm>
#include <cstring>
#include <span>

namespace tuskd::predict {

PeekingReader::PeekingReader(ByteSource* source, size_t capacity)
    : source_(source), buffer_(std::max<size_t>(capacity, 16)) {}

std::string_view PeekingReader::Peek(size_t want) {
  want = std::min(want, buffer_.size());
  if (end_ - begin_ < want && !at_end_ && buffer_.size() - begin_ < want) {
    // Compact only when the wanted bytes cannot fit after begin_: the common case of small
    // peeks then costs no copying.
    std::memmove(buffer_.data(), buffer_.data() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
  }
  while (end_ - begin_ < want && !at_end_) {
    size_t n = 0;
    std::span<char> space(buffer_.data() + end_, buffer_.size() - end_);
    if (!source_->Read(space, &n, &error_)) {
      failed_ = at_end_ = true;
      if (error_.empty()) error_ = "read failed";
    } else if (n == 0) {
      at_end_ = true;
    } else {
      end_ += std::min(n, space.size());
    }
  }
  return std::string_view(buffer_.data() + begin_, end_ - begin_);
}

void PeekingReader::Consume(size_t n) {
  n = std::min(n, end_ - begin_);
  begin_ += n;
  position_ += n;
  if (begin_ == end_) begin_ = end_ = 0;
}

uint64_t PeekingReader::Skip(uint64_t n) {
  uint64_t skipped = 0;
  while (skipped < n) {
    std::string_view available = Peek(1);
    if (available.empty()) break;
    size_t step = static_cast<size_t>(std::min<uint64_t>(available.size(), n - skipped));
    Consume(step);
    skipped += step;
  }
  return skipped;
}

}  // namespace tuskd::predict
