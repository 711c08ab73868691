// Deterministic fuzzing of the pure parsers in protocol/: random bytes (NUL, CR/LF, high bytes,
// long runs) and mutations of the valid header values the other tests use, from fixed seeds with
// bounded counts, so a run is repeatable and takes about a second. A parser must never crash or
// hit undefined behaviour (the sanitizer build runs this file too), and whatever it accepts must
// keep the contract its header states. A failure prints the input that broke it, escaped.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdint>
#include <limits>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "base/base64.h"
#include "protocol/concat_rules.h"
#include "protocol/ext_value.h"
#include "protocol/header_parsers.h"
#include "protocol/ietf/fields.h"
#include "protocol/ietf/representation.h"
#include "protocol/ietf/version.h"
#include "protocol/request_head.h"
#include "tests/common/fuzz_random.h"
#include "tests/common/printable.h"
#include "tests/protocol/ietf/ietf_test_util.h"
#include "tests/protocol/protocol_test_util.h"

namespace tuskd::protocol {
namespace {

using tuskd::testing::Printable;

using namespace std::string_view_literals;

using Seeds = std::vector<std::string>;

// Bytes the grammars under test give meaning to (separators, quotes, percent, digits, hex
// letters), plus controls and the edges of the non-ASCII range. NUL is the last one.
constexpr std::string_view kSpecialBytes = " \t\r\n,;=-+/%'\"?#:.*09afAFZz\x7f\x80\xc3\xff\0"sv;
// The longest run of one byte an input gets: long enough to catch a per-byte loop that
// overflows or goes quadratic, short enough to keep the file fast under AddressSanitizer.
constexpr uint64_t kLongestRun = 8192;

// A seeded source of hostile inputs for the parsers.
class FuzzInputs : public tuskd::testing::FuzzRandom {
 public:
  explicit FuzzInputs(uint64_t seed) : FuzzRandom(seed, kSpecialBytes) {}

  // Mostly short, sometimes hundreds of bytes, now and then with a long run of one byte.
  std::string Bytes() {
    size_t length = OneIn(8) ? Below(512) : Below(24);
    // Separators and controls reach more branches than uniform bytes do; use both.
    bool special = OneIn(2);
    std::string bytes;
    for (size_t i = 0; i < length; ++i) bytes.push_back(special ? SpecialByte() : AnyByte());
    if (OneIn(16)) bytes.insert(Below(bytes.size() + 1), Run());
    return bytes;
  }

  std::string Digits(size_t count) {
    std::string digits;
    for (size_t i = 0; i < count; ++i) digits.push_back(static_cast<char>('0' + Below(10)));
    return digits;
  }

  // `text` after one to four edits; a splice takes its tail from one of `seeds`.
  std::string Mutate(std::string text, const Seeds& seeds) {
    for (uint64_t edits = 1 + Below(4); edits > 0; --edits) Edit(text, seeds);
    return text;
  }

  // Mostly a mutated seed (grammar-aware: it starts out valid), sometimes a seed as it is (so
  // the accepting paths run too), sometimes plain random bytes.
  std::string Next(const Seeds& seeds) {
    if (OneIn(4)) return Bytes();
    const std::string& seed = seeds[Below(seeds.size())];
    return OneIn(8) ? seed : Mutate(seed, seeds);
  }

 private:
  std::string Run() {
    return std::string(1 + Below(kLongestRun), OneIn(2) ? SpecialByte() : AnyByte());
  }

  void Edit(std::string& text, const Seeds& seeds) {
    size_t at = Below(text.size() + 1);  // text.size() means the end
    switch (uint64_t kind = Below(8)) {
      case 0:
      case 1:
      case 2:
      case 3:
        EditByte(text, at, kind, 4);
        break;
      case 4: {  // duplicate a slice somewhere
        size_t from = Below(text.size() + 1);
        text.insert(at, text.substr(from, Below(text.size() - from + 1)));
        break;
      }
      case 5: {  // splice: this head, another seed's tail
        const std::string& other = seeds[Below(seeds.size())];
        text = text.substr(0, at) + other.substr(Below(other.size() + 1));
        break;
      }
      case 6:
        text.resize(at);
        break;
      default:
        text.insert(at, OneIn(4) ? Run() : std::string(1 + Below(3), SpecialByte()));
        break;
    }
  }
};

// Runs `check` on `count` inputs from `next` and stops at the first failure: one bad input is
// enough to debug, and a thousand repeats would bury it.
template <typename Next, typename Check>
void ForInputs(int count, Next next, Check check) {
  for (int i = 0; i < count; ++i) {
    std::string input = next();
    ASSERT_NO_FATAL_FAILURE(check(input)) << "input " << i << ": \"" << Printable(input) << "\"";
  }
}

// Written here rather than taken from protocol/, so the parsers are checked against a second
// reading of their contracts.
bool IsControl(char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; }
bool HasControlByte(std::string_view text) {
  return std::any_of(text.begin(), text.end(), IsControl);
}
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsBase64Char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || IsDigit(c) || c == '+' || c == '/';
}
std::string_view TrimSpaces(std::string_view text) {
  size_t first = text.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(" \t") - first + 1);
}

