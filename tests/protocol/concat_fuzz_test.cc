// Fuzzing the concatenation parsers: Upload-Concat and the part URLs of a final upload. See
// parser_fuzz.h.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <string_view>
#include <variant>

#include "protocol/concat_rules.h"
#include "protocol/header_parsers.h"
#include "protocol/request_head.h"
#include "tests/protocol/parser_fuzz.h"

namespace tuskd::protocol {
namespace {

using testing::ForInputs;
using testing::FuzzInputs;
using testing::HasControlByte;
using testing::Seeds;
using tuskd::testing::Printable;

// ---- Upload-Concat ----

TEST(ParserFuzzTest, ParsedUploadConcatKeepsItsContract) {
  FuzzInputs inputs(0x7ec0007);
  const Seeds seeds = {"partial", "final;/files/a http://tus.io/files/b  /files/c ", "final;abc",
                       "final;/files/a\r\nX-Evil: 1", "final; a  b   c"};
  ForInputs(
      6000, [&] { return inputs.Next(seeds); },
      [](const std::string& text) {
        auto parsed = ParseUploadConcat(text);
        if (const auto* failure = std::get_if<Failure>(&parsed)) {
          ASSERT_EQ(failure->code, ErrorCode::kInvalidConcat);
          return;
        }
        const UploadConcat& concat = std::get<UploadConcat>(parsed);
        if (concat.partial) {
          ASSERT_EQ(text, "partial");
          ASSERT_TRUE(concat.part_urls.empty());
          return;
        }
        ASSERT_EQ(text.rfind("final;", 0), 0u);
        ASSERT_FALSE(concat.part_urls.empty());
        // The URLs are the space-separated words after "final;", in order, none lost or made up.
        std::string joined;
        for (const std::string& url : concat.part_urls) {
          ASSERT_FALSE(url.empty());
          ASSERT_EQ(url.find(' '), std::string::npos);
          ASSERT_FALSE(HasControlByte(url)) << Printable(url);
          joined += url;
        }
        std::string words = text.substr(6);
        words.erase(std::remove(words.begin(), words.end(), ' '), words.end());
        ASSERT_EQ(joined, words);
      });
}

// ---- Part URLs of a final upload ----

TEST(ParserFuzzTest, PartUrlsYieldOnlySingleSegmentIds) {
  constexpr std::string_view kBase = "/files/";
  constexpr std::string_view kOrigin = "http://127.0.0.1:1080";
  FuzzInputs inputs(0x7ec000f);
  const Seeds seeds = {"http://127.0.0.1:1080/files/abc",
                       "HTTP://127.0.0.1:1080/files/abc",
                       "/files/abc",
                       "abc",
                       "http://127.0.0.1:1081/files/abc",
                       "/files/abc/prediction",
                       "/files/abc?x=1",
                       "../files/abc",
                       "http://127.0.0.1:1080",
                       "/files/"};
  ForInputs(
      6000, [&] { return inputs.Next(seeds); },
      [&](const std::string& url) {
        auto got = PartIdFromUrl(url, kBase, kOrigin);
        if (const auto* failure = std::get_if<Failure>(&got)) {
          ASSERT_EQ(failure->code, ErrorCode::kInvalidConcat);
          ASSERT_NE(failure->detail.find(url), std::string::npos) << "the message names the URL";
          return;
        }
        const std::string& id = std::get<std::string>(got);
        ASSERT_FALSE(id.empty());
        ASSERT_EQ(id.find_first_of("/?#"), std::string::npos) << Printable(id);
        // The URL is the id itself, the id under the base path, or that path on this origin.
        std::string path = std::string(kBase) + id;
        bool named = url == id || url == path ||
                     (url.size() == kOrigin.size() + path.size() &&
                      EqualsIgnoreCase(url.substr(0, kOrigin.size()), kOrigin) &&
                      url.substr(kOrigin.size()) == path);
        ASSERT_TRUE(named) << "id " << Printable(id);
      });
}

}  // namespace
}  // namespace tuskd::protocol
