#include "store/compressed_reader.h"

#include <zstd.h>

#include <algorithm>
#include <cstring>

#include "store/frame_index.h"

namespace tuskd::store {
namespace {

// A forward jump longer than this looks the target frame up instead of decoding through.
constexpr uint64_t kLookupDistance = 1u << 20;

}  // namespace

void CompressedReader::DCtxFree::operator()(ZSTD_DCtx_s* dctx) const { ZSTD_freeDCtx(dctx); }

CompressedReader::CompressedReader(const StateStore* state, std::string id,
                                   std::unique_ptr<DataReader> data, uint64_t size,
                                   uint64_t data_length)
    : state_(state),
      id_(std::move(id)),
      data_(std::move(data)),
      size_(size),
      data_length_(data_length) {}

CompressedReader::~CompressedReader() = default;

Status CompressedReader::Init() {
  dctx_.reset(ZSTD_createDCtx());
  if (!dctx_) return Status::IOError("zstd: cannot allocate a decompression context");
  in_capacity_ = ZSTD_DStreamInSize();
  in_.reset(new char[in_capacity_]);
  block_capacity_ = ZSTD_DStreamOutSize();
  block_.reset(new char[block_capacity_]);
  return Status::Ok();
}

Status CompressedReader::Seek(uint64_t offset) {
  FrameSpan span;  // the first frame starts at 0 in both files: no index needed there
  if (offset > 0) {
    if (Status found = FindFrame(*state_, id_, offset, data_length_, &span); !found.ok()) {
      return found;
    }
  }
  ZSTD_DCtx_reset(dctx_.get(), ZSTD_reset_session_only);
  in_pos_ = in_end_ = 0;
  file_pos_ = span.start.data_offset;
  block_start_ = span.start.offset;
  block_size_ = 0;
  return Status::Ok();
}

Status CompressedReader::FillInput() {
  size_t want = static_cast<size_t>(std::min<uint64_t>(in_capacity_, data_length_ - file_pos_));
  size_t got = 0;
  if (Status read = data_->ReadAt(file_pos_, {in_.get(), want}, &got); !read.ok()) return read;
  if (got < want) {
    return Status::Corruption("upload " + id_ + ": data file ends at " +
                              std::to_string(file_pos_ + got) + ", before its committed " +
                              std::to_string(data_length_) + " bytes");
  }
  in_pos_ = 0;
  in_end_ = got;
  file_pos_ += got;
  return Status::Ok();
}

Status CompressedReader::DecodeBlock() {
  block_start_ += block_size_;
  block_size_ = 0;
  for (;;) {
    if (in_pos_ == in_end_) {
      if (file_pos_ >= data_length_) {
        return Status::Corruption("upload " + id_ + ": compressed data ends at byte " +
                                  std::to_string(block_start_) + " of " + std::to_string(size_));
      }
      if (Status filled = FillInput(); !filled.ok()) return filled;
    }
    ZSTD_inBuffer in{in_.get(), in_end_, in_pos_};
    ZSTD_outBuffer out{block_.get(), block_capacity_, 0};
    size_t rc = ZSTD_decompressStream(dctx_.get(), &out, &in);
    in_pos_ = in.pos;
    if (ZSTD_isError(rc)) {
      return Status::Corruption("upload " + id_ + ": zstd data does not decode near byte " +
                                std::to_string(block_start_) + ": " + ZSTD_getErrorName(rc));
    }
    block_size_ = out.pos;
    if (block_size_ > 0) return Status::Ok();
  }
}

Status CompressedReader::Read(uint64_t offset, std::span<char> out, size_t* read) {
  *read = 0;
  if (offset >= size_ || out.empty()) return Status::Ok();
  if (!dctx_) {
    if (Status made = Init(); !made.ok()) return made;
    if (Status sought = Seek(offset); !sought.ok()) return sought;
  } else if (offset < block_start_) {
    if (Status sought = Seek(offset); !sought.ok()) return sought;
  } else if (offset > block_start_ + block_size_ + kLookupDistance) {
    FrameSpan span;
    if (Status found = FindFrame(*state_, id_, offset, data_length_, &span); !found.ok()) {
      return found;
    }
    // Decoding on through the current frame is cheaper than restarting it.
    if (span.start.offset > block_start_ + block_size_) {
      if (Status sought = Seek(offset); !sought.ok()) return sought;
    }
  }
  const size_t want = static_cast<size_t>(std::min<uint64_t>(out.size(), size_ - offset));
  while (*read < want) {
    const uint64_t at = offset + *read;
    if (at >= block_start_ + block_size_) {
      if (Status decoded = DecodeBlock(); !decoded.ok()) return *read > 0 ? Status::Ok() : decoded;
      continue;
    }
    size_t n =
        static_cast<size_t>(std::min<uint64_t>(want - *read, block_start_ + block_size_ - at));
    std::memcpy(out.data() + *read, block_.get() + (at - block_start_), n);
    *read += n;
  }
  return Status::Ok();
}

}  // namespace tuskd::store