// ---- ParseUnsigned ----

// What ParseUnsigned must return, computed another way: std::from_chars reads the digits, and
// the limits (at most 19 characters, at most INT64_MAX) are checked on their own.
std::optional<uint64_t> ReferenceUnsigned(std::string_view text) {
  if (text.empty() || text.size() > 19 || !std::all_of(text.begin(), text.end(), IsDigit)) {
    return std::nullopt;
  }
  uint64_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  if (value > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) return std::nullopt;
  return value;
}

TEST(ParserFuzzTest, ParseUnsignedAgreesWithAReference) {
  FuzzInputs inputs(0x7ec0001);
  const Seeds seeds = {"0",
                       "007",
                       "1234567890",
                       "9223372036854775807",
                       "9223372036854775808",
                       "18446744073709551616",
                       "1e3",
                       "-1"};
  // Half the inputs are digit strings around the 19-digit limit, so both answers are common.
  auto next = [&] {
    if (inputs.OneIn(2)) return inputs.Next(seeds);
    std::string digits = inputs.Digits(inputs.Below(23));
    if (inputs.OneIn(3)) digits.insert(0, inputs.Below(3), '0');
    if (inputs.OneIn(8) && !digits.empty()) {
      digits[inputs.Below(digits.size())] = inputs.SpecialByte();
    }
    return digits;
  };
  ForInputs(6000, next, [](const std::string& text) {
    std::optional<uint64_t> parsed = ParseUnsigned(text);
    ASSERT_EQ(parsed, ReferenceUnsigned(text));
    if (parsed) {
      // Accepted text is the decimal form of the value, give or take leading zeros.
      size_t first_nonzero = std::min(text.find_first_not_of('0'), text.size() - 1);
      ASSERT_EQ(std::to_string(*parsed), text.substr(first_nonzero));
    }
  });
}

// ---- Base64 ----

TEST(ParserFuzzTest, Base64RoundTripsAnyBytes) {
  FuzzInputs inputs(0x7ec0002);
  ForInputs(
      4000, [&] { return inputs.Bytes(); },
      [](const std::string& bytes) {
        std::string text = EncodeBase64(bytes);
        ASSERT_EQ(text.size(), (bytes.size() + 2) / 3 * 4);
        size_t padding = text.size() - std::min(text.size(), text.find('='));
        ASSERT_LE(padding, 2u);
        ASSERT_TRUE(std::all_of(text.begin(), text.end() - padding, IsBase64Char));
        ASSERT_TRUE(std::all_of(text.end() - padding, text.end(), [](char c) { return c == '='; }));
        ASSERT_EQ(DecodeBase64(text), bytes);
      });
}

// A text that decodes re-encodes to itself, except that the character before the padding may
// carry low bits the decoder ignores ("Zh==" reads like "Zg=="; RFC 4648 section 3.5 lets a
// decoder accept that). Anything looser would mean the decoder skipped or invented characters.
TEST(ParserFuzzTest, Base64DecodesOnlyWellFormedText) {
  FuzzInputs inputs(0x7ec0003);
  const Seeds seeds = {"",     "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy",
                       "//79", "++8=", "AAEC", "Zh==", "Zm9=",     "Zg==Zg==", "Zm9\nv"};
  ForInputs(
      6000, [&] { return inputs.Next(seeds); },
      [](const std::string& text) {
        std::optional<std::string> bytes = DecodeBase64(text);
        if (!bytes) return;
        std::string again = EncodeBase64(*bytes);
        ASSERT_EQ(again.size(), text.size());
        size_t padding = text.size() - std::min(text.size(), text.find('='));
        ASSERT_EQ(again.substr(again.size() - padding), text.substr(text.size() - padding));
        for (size_t i = 0; i < text.size(); ++i) {
          bool low_bits_only =
              padding > 0 && i == text.size() - padding - 1 && IsBase64Char(text[i]);
          if (!low_bits_only) {
            ASSERT_EQ(again[i], text[i]) << "at " << i;
          }
        }
      });
}

