// POST <base> refused: one table of requests DecideCreate must turn down, with the error each
// gets, and the detail of a duplicate-header refusal.
#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "protocol/decisions.h"
#include "tests/protocol/create_test_util.h"
#include "tests/protocol/protocol_test_util.h"

namespace tuskd::protocol {
namespace {

using testing::FailureCode;
using testing::Fields;
using testing::kOctets;
using testing::kSha1Hello;
using testing::MakeHead;
using testing::WithConcatenation;
using testing::WithMaxSize;

struct RefusalCase {
  std::string name;
  Fields fields;
  std::optional<uint64_t> content_length = std::nullopt;
  bool chunked = false;
  ServerPolicy policy = ServerPolicy{};
  ErrorCode expected = ErrorCode::kInternal;
};

class DecideCreateRefusalTest : public ::testing::TestWithParam<RefusalCase> {};

TEST_P(DecideCreateRefusalTest, Refuses) {
  const RefusalCase& c = GetParam();
  auto result = DecideCreate(MakeHead("POST", c.fields, c.content_length, c.chunked), c.policy);
  ASSERT_TRUE(std::holds_alternative<Failure>(result));
  EXPECT_EQ(Describe(std::get<Failure>(result).code).code, Describe(c.expected).code);
  EXPECT_TRUE(std::get<Failure>(result).headers.empty());
}

const Fields kLength = {{"Upload-Length", "10"}};

// kLength and then `extra`.
Fields With(const Fields& extra) {
  Fields fields = kLength;
  fields.insert(fields.end(), extra.begin(), extra.end());
  return fields;
}

// Duplicated single-valued headers, even with equal values.
std::vector<RefusalCase> DuplicateHeaderCases() {
  return {
      {"DuplicateLength",
       With({{"upload-length", "10"}}),
       {},
       false,
       {},
       ErrorCode::kDuplicateHeader},
      {"DuplicateDefer",
       {{"Upload-Defer-Length", "1"}, {"Upload-Defer-Length", "1"}},
       {},
       false,
       {},
       ErrorCode::kDuplicateHeader},
      {"DuplicateOffset",
       With({{"Upload-Offset", "0"}, {"Upload-Offset", "0"}}),
       {},
       false,
       {},
       ErrorCode::kDuplicateHeader},
      {"DuplicateMetadata",
       With({{"Upload-Metadata", "a"}, {"Upload-Metadata", "b"}}),
       {},
       false,
       {},
       ErrorCode::kDuplicateHeader},
      {"DuplicateChecksum",
       With({{"Upload-Checksum", kSha1Hello}, {"Upload-Checksum", kSha1Hello}}),
       {},
       false,
       {},
       ErrorCode::kDuplicateHeader},
      {"DuplicateTusResumable",
       With({{"Tus-Resumable", "1.0.0"}, {"Tus-Resumable", "1.0.0"}}),
       {},
       false,
       {},
       ErrorCode::kDuplicateHeader},
      {"DuplicateConcat",
       With({{"Upload-Concat", "partial"}, {"Upload-Concat", "partial"}}),
       {},
       false,
       WithConcatenation(),
       ErrorCode::kDuplicateHeader},
      {"DuplicateBeatsEverything",
       {{"Upload-Length", "x"}, {"Upload-Length", "y"}, {"Upload-Metadata", "!"}},
       {},
       false,
       {},
       ErrorCode::kDuplicateHeader},
  };
}

// Concatenation.
std::vector<RefusalCase> ConcatCases() {
  return {
      {"ConcatWithoutExtension",
       With({{"Upload-Concat", "partial"}}),
       {},
       false,
       {},
       ErrorCode::kNotImplemented},
      {"ConcatWithoutExtensionBeforeLength",
       {{"Upload-Concat", "partial"}},
       {},
       false,
       {},
       ErrorCode::kNotImplemented},
      {"ConcatMalformed",
       With({{"Upload-Concat", "final;"}}),
       {},
       false,
       WithConcatenation(),
       ErrorCode::kInvalidConcat},
      {"ConcatFinalWithLength",
       With({{"Upload-Concat", "final;/files/a"}}),
       {},
       false,
       WithConcatenation(),
       ErrorCode::kInvalidConcat},
      {"ConcatFinalWithDefer",
       {{"Upload-Concat", "final;/files/a"}, {"Upload-Defer-Length", "1"}},
       {},
       false,
       WithConcatenation(),
       ErrorCode::kInvalidConcat},
      {"ConcatFinalWithBody",
       {{"Upload-Concat", "final;/files/a"}, {"Content-Type", kOctets}},
       5,
       false,
       WithConcatenation(),
       ErrorCode::kConcatFinalPatch},
      {"ConcatFinalWithChunkedBody",
       {{"Upload-Concat", "final;/files/a"}},
       {},
       true,
       WithConcatenation(),
       ErrorCode::kConcatFinalPatch},
  };
}

// Length headers.
std::vector<RefusalCase> LengthCases() {
  return {
      {"NoLength", {}, {}, false, {}, ErrorCode::kMissingLength},
      {"NoLengthButMetadata",
       {{"Upload-Metadata", "a YQ=="}},
       {},
       false,
       {},
       ErrorCode::kMissingLength},
      {"LengthAndDefer",
       With({{"Upload-Defer-Length", "1"}}),
       {},
       false,
       {},
       ErrorCode::kLengthAndDefer},
      {"LengthAndDeferBothInvalid",
       {{"Upload-Length", "x"}, {"Upload-Defer-Length", "2"}},
       {},
       false,
       {},
       ErrorCode::kLengthAndDefer},
      {"DeferZero", {{"Upload-Defer-Length", "0"}}, {}, false, {}, ErrorCode::kInvalidDeferLength},
      {"DeferTwo", {{"Upload-Defer-Length", "2"}}, {}, false, {}, ErrorCode::kInvalidDeferLength},
      {"DeferEmpty", {{"Upload-Defer-Length", ""}}, {}, false, {}, ErrorCode::kInvalidDeferLength},
      {"DeferTrue",
       {{"Upload-Defer-Length", "true"}},
       {},
       false,
       {},
       ErrorCode::kInvalidDeferLength},
      {"LengthNegative", {{"Upload-Length", "-1"}}, {}, false, {}, ErrorCode::kInvalidLength},
      {"LengthEmpty", {{"Upload-Length", ""}}, {}, false, {}, ErrorCode::kInvalidLength},
      {"LengthText", {{"Upload-Length", "ten"}}, {}, false, {}, ErrorCode::kInvalidLength},
      {"LengthList", {{"Upload-Length", "10, 10"}}, {}, false, {}, ErrorCode::kInvalidLength},
      {"LengthTooBig",
       {{"Upload-Length", "9223372036854775808"}},
       {},
       false,
       {},
       ErrorCode::kInvalidLength},
  };
}

// --max-size.
std::vector<RefusalCase> MaxSizeCases() {
  return {
      {"LengthAboveMaxSize",
       {{"Upload-Length", "1001"}},
       {},
       false,
       WithMaxSize(1000),
       ErrorCode::kMaxSizeExceeded},
      {"MaxSizeBeforeMetadata",
       {{"Upload-Length", "1001"}, {"Upload-Metadata", "!"}},
       {},
       false,
       WithMaxSize(1000),
       ErrorCode::kMaxSizeExceeded},
  };
}

// Metadata.
std::vector<RefusalCase> MetadataCases() {
  return {
      {"MetadataBadBase64",
       With({{"Upload-Metadata", "a b"}}),
       {},
       false,
       {},
       ErrorCode::kInvalidMetadata},
      {"MetadataDuplicateKey",
       With({{"Upload-Metadata", "a,a"}}),
       {},
       false,
       {},
       ErrorCode::kInvalidMetadata},
      {"MetadataBeforeContentType",
       With({{"Upload-Metadata", "a b"}, {"Content-Type", "x/y"}}),
       5,
       false,
       {},
       ErrorCode::kInvalidMetadata},
  };
}

// creation-with-upload.
std::vector<RefusalCase> BodyCases() {
  return {
      {"BodyWithoutContentType", kLength, 5, false, {}, ErrorCode::kInvalidContentType},
      {"BodyWithOtherContentType",
       With({{"Content-Type", "application/octet-stream"}}),
       5,
       false,
       {},
       ErrorCode::kInvalidContentType},
      {"ChunkedBodyWithOtherContentType",
       With({{"Content-Type", "text/plain"}}),
       {},
       true,
       {},
       ErrorCode::kInvalidContentType},
      {"BodyLongerThanLength",
       With({{"Content-Type", kOctets}}),
       11,
       false,
       {},
       ErrorCode::kSizeExceeded},
      {"DeferredBodyLongerThanMaxSize",
       {{"Upload-Defer-Length", "1"}, {"Content-Type", kOctets}},
       1001,
       false,
       WithMaxSize(1000),
       ErrorCode::kSizeExceeded},
      {"ContentTypeBeforeSize",
       With({{"Content-Type", "text/plain"}}),
       11,
       false,
       {},
       ErrorCode::kInvalidContentType},
  };
}

// Upload-Checksum.
std::vector<RefusalCase> ChecksumCases() {
  return {
      {"ChecksumMalformed",
       With({{"Upload-Checksum", "sha1"}}),
       {},
       false,
       {},
       ErrorCode::kInvalidChecksumHeader},
      {"ChecksumWrongDigestSize",
       With({{"Upload-Checksum", "sha256 AAAA"}}),
       {},
       false,
       {},
       ErrorCode::kInvalidChecksumHeader},
      {"ChecksumUnknownAlgorithm",
       With({{"Upload-Checksum", "crc32 AAAAAA=="}}),
       {},
       false,
       {},
       ErrorCode::kUnsupportedChecksum},
      {"ChecksumNotOffered",
       With({{"Upload-Checksum", kSha1Hello}}),
       {},
       false,
       [] {
         ServerPolicy policy;
         policy.checksum_algorithms = {"sha256"};
         return policy;
       }(),
       ErrorCode::kUnsupportedChecksum},
      {"ChecksumAfterBodySize",
       With({{"Content-Type", kOctets}, {"Upload-Checksum", "x"}}),
       11,
       false,
       {},
       ErrorCode::kSizeExceeded},
  };
}

std::vector<RefusalCase> RefusalCases() {
  std::vector<RefusalCase> cases;
  for (auto group : {DuplicateHeaderCases, ConcatCases, LengthCases, MaxSizeCases, MetadataCases,
                     BodyCases, ChecksumCases}) {
    std::vector<RefusalCase> more = group();
    cases.insert(cases.end(), more.begin(), more.end());
  }
  return cases;
}

INSTANTIATE_TEST_SUITE_P(Table, DecideCreateRefusalTest, ::testing::ValuesIn(RefusalCases()),
                         [](const auto& info) { return info.param.name; });

TEST(DecideCreateTest, DuplicateDetailNamesTheHeader) {
  auto result = DecideCreate(
      MakeHead("POST",
               {{"Upload-Length", "1"}, {"Upload-Metadata", "a"}, {"upload-metadata", "b"}}),
      ServerPolicy{});
  ASSERT_EQ(FailureCode(result), ErrorCode::kDuplicateHeader);
  EXPECT_EQ(std::get<Failure>(result).detail, "Upload-Metadata");
}

}  // namespace
}  // namespace tuskd::protocol
