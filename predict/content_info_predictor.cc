#include "predict/content_info_predictor.h"

#include <memory>
#include <utility>

#include "predict/content_type.h"
#include "predict/flac_analysis.h"
#include "predict/peeking_reader.h"
#include "predict/utf8.h"
#include "predict/wav_analysis.h"

namespace tuskd::predict {

PredictionOutcome ContentInfoPredictor::Predict(const PredictionInput& input) {
  std::unique_ptr<ByteSource> source = input.open ? input.open() : nullptr;
  if (source == nullptr) return PredictionOutcome::Failure("cannot open upload bytes", true);
  PeekingReader reader(source.get());
  const std::string type = DetectContentType(reader.Peek(kSniffBytes));
  nlohmann::json result = {{"predictor", kSpec},
                           {"type", type},
                           {"size", input.size},
                           {"sha256", ToValidUtf8(input.sha256_hex)}};
  // The reader is still at byte 0: detection only peeked.
  if (type == "audio/wav") {
    result["audio"] = AnalyzeWav(reader);
  } else if (type == "audio/flac") {
    result["audio"] = AnalyzeFlac(reader);
  }
  if (reader.failed()) {
    return PredictionOutcome::Failure("reading upload bytes: " + reader.error(), true);
  }
  return PredictionOutcome::Success(std::move(result));
}

}  // namespace tuskd::predict
