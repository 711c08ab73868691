// builtin:content-info, the default predictor: needs nothing external. It reports the type
// detected from magic bytes, the size and SHA-256, and for WAV and FLAC an "audio" object with
// format, duration and peak/RMS levels (see content_info_audio.h). It reads at most the first
// 64 KiB of other files and streams audio through one fixed 64 KiB buffer.
// Stateless: Predict() is safe to call from any number of threads.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "predict/predictor.h"

namespace tuskd::predict {

class ContentInfoPredictor : public Predictor {
 public:
  static constexpr std::string_view kSpec = "builtin:content-info";

  std::string name() const override { return std::string(kSpec); }
  // ok with {"predictor", "type", "size", "sha256"[, "audio"]} for any bytes, including
  // malformed audio (the "audio" object then carries an "error"). Fails, retryably, only when
  // the byte source fails.
  PredictionOutcome Predict(const PredictionInput& input) override;
};

// How many leading bytes DetectContentType wants (fewer only when the file is shorter).
inline constexpr size_t kSniffBytes = 8192;

// The MIME type of a file whose first bytes are `head`: image/png, image/jpeg, image/gif,
// image/webp, application/pdf, application/zip, application/gzip, application/zstd, audio/wav,
// audio/flac, audio/mpeg (ID3 tag or two consecutive MPEG audio frame headers), audio/ogg,
// video/ogg or application/ogg, video/mp4, audio/mp4, video/quicktime, image/heic,
// image/avif, text/plain (non-empty UTF-8 without NUL or stray control characters), else
// application/octet-stream (also for an empty file).
std::string DetectContentType(std::string_view head);

}  // namespace tuskd::predict
