// POST <base>: DecideCreate and CreatedResponse.
#include <gtest/gtest.h>

#include <limits>

#include "protocol/decisions.h"
#include "tests/protocol/protocol_test_util.h"

namespace tuskd::protocol {
namespace {

using testing::FailureCode;
using testing::Fields;
using testing::Find;
using testing::MakeHead;
using testing::MakeUpload;

constexpr uint64_t kUnlimited = std::numeric_limits<uint64_t>::max();
const std::string kOctets = "application/offset+octet-stream";
const std::string kSha1Hello = "sha1 qvTGHdzF6KLavt4PO0gs2a6pQ00=";

ServerPolicy WithMaxSize(uint64_t max_size) {
  ServerPolicy policy;
  policy.max_size = max_size;
  return policy;
}

ServerPolicy WithConcatenation() {
  ServerPolicy policy;
  policy.concatenation = true;
  return policy;
}

CreatePlan Plan(const RequestHead& head, const ServerPolicy& policy = ServerPolicy{}) {
  auto result = DecideCreate(head, policy);
  if (auto* failure = std::get_if<Failure>(&result)) {
    ADD_FAILURE() << "refused: " << Describe(failure->code).code << " " << failure->detail;
    return CreatePlan{};
  }
  return std::get<CreatePlan>(result);
}

// ---- Successes ----

TEST(DecideCreateTest, KnownLengthWithoutBody) {
  CreatePlan plan = Plan(MakeHead("POST", {{"Upload-Length", "100"}}));
  EXPECT_EQ(plan.length, 100u);
  EXPECT_FALSE(plan.with_body);
  EXPECT_EQ(plan.max_body_bytes, 100u);
  EXPECT_TRUE(plan.metadata.empty());
  EXPECT_TRUE(plan.metadata_raw.empty());
  EXPECT_FALSE(plan.checksum);
  EXPECT_FALSE(plan.concat_partial);
  EXPECT_TRUE(plan.concat_part_urls.empty());
}

TEST(DecideCreateTest, EmptyUpload) {
  CreatePlan plan = Plan(MakeHead("POST", {{"Upload-Length", "0"}}));
  EXPECT_EQ(plan.length, 0u);
  EXPECT_EQ(plan.max_body_bytes, 0u);
}

TEST(DecideCreateTest, DeferredLengthIsBoundedByMaxSizeOrUnlimited) {
  CreatePlan unlimited = Plan(MakeHead("POST", {{"Upload-Defer-Length", "1"}}));
  EXPECT_EQ(unlimited.length, std::nullopt);
  EXPECT_EQ(unlimited.max_body_bytes, kUnlimited);
  CreatePlan bounded = Plan(MakeHead("POST", {{"Upload-Defer-Length", "1"}}), WithMaxSize(1000));
  EXPECT_EQ(bounded.max_body_bytes, 1000u);
}

TEST(DecideCreateTest, LengthEqualToMaxSizeIsAccepted) {
  EXPECT_EQ(Plan(MakeHead("POST", {{"Upload-Length", "1000"}}), WithMaxSize(1000)).length, 1000u);
}

TEST(DecideCreateTest, MetadataIsParsedAndKeptRaw) {
  CreatePlan plan =
      Plan(MakeHead("POST", {{"Upload-Length", "1"}, {"Upload-Metadata", "filename YS50eHQ=,x"}}));
  EXPECT_EQ(plan.metadata_raw, "filename YS50eHQ=,x");
  ASSERT_EQ(plan.metadata.size(), 2u);
  EXPECT_EQ(MetadataValue(plan.metadata, "filename"), "a.txt");
  EXPECT_EQ(plan.metadata[1].key, "x");
}

TEST(DecideCreateTest, EmptyMetadataHeaderIsNoMetadata) {
  CreatePlan plan = Plan(MakeHead("POST", {{"Upload-Length", "1"}, {"Upload-Metadata", ""}}));
  EXPECT_TRUE(plan.metadata.empty());
}

TEST(DecideCreateTest, CreationWithUpload) {
  CreatePlan plan =
      Plan(MakeHead("POST", {{"Upload-Length", "100"}, {"Content-Type", kOctets}}, /*length=*/50));
  EXPECT_TRUE(plan.with_body);
  EXPECT_EQ(plan.max_body_bytes, 100u);
}

TEST(DecideCreateTest, CreationWithUploadOfTheWholeUpload) {
  CreatePlan plan =
      Plan(MakeHead("POST", {{"Upload-Length", "100"}, {"Content-Type", kOctets}}, 100));
  EXPECT_TRUE(plan.with_body);
}

TEST(DecideCreateTest, ChunkedCreationBodyIsLeftToTheCallerToBound) {
  CreatePlan plan = Plan(MakeHead("POST", {{"Upload-Defer-Length", "1"}, {"Content-Type", kOctets}},
                                  std::nullopt, /*chunked=*/true),
                         WithMaxSize(500));
  EXPECT_TRUE(plan.with_body);
  EXPECT_EQ(plan.max_body_bytes, 500u);
}

TEST(DecideCreateTest, EmptyBodyIgnoresContentType) {
  CreatePlan plan =
      Plan(MakeHead("POST", {{"Upload-Length", "5"}, {"Content-Type", "text/html"}}, 0));
  EXPECT_FALSE(plan.with_body);
}

TEST(DecideCreateTest, ChecksumIsParsed) {
  CreatePlan plan = Plan(MakeHead(
      "POST", {{"Upload-Length", "5"}, {"Content-Type", kOctets}, {"Upload-Checksum", kSha1Hello}},
      5));
  ASSERT_TRUE(plan.checksum);
  EXPECT_EQ(plan.checksum->algorithm, "sha1");
  EXPECT_EQ(plan.checksum->digest.size(), 20u);
}

TEST(DecideCreateTest, ConcatPartialNeedsALength) {
  CreatePlan plan = Plan(MakeHead("POST", {{"Upload-Length", "5"}, {"Upload-Concat", "partial"}}),
                         WithConcatenation());
  EXPECT_TRUE(plan.concat_partial);
  EXPECT_EQ(plan.length, 5u);
  auto missing =
      DecideCreate(MakeHead("POST", {{"Upload-Concat", "partial"}}), WithConcatenation());
  EXPECT_EQ(FailureCode(missing), ErrorCode::kMissingLength);
}

TEST(DecideCreateTest, ConcatFinalTakesNoLengthAndNoBody) {
  CreatePlan plan = Plan(MakeHead("POST", {{"Upload-Concat", "final;/files/a /files/b"},
                                           {"Upload-Metadata", "filename YS50eHQ="}}),
                         WithConcatenation());
  EXPECT_FALSE(plan.concat_partial);
  EXPECT_EQ(plan.concat_part_urls, (std::vector<std::string>{"/files/a", "/files/b"}));
  EXPECT_EQ(plan.length, std::nullopt);
  EXPECT_FALSE(plan.with_body);
  EXPECT_EQ(plan.max_body_bytes, 0u);
  EXPECT_EQ(MetadataValue(plan.metadata, "filename"), "a.txt");
}

// ---- Refusals ----

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

std::vector<RefusalCase> RefusalCases() {
  const Fields length = {{"Upload-Length", "10"}};
  auto with = [&](Fields extra) {
    Fields fields = length;
    fields.insert(fields.end(), extra.begin(), extra.end());
    return fields;
  };
  return {
      // Duplicated single-valued headers, even with equal values.
      {"DuplicateLength",
       with({{"upload-length", "10"}}),
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
       with({{"Upload-Offset", "0"}, {"Upload-Offset", "0"}}),
       {},
       false,
       {},
       ErrorCode::kDuplicateHeader},
      {"DuplicateMetadata",
       with({{"Upload-Metadata", "a"}, {"Upload-Metadata", "b"}}),
       {},
       false,
       {},
       ErrorCode::kDuplicateHeader},
      {"DuplicateChecksum",
       with({{"Upload-Checksum", kSha1Hello}, {"Upload-Checksum", kSha1Hello}}),
       {},
       false,
       {},
       ErrorCode::kDuplicateHeader},
      {"DuplicateTusResumable",
       with({{"Tus-Resumable", "1.0.0"}, {"Tus-Resumable", "1.0.0"}}),
       {},
       false,
       {},
       ErrorCode::kDuplicateHeader},
      {"DuplicateConcat",
       with({{"Upload-Concat", "partial"}, {"Upload-Concat", "partial"}}),
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
      // Concatenation.
      {"ConcatWithoutExtension",
       with({{"Upload-Concat", "partial"}}),
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
       with({{"Upload-Concat", "final;"}}),
       {},
       false,
       WithConcatenation(),
       ErrorCode::kInvalidConcat},
      {"ConcatFinalWithLength",
       with({{"Upload-Concat", "final;/files/a"}}),
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
      // Length headers.
      {"NoLength", {}, {}, false, {}, ErrorCode::kMissingLength},
      {"NoLengthButMetadata",
       {{"Upload-Metadata", "a YQ=="}},
       {},
       false,
       {},
       ErrorCode::kMissingLength},
      {"LengthAndDefer",
       with({{"Upload-Defer-Length", "1"}}),
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
      // --max-size.
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
      // Metadata.
      {"MetadataBadBase64",
       with({{"Upload-Metadata", "a b"}}),
       {},
       false,
       {},
       ErrorCode::kInvalidMetadata},
      {"MetadataDuplicateKey",
       with({{"Upload-Metadata", "a,a"}}),
       {},
       false,
       {},
       ErrorCode::kInvalidMetadata},
      {"MetadataBeforeContentType",
       with({{"Upload-Metadata", "a b"}, {"Content-Type", "x/y"}}),
       5,
       false,
       {},
       ErrorCode::kInvalidMetadata},
      // creation-with-upload.
      {"BodyWithoutContentType", length, 5, false, {}, ErrorCode::kInvalidContentType},
      {"BodyWithOtherContentType",
       with({{"Content-Type", "application/octet-stream"}}),
       5,
       false,
       {},
       ErrorCode::kInvalidContentType},
      {"ChunkedBodyWithOtherContentType",
       with({{"Content-Type", "text/plain"}}),
       {},
       true,
       {},
       ErrorCode::kInvalidContentType},
      {"BodyLongerThanLength",
       with({{"Content-Type", kOctets}}),
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
       with({{"Content-Type", "text/plain"}}),
       11,
       false,
       {},
       ErrorCode::kInvalidContentType},
      // Upload-Checksum.
      {"ChecksumMalformed",
       with({{"Upload-Checksum", "sha1"}}),
       {},
       false,
       {},
       ErrorCode::kInvalidChecksumHeader},
      {"ChecksumWrongDigestSize",
       with({{"Upload-Checksum", "sha256 AAAA"}}),
       {},
       false,
       {},
       ErrorCode::kInvalidChecksumHeader},
      {"ChecksumUnknownAlgorithm",
       with({{"Upload-Checksum", "crc32 AAAAAA=="}}),
       {},
       false,
       {},
       ErrorCode::kUnsupportedChecksum},
      {"ChecksumNotOffered",
       with({{"Upload-Checksum", kSha1Hello}}),
       {},
       false,
       [] {
         ServerPolicy policy;
         policy.checksum_algorithms = {"sha256"};
         return policy;
       }(),
       ErrorCode::kUnsupportedChecksum},
      {"ChecksumAfterBodySize",
       with({{"Content-Type", kOctets}, {"Upload-Checksum", "x"}}),
       11,
       false,
       {},
       ErrorCode::kSizeExceeded},
  };
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

// ---- 201 ----

TEST(CreatedResponseTest, LocationAndOffset) {
  Response response = CreatedResponse(MakeUpload(10, 0), "http://host/files/abc");
  EXPECT_EQ(response.status, 201);
  EXPECT_TRUE(response.body.empty());
  EXPECT_EQ(Find(response.headers, "Location"), "http://host/files/abc");
  EXPECT_EQ(Find(response.headers, "Upload-Offset"), "0");
  EXPECT_FALSE(Find(response.headers, "Upload-Expires"));
}

TEST(CreatedResponseTest, ExpiresWhileUnfinished) {
  UploadView upload = MakeUpload(10, 4);
  upload.expires_at = 0;
  Response response = CreatedResponse(upload, "/files/abc");
  EXPECT_EQ(Find(response.headers, "Upload-Offset"), "4");
  EXPECT_EQ(Find(response.headers, "Upload-Expires"), "Thu, 01 Jan 1970 00:00:00 GMT");
}

TEST(CreatedResponseTest, NoExpiryOnceComplete) {
  UploadView upload = MakeUpload(10, 10);
  upload.expires_at = 0;
  EXPECT_FALSE(Find(CreatedResponse(upload, "/f").headers, "Upload-Expires"));
  upload = MakeUpload(0, 0);  // an empty upload is complete at creation
  upload.expires_at = 0;
  EXPECT_FALSE(Find(CreatedResponse(upload, "/f").headers, "Upload-Expires"));
  upload = MakeUpload(std::nullopt, 0, UploadState::kComplete);
  upload.expires_at = 0;
  EXPECT_FALSE(Find(CreatedResponse(upload, "/f").headers, "Upload-Expires"));
}

}  // namespace
}  // namespace tuskd::protocol
