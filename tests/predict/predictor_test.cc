#include "predict/predictor.h"

#include <gtest/gtest.h>

#include <string>

namespace tuskd::predict {
namespace {

TEST(MakePredictorTest, AcceptsTheThreeKinds) {
  std::string error;
  auto builtin = MakePredictor("builtin:content-info", {}, &error);
  ASSERT_NE(builtin, nullptr) << error;
  EXPECT_EQ(builtin->name(), "builtin:content-info");
  auto exec = MakePredictor("exec:/bin/sh", {}, &error);
  ASSERT_NE(exec, nullptr) << error;
  EXPECT_EQ(exec->name(), "exec:/bin/sh");
  auto http = MakePredictor("http://127.0.0.1:9/predict", {}, &error);
  ASSERT_NE(http, nullptr) << error;
  EXPECT_EQ(http->name(), "http://127.0.0.1:9/predict");
  EXPECT_NE(MakePredictor("https://predictor.internal/v1", {}, &error), nullptr) << error;
}

TEST(MakePredictorTest, RefusesEverythingElseWithAReason) {
  const char* bad[] = {"",
                       "builtin:",
                       "builtin:content-info ",
                       "builtin:magic",
                       "exec:",
                       "exec:relative/tool",
                       "exec:/nonexistent/tuskd-predictor",
                       "exec:/tmp",         // a directory
                       "exec:/etc/passwd",  // not executable
                       "http://",
                       "http://:8080/no-host",
                       "ftp://example.com/",
                       "file:///etc/passwd",
                       "HTTP://example.com/"};
  for (const char* spec : bad) {
    std::string error;
    EXPECT_EQ(MakePredictor(spec, {}, &error), nullptr) << spec;
    EXPECT_FALSE(error.empty()) << spec;
  }
}

}  // namespace
}  // namespace tuskd::predict