// ---- Upload-Metadata ----

// Whether the parse of `text` holds the same entries as `metadata`.
::testing::AssertionResult ParsesTo(const std::string& text, const Metadata& metadata) {
  auto parsed = ParseMetadata(text);
  if (const auto* failure = std::get_if<Failure>(&parsed)) {
    return ::testing::AssertionFailure()
           << "\"" << Printable(text) << "\" refused: " << failure->detail;
  }
  const Metadata& got = std::get<Metadata>(parsed);
  bool same = got.size() == metadata.size() &&
              std::equal(got.begin(), got.end(), metadata.begin(),
                         [](const MetadataEntry& a, const MetadataEntry& b) {
                           return a.key == b.key && a.value == b.value;
                         });
  if (same) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "\"" << Printable(text) << "\" parses to other entries";
}

void CheckMetadataKeys(const Metadata& metadata) {
  for (size_t i = 0; i < metadata.size(); ++i) {
    const std::string& key = metadata[i].key;
    ASSERT_FALSE(key.empty());
    ASSERT_EQ(key.find_first_of(" ,"), std::string::npos) << Printable(key);
    ASSERT_FALSE(HasControlByte(key)) << Printable(key);
    for (size_t j = 0; j < i; ++j) ASSERT_NE(metadata[j].key, key) << "duplicate key";
  }
}

TEST(ParserFuzzTest, ParsedMetadataSerializesToTheSameEntries) {
  FuzzInputs inputs(0x7ec0004);
  const Seeds seeds = {
      "filename d29ybGRfZG9taW5hdGlvbl9wbGFuLnBkZg==,is_confidential,empty ,  "
      "spaced Zm9v",
      "n\xc3\xa4me AAEC",
      "filetype aW1hZ2UvcG5n,filename aG9saWRheS5wbmc=",
      "a Zg==,b,c Zm8=",
      "",
      "\t"};
  ForInputs(
      6000, [&] { return inputs.Next(seeds); },
      [](const std::string& text) {
        auto parsed = ParseMetadata(text);
        if (const auto* failure = std::get_if<Failure>(&parsed)) {
          ASSERT_EQ(failure->code, ErrorCode::kInvalidMetadata);
          ASSERT_FALSE(failure->detail.empty());
          return;
        }
        const Metadata& metadata = std::get<Metadata>(parsed);
        ASSERT_NO_FATAL_FAILURE(CheckMetadataKeys(metadata));
        ASSERT_TRUE(ParsesTo(SerializeMetadata(metadata), metadata));
      });
}

// The other direction: any entries a client could mean serialize to text that parses back. A
// key holds any byte but space, comma and controls; a value is absent or non-empty ("key " and
// "key" are the same entry on the wire).
TEST(ParserFuzzTest, AnyMetadataSerializesAndParsesBack) {
  FuzzInputs inputs(0x7ec0005);
  for (int i = 0; i < 2000; ++i) {
    Metadata metadata;
    for (uint64_t count = inputs.Below(6); metadata.size() < count;) {
      std::string key;
      for (uint64_t length = 1 + inputs.Below(12); key.size() < length;) {
        char c = inputs.OneIn(2) ? inputs.AnyByte() : static_cast<char>('a' + inputs.Below(26));
        if (c != ' ' && c != ',' && !IsControl(c)) key.push_back(c);
      }
      bool taken = std::any_of(metadata.begin(), metadata.end(),
                               [&](const MetadataEntry& entry) { return entry.key == key; });
      if (taken) continue;
      std::optional<std::string> value;
      if (!inputs.OneIn(4)) value = inputs.Bytes() + inputs.AnyByte();  // never empty
      metadata.push_back({key, value});
    }
    ASSERT_TRUE(ParsesTo(SerializeMetadata(metadata), metadata)) << "round " << i;
  }
}

// ---- Upload-Checksum ----

