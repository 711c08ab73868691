#include "store/prediction_status.h"

namespace tuskd::store {

std::string_view ToString(PredictionState state) {
  switch (state) {
    case PredictionState::kPending:
      return "pending";
    case PredictionState::kRunning:
      return "running";
    case PredictionState::kDone:
      return "done";
    case PredictionState::kFailed:
      return "failed";
  }
  return "failed";
}

std::optional<PredictionState> PredictionStateFromString(std::string_view text) {
  if (text == "pending") return PredictionState::kPending;
  if (text == "running") return PredictionState::kRunning;
  if (text == "done") return PredictionState::kDone;
  if (text == "failed") return PredictionState::kFailed;
  return std::nullopt;
}

}  // namespace tuskd::store
