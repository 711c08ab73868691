#include "predict/peeking_reader.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <string_view>

#include "predict/byte_source.h"
#include "tests/predict/predictor_test_util.h"

namespace tuskd::predict {
namespace {

using predictor_testing::FailingByteSource;

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

}  // namespace
}  // namespace tuskd::predict
