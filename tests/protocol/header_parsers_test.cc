#include "protocol/header_parsers.h"
#include "base/base64.h"

#include <gtest/gtest.h>

#include <limits>
#include <string>

#include "tests/protocol/protocol_test_util.h"

namespace tuskd::protocol {
namespace {

using testing::Find;

// ---- ParseUnsigned ----

struct UnsignedCase {
  std::string_view text;
  std::optional<uint64_t> expected;
};

class ParseUnsignedTest : public ::testing::TestWithParam<UnsignedCase> {};

TEST_P(ParseUnsignedTest, Parses) {
  EXPECT_EQ(ParseUnsigned(GetParam().text), GetParam().expected) << GetParam().text;
}

INSTANTIATE_TEST_SUITE_P(
    Table, ParseUnsignedTest,
    ::testing::Values(UnsignedCase{"0", 0}, UnsignedCase{"7", 7}, UnsignedCase{"007", 7},
                      UnsignedCase{"1234567890", 1234567890},
                      UnsignedCase{"9223372036854775807", 9223372036854775807ull},
                      UnsignedCase{"0000000000000000001", 1},              // 19 digits
                      UnsignedCase{"00000000000000000001", std::nullopt},  // 20 digits
                      UnsignedCase{"9223372036854775808", std::nullopt},   // int64 max + 1
                      UnsignedCase{"9999999999999999999", std::nullopt},
                      UnsignedCase{"18446744073709551616", std::nullopt},
                      UnsignedCase{"", std::nullopt}, UnsignedCase{"-1", std::nullopt},
                      UnsignedCase{"+1", std::nullopt}, UnsignedCase{"1.0", std::nullopt},
                      UnsignedCase{"1e3", std::nullopt}, UnsignedCase{" 1", std::nullopt},
                      UnsignedCase{"1 ", std::nullopt}, UnsignedCase{"0x10", std::nullopt},
                      UnsignedCase{"1,2", std::nullopt}, UnsignedCase{"abc", std::nullopt},
                      UnsignedCase{std::string_view("1\0", 2), std::nullopt}));

// ---- Upload-Metadata ----

TEST(ParseMetadataTest, ParsesPairsInOrder) {
  auto parsed = ParseMetadata(
      "filename d29ybGRfZG9taW5hdGlvbl9wbGFuLnBkZg==,is_confidential,"
      "empty ,  spaced Zm9v");
  ASSERT_TRUE(std::holds_alternative<Metadata>(parsed));
  const Metadata& metadata = std::get<Metadata>(parsed);
  ASSERT_EQ(metadata.size(), 4u);
  EXPECT_EQ(metadata[0].key, "filename");
  EXPECT_EQ(metadata[0].value, "world_domination_plan.pdf");
  EXPECT_EQ(metadata[1].key, "is_confidential");
  EXPECT_EQ(metadata[1].value, std::nullopt);
  EXPECT_EQ(metadata[2].key, "empty");  // "empty " is trimmed to a key without value
  EXPECT_EQ(metadata[2].value, std::nullopt);
  EXPECT_EQ(metadata[3].key, "spaced");
  EXPECT_EQ(metadata[3].value, "foo");
}

TEST(ParseMetadataTest, EmptyHeaderIsEmptyMetadata) {
  for (std::string_view text : {"", " ", "\t"}) {
    auto parsed = ParseMetadata(text);
    ASSERT_TRUE(std::holds_alternative<Metadata>(parsed));
    EXPECT_TRUE(std::get<Metadata>(parsed).empty());
  }
}

TEST(ParseMetadataTest, KeepsNonAsciiKeysAndBinaryValues) {
  auto parsed = ParseMetadata("n\xc3\xa4me AAEC");
  ASSERT_TRUE(std::holds_alternative<Metadata>(parsed));
  EXPECT_EQ(std::get<Metadata>(parsed)[0].key, "n\xc3\xa4me");
  EXPECT_EQ(std::get<Metadata>(parsed)[0].value, std::string("\0\1\2", 3));
}

class ParseMetadataRejectTest : public ::testing::TestWithParam<std::string_view> {};

TEST_P(ParseMetadataRejectTest, Rejects) {
  auto parsed = ParseMetadata(GetParam());
  ASSERT_TRUE(std::holds_alternative<Failure>(parsed)) << GetParam();
  EXPECT_EQ(std::get<Failure>(parsed).code, ErrorCode::kInvalidMetadata);
  EXPECT_FALSE(std::get<Failure>(parsed).detail.empty());
}

INSTANTIATE_TEST_SUITE_P(Invalid, ParseMetadataRejectTest,
                         ::testing::Values("a Zg==,a Zm8=",  // duplicate key
                                           "a,a",            // duplicate key without values
                                           "a Zg", "a Zg=", "a Zg===", "a Z!==",
                                           "a  Zg==",   // two spaces
                                           "a Zg== b",  // three parts
                                           ",a Zg==", "a Zg==,", "a Zg==,,b", ",",
                                           "a\x01 Zg==", "a\tb Zg==", "a\x7f"));

// "k0,k1,...": `count` distinct keys without values, `prefix` spelling each.
std::string ManyKeys(size_t count, std::string_view prefix = "k") {
  std::string text;
  for (size_t i = 0; i < count; ++i) {
    if (i > 0) text += ',';
    text.append(prefix).append(std::to_string(i));
  }
  return text;
}

TEST(ParseMetadataLimitsTest, AcceptsTheMostPairsAndRefusesOneMore) {
  auto most = ParseMetadata(ManyKeys(kMaxMetadataPairs));
  ASSERT_TRUE(std::holds_alternative<Metadata>(most));
  EXPECT_EQ(std::get<Metadata>(most).size(), kMaxMetadataPairs);
  auto more = ParseMetadata(ManyKeys(kMaxMetadataPairs + 1));
  ASSERT_TRUE(std::holds_alternative<Failure>(more));
  EXPECT_EQ(std::get<Failure>(more).code, ErrorCode::kInvalidMetadata);
  EXPECT_NE(std::get<Failure>(more).detail.find("pairs"), std::string::npos);
}

TEST(ParseMetadataLimitsTest, RefusesAKeyPastTheLongest) {
  EXPECT_TRUE(std::holds_alternative<Metadata>(
      ParseMetadata(std::string(kMaxMetadataKeyBytes, 'k') + " Zg==")));
  auto parsed = ParseMetadata(std::string(kMaxMetadataKeyBytes + 1, 'k') + " Zg==");
  ASSERT_TRUE(std::holds_alternative<Failure>(parsed));
  EXPECT_EQ(std::get<Failure>(parsed).code, ErrorCode::kInvalidMetadata);
}

// The header a 64 KiB head can hold (~16,000 keys, the attack that held an io thread for 0.4 s)
// is refused at the pair limit, having looked at no more than the first pairs.
TEST(ParseMetadataLimitsTest, RefusesAHeadFullOfKeys) {
  auto parsed = ParseMetadata(ManyKeys(15800));
  ASSERT_TRUE(std::holds_alternative<Failure>(parsed));
  EXPECT_EQ(std::get<Failure>(parsed).code, ErrorCode::kInvalidMetadata);
}

// Duplicates are found wherever they stand, also between the first and the last allowed pair,
// and for keys that share a prefix with others.
TEST(ParseMetadataLimitsTest, FindsADuplicateAnywhere) {
  std::string text = ManyKeys(kMaxMetadataPairs - 1) + ",k0";
  auto parsed = ParseMetadata(text);
  ASSERT_TRUE(std::holds_alternative<Failure>(parsed));
  EXPECT_NE(std::get<Failure>(parsed).detail.find("duplicate key \"k0\""), std::string::npos);
  EXPECT_TRUE(std::holds_alternative<Metadata>(ParseMetadata("k1 Zg==,k10 Zg==,k1x")));
  EXPECT_TRUE(std::holds_alternative<Failure>(ParseMetadata("k1 Zg==,k10 Zg==, k1")));
}

TEST(MetadataValueTest, FindsNonEmptyValues) {
  Metadata metadata = {{"filename", "a.txt"}, {"flag", std::nullopt}, {"blank", ""}};
  EXPECT_EQ(MetadataValue(metadata, "filename"), "a.txt");
  EXPECT_EQ(MetadataValue(metadata, "flag"), std::nullopt);
  EXPECT_EQ(MetadataValue(metadata, "blank"), std::nullopt);
  EXPECT_EQ(MetadataValue(metadata, "missing"), std::nullopt);
  EXPECT_EQ(MetadataValue(metadata, "FILENAME"), std::nullopt);  // keys are case-sensitive
}

// ---- Upload-Checksum ----

TEST(ParseChecksumHeaderTest, ParsesAndLowerCasesAlgorithm) {
  // sha1 of "hello": aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d
  auto parsed = ParseChecksumHeader("SHA1 qvTGHdzF6KLavt4PO0gs2a6pQ00=");
  ASSERT_TRUE(std::holds_alternative<ChecksumHeader>(parsed));
  EXPECT_EQ(std::get<ChecksumHeader>(parsed).algorithm, "sha1");
  EXPECT_EQ(std::get<ChecksumHeader>(parsed).digest,
            std::string("\xaa\xf4\xc6\x1d\xdc\xc5\xe8\xa2\xda\xbe\xde\x0f\x3b\x48\x2c\xd9\xae"
                        "\xa9\x43\x4d"));
}

TEST(ParseChecksumHeaderTest, AcceptsUnknownAlgorithmsOfAnyDigestSize) {
  auto parsed = ParseChecksumHeader("crc-32 AAAAAA==");
  ASSERT_TRUE(std::holds_alternative<ChecksumHeader>(parsed));
  EXPECT_EQ(std::get<ChecksumHeader>(parsed).algorithm, "crc-32");
  EXPECT_EQ(std::get<ChecksumHeader>(parsed).digest.size(), 4u);
}

struct DigestSizeCase {
  std::string_view algorithm;
  size_t size;
};

class ChecksumDigestSizeTest : public ::testing::TestWithParam<DigestSizeCase> {};

TEST_P(ChecksumDigestSizeTest, KnownAlgorithmsNeedTheirDigestSize) {
  std::string name(GetParam().algorithm);
  std::string good = EncodeBase64(std::string(GetParam().size, 'x'));
  std::string short_digest = EncodeBase64(std::string(GetParam().size - 1, 'x'));
  std::string long_digest = EncodeBase64(std::string(GetParam().size + 1, 'x'));
  EXPECT_TRUE(std::holds_alternative<ChecksumHeader>(ParseChecksumHeader(name + " " + good)));
  EXPECT_EQ(testing::FailureCode(ParseChecksumHeader(name + " " + short_digest)),
            ErrorCode::kInvalidChecksumHeader);
  EXPECT_EQ(testing::FailureCode(ParseChecksumHeader(name + " " + long_digest)),
            ErrorCode::kInvalidChecksumHeader);
}

INSTANTIATE_TEST_SUITE_P(Algorithms, ChecksumDigestSizeTest,
                         ::testing::Values(DigestSizeCase{"md5", 16}, DigestSizeCase{"sha1", 20},
                                           DigestSizeCase{"sha224", 28},
                                           DigestSizeCase{"sha256", 32},
                                           DigestSizeCase{"sha384", 48},
                                           DigestSizeCase{"sha512", 64}));

class ParseChecksumRejectTest : public ::testing::TestWithParam<std::string_view> {};

TEST_P(ParseChecksumRejectTest, Rejects) {
  auto parsed = ParseChecksumHeader(GetParam());
  ASSERT_TRUE(std::holds_alternative<Failure>(parsed)) << GetParam();
  EXPECT_EQ(std::get<Failure>(parsed).code, ErrorCode::kInvalidChecksumHeader);
}

INSTANTIATE_TEST_SUITE_P(
    Invalid, ParseChecksumRejectTest,
    ::testing::Values("", " ", "sha1", "sha1 ", " qvTGHdzF6KLavt4PO0gs2a6pQ00=",
                      "sha1  qvTGHdzF6KLavt4PO0gs2a6pQ00=", "sha1 qvTGHdzF6KLavt4PO0gs2a6pQ00= ",
                      "sha1\tqvTGHdzF6KLavt4PO0gs2a6pQ00=", "sha1 qvTGHdzF6KLavt4PO0gs2a6pQ00",
                      "sha_1 AAAA", "sha1/x AAAA", "sh\xc3\xa4 AAAA", "sha1 !!!!",
                      "sha1 qvTGHdzF6KLavt4PO0gs2a6pQ00= x"));

// ---- Upload-Concat ----

TEST(ParseUploadConcatTest, Partial) {
  auto parsed = ParseUploadConcat("partial");
  ASSERT_TRUE(std::holds_alternative<UploadConcat>(parsed));
  EXPECT_TRUE(std::get<UploadConcat>(parsed).partial);
  EXPECT_TRUE(std::get<UploadConcat>(parsed).part_urls.empty());
}

TEST(ParseUploadConcatTest, FinalListsPartsInOrder) {
  auto parsed = ParseUploadConcat("final;/files/a http://tus.io/files/b  /files/c ");
  ASSERT_TRUE(std::holds_alternative<UploadConcat>(parsed));
  EXPECT_FALSE(std::get<UploadConcat>(parsed).partial);
  EXPECT_EQ(std::get<UploadConcat>(parsed).part_urls,
            (std::vector<std::string>{"/files/a", "http://tus.io/files/b", "/files/c"}));
}

class ParseUploadConcatRejectTest : public ::testing::TestWithParam<std::string_view> {};

TEST_P(ParseUploadConcatRejectTest, Rejects) {
  EXPECT_EQ(testing::FailureCode(ParseUploadConcat(GetParam())), ErrorCode::kInvalidConcat)
      << GetParam();
}

INSTANTIATE_TEST_SUITE_P(Invalid, ParseUploadConcatRejectTest,
                         ::testing::Values("", "Partial", "partial;", "final", "final;",
                                           "final;   ", "FINAL;/files/a", "final /files/a",
                                           "final;/files/a\r\nX-Evil: 1", "other"));

// ---- Content-Type ----

TEST(IsOffsetContentTypeTest, AcceptsExactTypeAnyCaseWithParameters) {
  EXPECT_TRUE(IsOffsetContentType("application/offset+octet-stream"));
  EXPECT_TRUE(IsOffsetContentType("Application/Offset+Octet-Stream"));
  EXPECT_TRUE(IsOffsetContentType("application/offset+octet-stream; charset=binary"));
  EXPECT_TRUE(IsOffsetContentType("application/offset+octet-stream ;x=y"));
  EXPECT_FALSE(IsOffsetContentType(""));
  EXPECT_FALSE(IsOffsetContentType("application/octet-stream"));
  EXPECT_FALSE(IsOffsetContentType("application/offset+octet-streamx"));
  EXPECT_FALSE(IsOffsetContentType("text/plain; application/offset+octet-stream"));
}

// ---- Range ----

struct RangeCase {
  std::string_view text;
  uint64_t size;
  enum Kind { kIgnore, kRange, kUnsatisfiable } kind;
  uint64_t first = 0;
  uint64_t last = 0;
};

class ParseRangeTest : public ::testing::TestWithParam<RangeCase> {};

TEST_P(ParseRangeTest, Parses) {
  const RangeCase& c = GetParam();
  auto parsed = ParseRange(c.text, c.size);
  SCOPED_TRACE(std::string(c.text) + " of " + std::to_string(c.size));
  switch (c.kind) {
    case RangeCase::kIgnore:
      EXPECT_TRUE(std::holds_alternative<std::monostate>(parsed));
      break;
    case RangeCase::kRange:
      ASSERT_TRUE(std::holds_alternative<ByteRange>(parsed));
      EXPECT_EQ(std::get<ByteRange>(parsed).first, c.first);
      EXPECT_EQ(std::get<ByteRange>(parsed).last, c.last);
      break;
    case RangeCase::kUnsatisfiable:
      ASSERT_TRUE(std::holds_alternative<Failure>(parsed));
      EXPECT_EQ(std::get<Failure>(parsed).code, ErrorCode::kRangeNotSatisfiable);
      EXPECT_EQ(Find(std::get<Failure>(parsed).headers, "Content-Range"),
                "bytes */" + std::to_string(c.size));
      break;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Table, ParseRangeTest,
    ::testing::Values(
        RangeCase{"bytes=0-99", 1000, RangeCase::kRange, 0, 99},
        RangeCase{"bytes=0-0", 1000, RangeCase::kRange, 0, 0},
        RangeCase{"bytes=500-", 1000, RangeCase::kRange, 500, 999},
        RangeCase{"bytes=999-", 1000, RangeCase::kRange, 999, 999},
        RangeCase{"bytes=900-5000", 1000, RangeCase::kRange, 900, 999},  // last clamped
        RangeCase{"bytes=-100", 1000, RangeCase::kRange, 900, 999},
        RangeCase{"bytes=-1000", 1000, RangeCase::kRange, 0, 999},
        RangeCase{"bytes=-5000", 1000, RangeCase::kRange, 0, 999},  // suffix longer than size
        RangeCase{"Bytes=1-2", 10, RangeCase::kRange, 1, 2},
        RangeCase{" bytes= 1-2 ", 10, RangeCase::kRange, 1, 2},
        RangeCase{"bytes=000-001", 10, RangeCase::kRange, 0, 1},
        RangeCase{"bytes=1000-", 1000, RangeCase::kUnsatisfiable},
        RangeCase{"bytes=1000-2000", 1000, RangeCase::kUnsatisfiable},
        RangeCase{"bytes=-0", 1000, RangeCase::kUnsatisfiable},
        RangeCase{"bytes=0-", 0, RangeCase::kUnsatisfiable},
        RangeCase{"bytes=0-0", 0, RangeCase::kUnsatisfiable},
        RangeCase{"bytes=-1", 0, RangeCase::kUnsatisfiable},
        RangeCase{"bytes=0-1,2-3", 1000, RangeCase::kIgnore},
        RangeCase{"bytes=0-1, 5-", 1000, RangeCase::kIgnore},
        RangeCase{"bytes=5-1", 1000, RangeCase::kIgnore},
        RangeCase{"bytes=a-b", 1000, RangeCase::kIgnore},
        RangeCase{"bytes=-", 1000, RangeCase::kIgnore},
        RangeCase{"bytes=", 1000, RangeCase::kIgnore},
        RangeCase{"bytes=1", 1000, RangeCase::kIgnore},
        RangeCase{"bytes=1-2-3", 1000, RangeCase::kIgnore},
        RangeCase{"bytes=--1", 1000, RangeCase::kIgnore},
        RangeCase{"bytes=+1-2", 1000, RangeCase::kIgnore},
        RangeCase{"bytes=1 -2", 1000, RangeCase::kIgnore},
        RangeCase{"bytes=99999999999999999999-", 1000, RangeCase::kIgnore},
        RangeCase{"items=0-1", 1000, RangeCase::kIgnore},
        RangeCase{"bytes 0-1", 1000, RangeCase::kIgnore}, RangeCase{"", 1000, RangeCase::kIgnore},
        RangeCase{"garbage", 0, RangeCase::kIgnore}));

// ---- HTTP dates ----

struct DateCase {
  int64_t seconds;
  std::string_view text;
};

class FormatHttpDateTest : public ::testing::TestWithParam<DateCase> {};

TEST_P(FormatHttpDateTest, FormatsImfFixdate) {
  EXPECT_EQ(FormatHttpDate(GetParam().seconds), GetParam().text);
}

INSTANTIATE_TEST_SUITE_P(
    Table, FormatHttpDateTest,
    ::testing::Values(DateCase{0, "Thu, 01 Jan 1970 00:00:00 GMT"},
                      DateCase{784111777, "Sun, 06 Nov 1994 08:49:37 GMT"},  // RFC 9110 example
                      DateCase{951782400, "Tue, 29 Feb 2000 00:00:00 GMT"},
                      DateCase{1700000000, "Tue, 14 Nov 2023 22:13:20 GMT"},
                      DateCase{253402300799, "Fri, 31 Dec 9999 23:59:59 GMT"},
                      DateCase{253402300800, ""},  // year 10000
                      DateCase{std::numeric_limits<int64_t>::max(), ""}));

}  // namespace
}  // namespace tuskd::protocol
