#include "compress/frame_decoder.h"

#include <zstd.h>

#include "compress/frame_encoder.h"

namespace tuskd::compress {

void FrameDecoder::DCtxFree::operator()(ZSTD_DCtx_s* dctx) const { ZSTD_freeDCtx(dctx); }

FrameDecoder::FrameDecoder() : dctx_(ZSTD_createDCtx()), out_(new char[ZSTD_DStreamOutSize()]) {
  if (dctx_) ZSTD_DCtx_setParameter(dctx_.get(), ZSTD_d_windowLogMax, kMaxWindowLog);
}

FrameDecoder::~FrameDecoder() = default;

Status FrameDecoder::Feed(std::span<const char> raw, const Sink& sink) {
  if (!dctx_) return Status::IOError("zstd: cannot allocate a decoder");
  ZSTD_inBuffer in{raw.data(), raw.size(), 0};
  // Until the input is used up and the decoder holds no output back: a full output block may
  // mean more is waiting, so one more call is made then.
  for (;;) {
    const size_t in_before = in.pos;
    ZSTD_outBuffer out{out_.get(), ZSTD_DStreamOutSize(), 0};
    const size_t hint = ZSTD_decompressStream(dctx_.get(), &out, &in);
    if (ZSTD_isError(hint)) return Status::Corruption(ZSTD_getErrorName(hint));
    if (out.pos > 0) sink({out_.get(), out.pos});
    // That extra call, when a frame's last block exactly filled the output, moves nothing and
    // answers the next frame's header size: it says nothing about where the input ends.
    if (out.pos > 0 || in.pos > in_before) at_frame_end_ = hint == 0;
    if (in.pos == in.size && out.pos < out.size) return Status::Ok();
  }
}

}  // namespace tuskd::compress
