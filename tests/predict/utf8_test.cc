#include "predict/utf8.h"

#include <gtest/gtest.h>

#include <string>

namespace tuskd::predict {
namespace {

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

}  // namespace
}  // namespace tuskd::predict