std::optional<size_t> DigestSize(std::string_view algorithm) {
  if (algorithm == "md5") return 16;
  if (algorithm == "sha1") return 20;
  if (algorithm == "sha224") return 28;
  if (algorithm == "sha256") return 32;
  if (algorithm == "sha384") return 48;
  if (algorithm == "sha512") return 64;
  return std::nullopt;
}

TEST(ParserFuzzTest, ParsedChecksumHeadersKeepTheirContract) {
  FuzzInputs inputs(0x7ec0006);
  const Seeds seeds = {"SHA1 qvTGHdzF6KLavt4PO0gs2a6pQ00=",
                       "crc-32 AAAAAA==",
                       "md5 " + EncodeBase64(std::string(16, 'x')),
                       "sha256 " + EncodeBase64(std::string(32, '\xff')),
                       "sha512 " + EncodeBase64(std::string(64, '\0')),
                       "sha1 !!!!"};
  ForInputs(
      6000, [&] { return inputs.Next(seeds); },
      [](const std::string& text) {
        auto parsed = ParseChecksumHeader(text);
        if (const auto* failure = std::get_if<Failure>(&parsed)) {
          ASSERT_EQ(failure->code, ErrorCode::kInvalidChecksumHeader);
          return;
        }
        const ChecksumHeader& checksum = std::get<ChecksumHeader>(parsed);
        ASSERT_FALSE(checksum.algorithm.empty());
        ASSERT_TRUE(std::all_of(checksum.algorithm.begin(), checksum.algorithm.end(), [](char c) {
          return (c >= 'a' && c <= 'z') || IsDigit(c) || c == '-';
        })) << checksum.algorithm;
        size_t space = text.find(' ');
        ASSERT_TRUE(EqualsIgnoreCase(text.substr(0, space), checksum.algorithm));
        ASSERT_FALSE(checksum.digest.empty());
        ASSERT_EQ(EncodeBase64(checksum.digest).size(), text.size() - space - 1);
        if (auto size = DigestSize(checksum.algorithm)) {
          ASSERT_EQ(checksum.digest.size(), *size);
        }
      });
}

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

// ---- IETF draft fields ----

TEST(ParserFuzzTest, DraftFieldsParseOrFailWithTheirCodes) {
  FuzzInputs inputs(0x7ec000c);
  const Seeds names = {"Upload-Complete", "Upload-Incomplete", "Upload-Draft-Interop-Version"};
  const Seeds values = {"?1", "?0", " ?1 ", "3", "5", "6", "8", "08", "-1"};
  for (int i = 0; i < 3000; ++i) {
    HeaderMap headers;
    std::string shown;
    for (uint64_t fields = inputs.Below(4); fields > 0; --fields) {
      // Names are mostly exact (so the value parsers run), sometimes mutated.
      std::string name = inputs.OneIn(4) ? inputs.Next(names) : names[inputs.Below(names.size())];
      std::string value = inputs.Next(values);
      shown += Printable(name) + ": " + Printable(value) + "; ";
      headers.Add(std::move(name), std::move(value));
    }
    SCOPED_TRACE(shown);
    auto version = ParseInteropVersion(headers);
    if (const auto* failure = std::get_if<Failure>(&version)) {
      ASSERT_TRUE(failure->code == ErrorCode::kUnsupportedInteropVersion ||
                  failure->code == ErrorCode::kDuplicateHeader);
    } else {
      int number = std::get<IetfDraft>(version).interop_version;
      ASSERT_TRUE(number == 3 || number == 5 || number == 6 || number == 8) << number;
    }
    const IetfDraft& draft = testing::Draft(std::array{3, 5, 6, 8}[inputs.Below(4)]);
    std::optional<bool> when_missing;
    if (!inputs.OneIn(3)) when_missing = inputs.OneIn(2);
    auto completes = RequestCompletes(headers, draft, when_missing);
    if (const auto* failure = std::get_if<Failure>(&completes)) {
      ASSERT_TRUE(failure->code == ErrorCode::kInvalidUploadComplete ||
                  failure->code == ErrorCode::kDuplicateHeader);
      continue;
    }
    // Success means one well-formed field, read with the version's polarity, or none.
    std::string_view field = CompletenessField(draft);
    ASSERT_LE(headers.Count(field), 1u);
    if (auto value = headers.Get(field)) {
      std::optional<bool> flag = ParseStructuredBoolean(*value);
      ASSERT_TRUE(flag.has_value());
      ASSERT_EQ(std::get<bool>(completes), *flag != draft.upload_incomplete_field);
    } else {
      ASSERT_EQ(std::get<bool>(completes), when_missing);
    }
  }
}

