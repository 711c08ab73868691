// A durable prediction job (the `jobs` family): one per content hash still to predict, what a
// run of it came to, and how failed runs are retried. Plain values; thread-safe functions.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace tuskd::store {

// A queued prediction: the content's hash and the uploads that hold it (any complete one can
// feed the predictor).
struct PredictionJob {
  std::string sha256;
  std::vector<std::string> uploads;
  int attempts = 0;
  int64_t next_attempt_at = 0;
  int64_t created_at = 0;
  std::string last_error;
};

// What running a job came to, as the pipeline records it: a result, or an error that says
// whether a later attempt could succeed. The workers (server/) translate their predictor's
// outcome into this, so store knows nothing of predictors.
struct JobOutcome {
  bool ok = false;
  nlohmann::json result;   // when ok
  std::string error;       // when !ok
  bool retryable = false;  // when !ok

  static JobOutcome Success(nlohmann::json result) { return {true, std::move(result), {}, false}; }
  static JobOutcome Failure(std::string error, bool retryable) {
    return {false, nullptr, std::move(error), retryable};
  }
};

struct RetryPolicy {
  int max_attempts = 5;
  std::chrono::seconds backoff{2};  // doubled after each failed attempt
  std::chrono::seconds max_backoff{300};
};

nlohmann::json JobToJson(const PredictionJob& job);
bool JobFromJson(const nlohmann::json& json, PredictionJob* job);

}  // namespace tuskd::store
