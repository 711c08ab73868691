// Where the prediction for a content stands, as the results API (GET /predictions/<sha256>,
// GET <upload>/prediction) and tuskctl report it. Plain values; thread-safe functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace tuskd::store {

// What GET /predictions/<sha256> and GET <upload>/prediction report.
enum class PredictionState { kPending, kRunning, kDone, kFailed };
// "pending", "running", "done", "failed": the spelling of the results API and of stored results.
std::string_view ToString(PredictionState state);
std::optional<PredictionState> PredictionStateFromString(std::string_view text);

struct PredictionStatus {
  PredictionState state = PredictionState::kPending;
  std::string sha256;
  nlohmann::json result;  // null unless done
  std::string error;      // failed, or the last retryable error while pending
  int attempts = 0;
  int64_t updated_at = 0;
};

}  // namespace tuskd::store
