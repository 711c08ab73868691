#include "predict/prediction.h"

#include "predict/utf8.h"

namespace tuskd::predict {

nlohmann::json PredictionInput::Describe() const {
  nlohmann::json metadata_json = nlohmann::json::object();
  for (const auto& [key, value] : metadata) {
    metadata_json[ToValidUtf8(key)] = ToValidUtf8(value);
  }
  return {{"id", ToValidUtf8(upload_id)},
          {"sha256", ToValidUtf8(sha256_hex)},
          {"size", size},
          {"metadata", std::move(metadata_json)}};
}

PredictionOutcome PredictionOutcome::Success(nlohmann::json result) {
  return PredictionOutcome{true, std::move(result), "", false};
}

PredictionOutcome PredictionOutcome::Failure(std::string error, bool retryable) {
  return PredictionOutcome{false, nullptr, std::move(error), retryable};
}

}  // namespace tuskd::predict
