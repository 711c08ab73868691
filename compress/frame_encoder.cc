#include "compress/frame_encoder.h"

// For ZSTD_getCParams (the level's default window), exported by libzstd 1.5's shared library.
#define ZSTD_STATIC_LINKING_ONLY
#include <zstd.h>

#include <algorithm>
#include <string>

namespace tuskd::compress {
namespace {

Status ZstdError(const char* what, size_t code) {
  return Status::IOError(std::string("zstd ") + what + ": " + ZSTD_getErrorName(code));
}

}  // namespace

void FrameEncoder::CCtxFree::operator()(ZSTD_CCtx_s* cctx) const { ZSTD_freeCCtx(cctx); }

FrameEncoder::FrameEncoder(int level)
    : level_(std::clamp(level, ZSTD_minCLevel(), ZSTD_maxCLevel())) {}

FrameEncoder::~FrameEncoder() = default;

Status FrameEncoder::Init() {
  cctx_.reset(ZSTD_createCCtx());
  if (!cctx_) return Status::IOError("zstd: cannot allocate a compression context");
  // The level's own window, capped: past 2 MiB a window buys little on frames of a few MiB and
  // costs memory in every encoder and in every reader.
  const unsigned level_window = ZSTD_getCParams(level_, 0, 0).windowLog;  // 10..31
  const int window_log = std::min(static_cast<int>(level_window), kMaxWindowLog);
  for (auto [param, value] :
       {std::pair{ZSTD_c_compressionLevel, level_}, std::pair{ZSTD_c_windowLog, window_log},
        std::pair{ZSTD_c_checksumFlag, 1}}) {
    if (size_t rc = ZSTD_CCtx_setParameter(cctx_.get(), param, value); ZSTD_isError(rc)) {
      cctx_.reset();
      return ZstdError("setParameter", rc);
    }
  }
  out_capacity_ = ZSTD_CStreamOutSize();
  out_.reset(new char[out_capacity_]);
  out_used_ = 0;
  return Status::Ok();
}

Status FrameEncoder::Flush(ByteSink* sink) {
  if (out_used_ == 0) return Status::Ok();
  Status written = sink->Append({out_.get(), out_used_});
  out_used_ =
      0;  // on failure the caller cuts the file and resets; the bytes are dropped either way
  return written;
}

Status FrameEncoder::Write(std::span<const char> bytes, ByteSink* sink) {
  if (!cctx_) {
    if (Status made = Init(); !made.ok()) return made;
  }
  frame_open_ = true;
  ZSTD_inBuffer in{bytes.data(), bytes.size(), 0};
  while (in.pos < in.size) {
    ZSTD_outBuffer out{out_.get(), out_capacity_, out_used_};
    size_t rc = ZSTD_compressStream2(cctx_.get(), &out, &in, ZSTD_e_continue);
    out_used_ = out.pos;
    if (ZSTD_isError(rc)) return ZstdError("compressStream2", rc);
    if (out_used_ == out_capacity_) {
      if (Status flushed = Flush(sink); !flushed.ok()) return flushed;
    }
  }
  frame_bytes_ += bytes.size();
  return Status::Ok();
}

Status FrameEncoder::EndFrame(ByteSink* sink) {
  if (!frame_open_) return Status::Ok();
  ZSTD_inBuffer in{nullptr, 0, 0};
  for (;;) {
    ZSTD_outBuffer out{out_.get(), out_capacity_, out_used_};
    size_t left = ZSTD_compressStream2(cctx_.get(), &out, &in, ZSTD_e_end);
    out_used_ = out.pos;
    if (ZSTD_isError(left)) return ZstdError("end of frame", left);
    if (Status flushed = Flush(sink); !flushed.ok()) return flushed;
    if (left == 0) break;
  }
  frame_open_ = false;
  frame_bytes_ = 0;
  return Status::Ok();
}

void FrameEncoder::Reset() {
  if (cctx_) ZSTD_CCtx_reset(cctx_.get(), ZSTD_reset_session_only);
  out_used_ = 0;
  frame_open_ = false;
  frame_bytes_ = 0;
}

}  // namespace tuskd::compress
