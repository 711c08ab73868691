// ParseDuration and ParseByteSize: the text forms of durations and sizes in flags.
#include "base/quantity.h"

#include <gtest/gtest.h>

namespace tuskd {
namespace {

using std::chrono::seconds;

// ---- ParseDuration ----

TEST(ParseDurationTest, AcceptsPlainSecondsAndUnits) {
  EXPECT_EQ(ParseDuration("0"), seconds(0));
  EXPECT_EQ(ParseDuration("90"), seconds(90));
  EXPECT_EQ(ParseDuration("90s"), seconds(90));
  EXPECT_EQ(ParseDuration("15m"), seconds(15 * 60));
  EXPECT_EQ(ParseDuration("24h"), seconds(24 * 3600));
  EXPECT_EQ(ParseDuration("7d"), seconds(7 * 86400));
  EXPECT_EQ(ParseDuration("2S"), seconds(2));  // units are case-insensitive
}

TEST(ParseDurationTest, RejectsMalformedText) {
  for (const char* text : {"", "s", "-1", "+1", " 1", "1 ", "1.5s", "1ms", "1x", "10ss", "1e3",
                           "99999999999999999999999"}) {
    EXPECT_EQ(ParseDuration(text), std::nullopt) << "'" << text << "'";
  }
}

TEST(ParseDurationTest, RejectsUnitOverflow) {
  EXPECT_EQ(ParseDuration("999999999999999999d"), std::nullopt);
}

// std::chrono::seconds is signed 64-bit: an accepted duration must come out positive.
TEST(ParseDurationTest, NeverReturnsANegativeDuration) {
  for (const char* text : {"18446744073709551615", "9223372036854775808", "106751991167301d"}) {
    auto value = ParseDuration(text);
    if (value) {
      EXPECT_GE(value->count(), 0) << "'" << text << "' parsed as " << value->count();
    }
  }
}

// ---- ParseByteSize ----

TEST(ParseByteSizeTest, AcceptsBytesAndBinarySuffixes) {
  EXPECT_EQ(ParseByteSize("0"), 0u);
  EXPECT_EQ(ParseByteSize("1048576"), 1048576u);
  EXPECT_EQ(ParseByteSize("512K"), 512u << 10);
  EXPECT_EQ(ParseByteSize("512k"), 512u << 10);
  EXPECT_EQ(ParseByteSize("64M"), 64ull << 20);
  EXPECT_EQ(ParseByteSize("2G"), 2ull << 30);
  EXPECT_EQ(ParseByteSize("1T"), 1ull << 40);
}

TEST(ParseByteSizeTest, RejectsMalformedTextAndOverflow) {
  for (const char* text :
       {"", "K", "-1", "1.5M", "1KB", "1 K", "1P", "abc", "99999999999999999999999", "16777216T"}) {
    EXPECT_EQ(ParseByteSize(text), std::nullopt) << "'" << text << "'";
  }
}

}  // namespace
}  // namespace tuskd
