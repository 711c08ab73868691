// builtin:content-info, the default predictor: needs nothing external. It reports the type
// detected from magic bytes, the size and SHA-256, and for WAV and FLAC an "audio" object with
// format, duration and peak/RMS levels (wav_analysis.h, flac_analysis.h). It reads at most the
// first 64 KiB of other files and streams audio through one fixed 64 KiB buffer.
// Stateless: Predict() is safe to call from any number of threads.
#pragma once

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

}  // namespace tuskd::predict
