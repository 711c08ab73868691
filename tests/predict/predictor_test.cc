#include "predict/predictor.h"

#include <gtest/gtest.h>

#include <string>

#include "predict/peeking_reader.h"
#include "tests/predict/predictor_test_util.h"

namespace tuskd::predict {
namespace {

using predictor_testing::FailingByteSource;
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

TEST(Utf8Test, ValidPrefixFollowsRfc3629) {
  struct Case {
    std::string bytes;
    size_t valid;
  } cases[] = {
      {"", 0},
      {"plain ascii", 11},
      {"h\xC3\xA9llo", 6},          // é
      {"\xE2\x82\xAC", 3},          // €
      {"\xF0\x9F\x8E\xB5", 4},      // 🎵
      {"\xC0\x80", 0},              // overlong NUL
      {"\xE0\x80\xAF", 0},          // overlong '/'
      {"\xED\xA0\x80", 0},          // surrogate U+D800
      {"\xF4\x90\x80\x80", 0},      // above U+10FFFF
      {"ab\xC3", 2},                // cut short
      {"ab\x80", 2},                // lone continuation byte
      {std::string("a\0b", 3), 3},  // NUL is valid UTF-8
  };
  for (const Case& c : cases) EXPECT_EQ(ValidUtf8Prefix(c.bytes), c.valid) << c.bytes;
  EXPECT_EQ(ToValidUtf8("a\xFF"
                        "b\xC3"),
            "a\xEF\xBF\xBD"
            "b\xEF\xBF\xBD");
  EXPECT_EQ(ToValidUtf8("h\xC3\xA9"), "h\xC3\xA9");
}

TEST(MemoryByteSourceTest, ServesChunksThenEnd) {
  MemoryByteSource source("abcdefg", 3);
  char buffer[8];
  size_t n = 0;
  std::string error;
  std::string got;
  while (source.Read(buffer, &n, &error) && n > 0) {
    EXPECT_LE(n, 3u);
    got.append(buffer, n);
  }
  EXPECT_EQ(got, "abcdefg");
  EXPECT_EQ(n, 0u);
}

TEST(PeekingReaderTest, PeeksAcrossReadsAndCompacts) {
  std::string bytes;
  for (int i = 0; i < 1000; ++i) bytes += static_cast<char>('a' + i % 26);
  MemoryByteSource source(bytes, 7);  // every peek straddles several reads
  PeekingReader reader(&source, 64);
  size_t pos = 0;
  while (pos < bytes.size()) {
    std::string_view view = reader.Peek(40);
    ASSERT_GE(view.size(), std::min<size_t>(40, bytes.size() - pos));
    ASSERT_EQ(view.substr(0, 10), std::string_view(bytes).substr(pos, 10).substr(0, view.size()));
    reader.Consume(std::min<size_t>(13, view.size()));
    pos += std::min<size_t>(13, view.size());
    ASSERT_EQ(reader.position(), pos);
  }
  EXPECT_TRUE(reader.Peek(1).empty());
  EXPECT_FALSE(reader.failed());
}

TEST(PeekingReaderTest, PeekIsCappedByCapacityAndSkipCountsWhatWasThere) {
  std::string bytes(500, 'x');
  MemoryByteSource source(bytes);
  PeekingReader reader(&source, 64);
  EXPECT_EQ(reader.Peek(1000).size(), 64u);
  EXPECT_EQ(reader.Skip(450), 450u);
  EXPECT_EQ(reader.Skip(450), 50u);
  EXPECT_EQ(reader.position(), 500u);
}

TEST(PeekingReaderTest, SourceFailureLooksLikeEndAndIsReported) {
  FailingByteSource source("abc");
  PeekingReader reader(&source, 64);
  EXPECT_EQ(reader.Peek(10), "abc");
  EXPECT_TRUE(reader.failed());
  EXPECT_EQ(reader.error(), "disk on fire");
}

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
