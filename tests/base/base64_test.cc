// The base64 codec: RFC 4648 vectors, every padding length, and the strictness the protocol
// parsers rely on (no whitespace, '=' only at the end).
#include "base/base64.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

namespace tuskd {
namespace {

struct Base64Case {
  std::string_view bytes;
  std::string_view text;
};

class Base64VectorTest : public ::testing::TestWithParam<Base64Case> {};

// RFC 4648 section 10 test vectors.
TEST_P(Base64VectorTest, EncodesAndDecodes) {
  EXPECT_EQ(EncodeBase64(GetParam().bytes), GetParam().text);
  EXPECT_EQ(DecodeBase64(GetParam().text), std::string(GetParam().bytes));
}

INSTANTIATE_TEST_SUITE_P(
    Rfc4648, Base64VectorTest,
    ::testing::Values(Base64Case{"", ""}, Base64Case{"f", "Zg=="}, Base64Case{"fo", "Zm8="},
                      Base64Case{"foo", "Zm9v"}, Base64Case{"foob", "Zm9vYg=="},
                      Base64Case{"fooba", "Zm9vYmE="}, Base64Case{"foobar", "Zm9vYmFy"},
                      Base64Case{"\xff\xfe\xfd", "//79"}, Base64Case{"\xfb\xef", "++8="}));

class Base64RejectTest : public ::testing::TestWithParam<std::string_view> {};

TEST_P(Base64RejectTest, Rejects) { EXPECT_EQ(DecodeBase64(GetParam()), std::nullopt); }

INSTANTIATE_TEST_SUITE_P(Invalid, Base64RejectTest,
                         ::testing::Values("Zg", "Zg=", "Zm8", "Zm9vY", "Z", "=",
                                           "====", "Z===", "Zg==Zg==", "Z=g=", "Zm=v", "Zm9v ",
                                           " Zm9v", "Zm9\nv", "Zm9-", "Zm9_", "Zg==="));

TEST(Base64Test, RoundTripsEveryByteAtEveryPaddingLength) {
  std::string bytes;
  for (int i = 0; i < 256; ++i) bytes.push_back(static_cast<char>(i));
  for (size_t length = 0; length <= bytes.size(); ++length) {
    std::string slice = bytes.substr(bytes.size() - length);
    std::string encoded = EncodeBase64(slice);
    EXPECT_EQ(encoded.size() % 4, 0u);
    EXPECT_EQ(DecodeBase64(encoded), slice) << length;
  }
}

}  // namespace
}  // namespace tuskd
