// The hex codec: lower case out, any case in, and refusals.
#include "base/hex.h"

#include <gtest/gtest.h>

#include <string>

namespace tuskd {
namespace {

TEST(HexTest, EncodesLowerCase) {
  EXPECT_EQ(ToHex(std::string_view("")), "");
  EXPECT_EQ(ToHex(std::string_view("\x00\x01\x7f\x80\xab\xff", 6)), "00017f80abff");
}

TEST(HexTest, DecodesEitherCase) {
  EXPECT_EQ(FromHex("00017f80abff"), std::string("\x00\x01\x7f\x80\xab\xff", 6));
  EXPECT_EQ(FromHex("ABff"), std::string("\xab\xff"));
  EXPECT_EQ(FromHex(""), std::string());
}

TEST(HexTest, RefusesOddLengthsAndOtherCharacters) {
  for (const char* text : {"0", "abc", "0g", "g0", " 0", "0x00", "-1"}) {
    EXPECT_EQ(FromHex(text), std::nullopt) << text;
  }
}

TEST(HexTest, RoundTripsEveryByte) {
  std::string bytes;
  for (int i = 0; i < 256; ++i) bytes.push_back(static_cast<char>(i));
  EXPECT_EQ(FromHex(ToHex(bytes)), bytes);
  EXPECT_EQ(HexDigitValue('/'), -1);
  EXPECT_EQ(HexDigitValue(':'), -1);
  EXPECT_EQ(HexDigitValue('F'), 15);
  EXPECT_EQ(HexDigitValue('G'), -1);
}

}  // namespace
}  // namespace tuskd
