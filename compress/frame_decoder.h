// FrameDecoder: streaming decode of a run of whole zstd frames fed in pieces of any size, as
// the raw copy of a concatenation and `tuskctl verify` read them, handing every decoded byte to
// a sink (usually a hash). Fixed memory: one decoder with the encoder's window cap and one
// output block. Not thread-safe.
#pragma once

#include <functional>
#include <memory>
#include <span>

#include "base/status.h"

struct ZSTD_DCtx_s;

namespace tuskd::compress {

class FrameDecoder {
 public:
  using Sink = std::function<void(std::span<const char>)>;

  FrameDecoder();
  ~FrameDecoder();
  FrameDecoder(const FrameDecoder&) = delete;
  FrameDecoder& operator=(const FrameDecoder&) = delete;

  // Decodes all of `raw`, calling `sink` with each decoded block; Corruption when the bytes are
  // not zstd, IOError when no decoder could be allocated.
  Status Feed(std::span<const char> raw, const Sink& sink);

  // Whether everything fed so far ends on a frame boundary (committed data always does).
  bool at_frame_end() const { return at_frame_end_; }

 private:
  struct DCtxFree {
    void operator()(ZSTD_DCtx_s* dctx) const;
  };
  std::unique_ptr<ZSTD_DCtx_s, DCtxFree> dctx_;
  std::unique_ptr<char[]> out_;
  bool at_frame_end_ = true;
};

}  // namespace tuskd::compress
