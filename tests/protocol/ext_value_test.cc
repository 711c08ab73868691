// RFC 8187 ext-values: charsets, percent-decoding, and what is refused.
#include "protocol/ext_value.h"

#include <gtest/gtest.h>

namespace tuskd::protocol {
namespace {

TEST(ExtValueTest, DecodesUtf8AndLatin1ToUtf8) {
  EXPECT_EQ(DecodeExtValue("UTF-8''%e2%82%ac%20rates.txt"), "\u20ac rates.txt");
  EXPECT_EQ(DecodeExtValue("utf-8'en-GB'na%C3%AFve.wav"), "na\u00efve.wav");
  EXPECT_EQ(DecodeExtValue("ISO-8859-1''%A3%20rates"), "\u00a3 rates");
  EXPECT_EQ(DecodeExtValue("UTF-8''plain-name_1.txt"), "plain-name_1.txt");
  EXPECT_EQ(DecodeExtValue("UTF-8''!#$&+-.^_`|~"), "!#$&+-.^_`|~");
}

TEST(ExtValueTest, RefusesWhatItCannotDecodeExactly) {
  for (const char* text :
       {"", "UTF-8", "UTF-8'a%20b", "KOI8-R''a", "''a", "UTF-8''a b", "UTF-8''a\"b", "UTF-8''%",
        "UTF-8''%4", "UTF-8''%G0", "UTF-8''", "UTF-8''a%0Ab", "UTF-8''%00", "UTF-8''a;b"}) {
    EXPECT_EQ(DecodeExtValue(text), std::nullopt) << text;
  }
}

}  // namespace
}  // namespace tuskd::protocol
