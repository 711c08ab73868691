// Running builtin:content-info in the content-info tests: its result for an input, the "audio"
// object of some bytes, and the levels of the half-scale test sine. Header-only; each call
// makes its own predictor, so tests may call them from any thread.
#pragma once

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "predict/content_info_predictor.h"
#include "tests/predict/predictor_test_util.h"

namespace tuskd::predict::predictor_testing {

inline nlohmann::json Predict(const PredictionInput& input) {
  ContentInfoPredictor predictor;
  PredictionOutcome outcome = predictor.Predict(input);
  EXPECT_TRUE(outcome.ok) << outcome.error;
  return outcome.result;
}

inline nlohmann::json Audio(const std::string& bytes, size_t max_chunk = 0) {
  nlohmann::json result = Predict(InputOver(bytes, max_chunk));
  EXPECT_TRUE(result.contains("audio")) << result.dump();
  return result.value("audio", nlohmann::json());
}

// -6.02 dBFS peak and -9.03 dBFS RMS: a sine at half of full scale. 8-bit samples carry enough
// quantisation noise to move the RMS by 0.02 dB, hence `rms_tolerance`.
inline void ExpectHalfScaleSine(const nlohmann::json& audio, double rms_tolerance = 0.011) {
  EXPECT_NEAR(audio.value("peak_dbfs", 0.0), -6.02, 0.011) << audio.dump();
  EXPECT_NEAR(audio.value("rms_dbfs", 0.0), -9.03, rms_tolerance) << audio.dump();
}

}  // namespace tuskd::predict::predictor_testing
