#include "predict/prediction.h"

#include <gtest/gtest.h>

#include <string>

#include "tests/predict/predictor_test_util.h"

namespace tuskd::predict {
namespace {

using predictor_testing::InputOver;

TEST(PredictionInputTest, DescribeHasIdHashSizeAndMetadata) {
  PredictionInput input = InputOver("abc");
  input.metadata.emplace_back("filename", "take2.wav");  // a later duplicate wins
  nlohmann::json d = input.Describe();
  EXPECT_EQ(d["id"], "0123456789abcdef0123456789abcdef");
  EXPECT_EQ(d["sha256"], std::string(64, 'a'));
  EXPECT_EQ(d["size"], 3);
  EXPECT_EQ(d["metadata"], (nlohmann::json{{"filename", "take2.wav"}, {"filetype", "audio/wav"}}));
}

TEST(PredictionInputTest, DescribeSurvivesInvalidUtf8InMetadata) {
  PredictionInput input = InputOver("");
  input.metadata = {{"name\xFF", "caf\xE9"}, {"empty", ""}};
  nlohmann::json d = input.Describe();
  std::string dumped;
  ASSERT_NO_THROW(dumped = d.dump());
  EXPECT_EQ(d["metadata"]["name\xEF\xBF\xBD"], "caf\xEF\xBF\xBD");
  EXPECT_EQ(d["metadata"]["empty"], "");
}

}  // namespace
}  // namespace tuskd::predict