// ---- RFC 8187 ext-values ----

TEST(ParserFuzzTest, DecodedExtValuesHoldNoControlCharacters) {
  FuzzInputs inputs(0x7ec000d);
  const Seeds seeds = {"UTF-8''%e2%82%ac%20rates.txt", "utf-8'en-GB'na%C3%AFve.wav",
                       "ISO-8859-1''%A3%20rates",      "UTF-8''plain-name_1.txt",
                       "UTF-8''!#$&+-.^_`|~",          "UTF-8''a%0Ab",
                       "iso-8859-1''%85%FF",           "KOI8-R''a"};
  ForInputs(
      6000, [&] { return inputs.Next(seeds); },
      [](const std::string& text) {
        std::optional<std::string> value = DecodeExtValue(text);
        if (!value) return;
        ASSERT_FALSE(value->empty());
        // Controls as protocol/ counts them (below 0x20, DEL): the ones that could end or split a
        // header line. C1 controls (U+0080 to U+009F, e.g. from "iso-8859-1''%85") pass.
        ASSERT_FALSE(HasControlByte(*value)) << Printable(*value);
        std::string charset = text.substr(0, text.find('\''));
        ASSERT_TRUE(EqualsIgnoreCase(charset, "utf-8") || EqualsIgnoreCase(charset, "iso-8859-1"))
            << Printable(charset);
        // Without percent-encoding a UTF-8 value is the value-chars themselves.
        std::string chars = text.substr(text.find('\'', charset.size() + 1) + 1);
        if (EqualsIgnoreCase(charset, "utf-8") && chars.find('%') == std::string::npos) {
          ASSERT_EQ(*value, chars);
        }
      });
}

// ---- Representation metadata (draft creations) ----

TEST(ParserFuzzTest, RepresentationMetadataIsAlwaysValidMetadata) {
  FuzzInputs inputs(0x7ec000e);
  const Seeds types = {"Image/PNG; charset=binary", "application/partial-upload", "text/plain",
                       " ; x=1", "audio/wav;rate=\"44100\""};
  const Seeds dispositions = {
      "attachment; filename=\"holiday \\\"2026\\\".png\"",
      "inline; size=3; FileName=take1.wav",
      "attachment; filename=\"EUR rates.txt\"; filename*=UTF-8''%E2%82%AC%20rates.txt",
      "attachment; filename*=iso-8859-1'en'%A3%20rates.txt; filename=rates.txt",
      "attachment; filename*=KOI8-R''%F0%D2%C9; filename=rates.txt",
      "attachment; filename=\"\""};
  for (int i = 0; i < 4000; ++i) {
    HeaderMap headers;
    std::string shown;
    if (!inputs.OneIn(4)) headers.Add("Content-Type", inputs.Next(types));
    if (!inputs.OneIn(4)) headers.Add("Content-Disposition", inputs.Next(dispositions));
    for (const auto& [name, value] : headers.fields()) {
      shown += name + ": " + Printable(value) + "; ";
    }
    SCOPED_TRACE(shown);
    Metadata metadata = RepresentationMetadata(headers);
    ASSERT_LE(metadata.size(), 2u);
    for (const MetadataEntry& entry : metadata) {
      ASSERT_TRUE(entry.key == "filetype" || entry.key == "filename") << entry.key;
      ASSERT_TRUE(entry.value && !entry.value->empty());
      ASSERT_FALSE(HasControlByte(*entry.value)) << Printable(*entry.value);
    }
    if (!metadata.empty() && metadata.front().key == "filetype") {
      const std::string& type = *metadata.front().value;
      ASSERT_EQ(type.find(';'), std::string::npos);
      ASSERT_TRUE(
          std::none_of(type.begin(), type.end(), [](char c) { return c >= 'A' && c <= 'Z'; }));
      ASSERT_FALSE(IsOffsetContentType(type) || IsPartialUploadType(type));
    }
    ASSERT_NO_FATAL_FAILURE(CheckMetadataKeys(metadata));
    ASSERT_TRUE(ParsesTo(SerializeMetadata(metadata), metadata));
  }
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
