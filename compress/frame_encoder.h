// FrameEncoder: streaming zstd compression of one upload's bytes into independent frames
// (docs/storage-format.md, "Data files"). Bytes go in through Write, compressed output leaves
// through a fixed buffer into a ByteSink (a data file) whenever the buffer fills, and EndFrame
// closes the frame (ZSTD_e_end) so that the file ends on a frame boundary: the only kind of place a
// commit, a rollback or recovery may cut it. Memory is fixed per encoder (the ZSTD_CCtx with a
// capped window, plus the output buffer), allocated at the first Write and freed with the encoder.
// Not thread-safe; one writer uses it.
#pragma once

#include <cstdint>
#include <memory>
#include <span>

#include "base/byte_sink.h"
#include "base/status.h"

struct ZSTD_CCtx_s;

namespace tuskd::compress {

// Largest zstd window an encoder uses (2 MiB), whatever the level asks for: it bounds the
// encoder's memory and the decoder's (a reader holds one window per open download).
inline constexpr int kMaxWindowLog = 21;

class FrameEncoder {
 public:
  // `level`: a zstd level, clamped to what the library supports.
  explicit FrameEncoder(int level);
  ~FrameEncoder();
  FrameEncoder(const FrameEncoder&) = delete;
  FrameEncoder& operator=(const FrameEncoder&) = delete;

  // Compresses `bytes` into the open frame (opening one if none is), appending compressed
  // output to `sink` as the buffer fills; some output may stay buffered until EndFrame. On
  // failure the frame is in an unknown state: the caller truncates `sink` to a frame boundary
  // and calls Reset(). Allocates only at the first call (IOError when it cannot).
  Status Write(std::span<const char> bytes, ByteSink* sink);
  // Ends the open frame and appends everything still buffered to `sink`; a no-op when no
  // frame is open. On failure, as for Write.
  Status EndFrame(ByteSink* sink);
  // Drops the open frame and any buffered output (after the caller truncated the file).
  void Reset();

  bool frame_open() const { return frame_open_; }
  uint64_t frame_bytes() const { return frame_bytes_; }  // uncompressed bytes in the open frame

 private:
  Status Init();
  Status Flush(ByteSink* sink);

  int level_;
  struct CCtxFree {
    void operator()(ZSTD_CCtx_s* cctx) const;
  };
  std::unique_ptr<ZSTD_CCtx_s, CCtxFree> cctx_;
  std::unique_ptr<char[]> out_;
  size_t out_capacity_ = 0;
  size_t out_used_ = 0;
  bool frame_open_ = false;
  uint64_t frame_bytes_ = 0;
};

}  // namespace tuskd::compress
