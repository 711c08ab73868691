// Fuzzing the HTTP field parsers and formatters tus shares with plain HTTP: Range, HTTP dates,
// media types and sf-booleans. See parser_fuzz.h.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "protocol/header_parsers.h"
#include "protocol/ietf/fields.h"
#include "protocol/request_head.h"
#include "tests/protocol/parser_fuzz.h"
#include "tests/protocol/protocol_test_util.h"

namespace tuskd::protocol {
namespace {

using testing::ForInputs;
using testing::FuzzInputs;
using testing::IsDigit;
using testing::Seeds;
using testing::TrimSpaces;

// ---- Range ----

// A resource size that is small (where ranges are often unsatisfiable) or at a numeric edge.
uint64_t SomeSize(FuzzInputs& inputs) {
  switch (inputs.Below(5)) {
    case 0:
      return inputs.Below(3);
    case 1:
      return inputs.Below(2000);
    case 2:
      return static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) - inputs.Below(2);
    case 3:
      return std::numeric_limits<uint64_t>::max();
    default:
      return inputs.Any();
  }
}

void CheckRange(std::string_view text, uint64_t size) {
  auto parsed = ParseRange(text, size);
  if (const auto* range = std::get_if<ByteRange>(&parsed)) {
    ASSERT_LE(range->first, range->last);
    ASSERT_LT(range->last, size);
  } else if (const auto* failure = std::get_if<Failure>(&parsed)) {
    ASSERT_EQ(failure->code, ErrorCode::kRangeNotSatisfiable);
    ASSERT_EQ(testing::Find(failure->headers, "Content-Range"), "bytes */" + std::to_string(size));
  }
}

TEST(ParserFuzzTest, ParsedRangesLieInsideTheResource) {
  FuzzInputs inputs(0x7ec0008);
  const Seeds seeds = {"bytes=0-99",
                       "bytes=500-",
                       "bytes=-100",
                       "Bytes=1-2",
                       " bytes= 1-2 ",
                       "bytes=0-1,2-3",
                       "bytes=-0",
                       "bytes=9223372036854775806-9223372036854775807",
                       "bytes=99999999999999999999-"};
  uint64_t size = 0;
  ForInputs(
      6000,
      [&] {
        size = SomeSize(inputs);
        return inputs.Next(seeds);
      },
      [&](const std::string& text) {
        ASSERT_NO_FATAL_FAILURE(CheckRange(text, size)) << "size " << size;
      });
}

// RFC 9110 section 14.1.2, read on its own, for the three well-formed shapes of a single range.
std::variant<std::monostate, ByteRange, Failure> ReferenceRange(std::optional<uint64_t> first,
                                                                std::optional<uint64_t> last,
                                                                uint64_t size) {
  if (!first) {  // suffix: the last `*last` bytes
    if (*last == 0 || size == 0) return Failure{ErrorCode::kRangeNotSatisfiable, {}, {}};
    return ByteRange{*last >= size ? 0 : size - *last, size - 1};
  }
  if (last && *last < *first) return std::monostate{};  // invalid: the field is ignored
  if (*first >= size) return Failure{ErrorCode::kRangeNotSatisfiable, {}, {}};
  return ByteRange{*first, last && *last < size ? *last : size - 1};
}

TEST(ParserFuzzTest, WellFormedRangesFollowRfc9110) {
  FuzzInputs inputs(0x7ec0009);
  for (int i = 0; i < 4000; ++i) {
    uint64_t size = inputs.OneIn(8) ? SomeSize(inputs) : inputs.Below(50);
    // Bounds around the size, where the answer changes.
    auto bound = [&]() -> uint64_t {
      return inputs.OneIn(8) ? inputs.Any() >> 1
                             : inputs.Below(std::min<uint64_t>(size, 100) * 2 + 3);
    };
    std::optional<uint64_t> first, last;
    switch (inputs.Below(3)) {
      case 0:
        first = bound(), last = bound();
        break;
      case 1:
        first = bound();
        break;
      default:
        last = bound();
        break;
    }
    std::string text = "bytes=" + (first ? std::to_string(*first) : "") + "-" +
                       (last ? std::to_string(*last) : "");
    SCOPED_TRACE(text + " of " + std::to_string(size));
    auto parsed = ParseRange(text, size);
    auto expected = ReferenceRange(first, last, size);
    ASSERT_EQ(parsed.index(), expected.index());
    if (const auto* range = std::get_if<ByteRange>(&parsed)) {
      ASSERT_EQ(range->first, std::get<ByteRange>(expected).first);
      ASSERT_EQ(range->last, std::get<ByteRange>(expected).last);
    }
  }
}

// ---- HTTP dates ----

TEST(ParserFuzzTest, HttpDatesAreImfFixdateOrEmpty) {
  FuzzInputs inputs(0x7ec000a);
  constexpr int64_t kYear10000 = 253402300800;
  for (int i = 0; i < 3000; ++i) {
    int64_t seconds = inputs.OneIn(2)
                          ? static_cast<int64_t>(inputs.Any())
                          : static_cast<int64_t>(inputs.Below(2 * kYear10000)) - kYear10000 / 2;
    std::string date = FormatHttpDate(seconds);
    if (date.empty()) continue;
    // "Sun, 06 Nov 1994 08:49:37 GMT"
    ASSERT_EQ(date.size(), 29u) << seconds << " -> " << date;
    ASSERT_EQ(date.substr(3, 2), ", ") << date;
    ASSERT_EQ(date.substr(25), " GMT") << date;
    ASSERT_TRUE(std::all_of(date.begin() + 12, date.begin() + 16, IsDigit)) << date;
  }
}

// ---- Media types and sf-booleans ----

TEST(ParserFuzzTest, MediaTypesAndBooleansAgreeWithAReference) {
  FuzzInputs inputs(0x7ec000b);
  const Seeds seeds = {"application/offset+octet-stream",
                       "Application/Offset+Octet-Stream; x=y",
                       "application/partial-upload",
                       " application/partial-upload ;a",
                       "?1",
                       " ?0 ",
                       "\t?1",
                       "?1;a"};
  ForInputs(
      6000, [&] { return inputs.Next(seeds); },
      [](const std::string& text) {
        std::string_view media = TrimSpaces(std::string_view(text).substr(0, text.find(';')));
        ASSERT_EQ(IsOffsetContentType(text),
                  EqualsIgnoreCase(media, "application/offset+octet-stream"));
        ASSERT_EQ(IsPartialUploadType(text), EqualsIgnoreCase(media, "application/partial-upload"));
        std::string_view flag = TrimSpaces(text);
        std::optional<bool> expected;
        if (flag == "?1" || flag == "?0") expected = flag == "?1";
        ASSERT_EQ(ParseStructuredBoolean(text), expected);
      });
}

}  // namespace
}  // namespace tuskd::protocol
