// Fuzzing the tus Upload-* field parsers: ParseUnsigned (Upload-Length, Upload-Offset), base64
// (Upload-Metadata values), Upload-Metadata and Upload-Checksum. See parser_fuzz.h.
#include <gtest/gtest.h>

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "base/base64.h"
#include "protocol/header_parsers.h"
#include "protocol/ietf/representation.h"
#include "protocol/request_head.h"
#include "tests/protocol/parser_fuzz.h"

namespace tuskd::protocol {
namespace {

using testing::CheckMetadataKeys;
using testing::ForInputs;
using testing::FuzzInputs;
using testing::IsBase64Char;
using testing::IsControl;
using testing::IsDigit;
using testing::ParsesTo;
using testing::Seeds;

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

TEST(ParserFuzzTest, ParsedMetadataSerializesToTheSameEntries) {
  FuzzInputs inputs(0x7ec0004);
  const Seeds seeds = {("filename d29ybGRfZG9taW5hdGlvbl9wbGFuLnBkZg==,is_confidential,empty ,  "
                        "spaced Zm9v"),
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

}  // namespace
}  // namespace tuskd::protocol
