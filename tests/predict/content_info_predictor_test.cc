#include "predict/content_info_predictor.h"

#include <gtest/gtest.h>

#include <memory>

#include "tests/predict/predictor_test_util.h"

namespace tuskd::predict {
namespace {

using predictor_testing::InputOver;

TEST(ContentInfoPredictorTest, NullOpenerIsARetryableError) {
  PredictionInput input = InputOver("x");
  input.open = [] { return std::unique_ptr<ByteSource>(); };
  ContentInfoPredictor predictor;
  PredictionOutcome outcome = predictor.Predict(input);
  EXPECT_FALSE(outcome.ok);
  EXPECT_TRUE(outcome.retryable);
}

}  // namespace
}  // namespace tuskd::predict
