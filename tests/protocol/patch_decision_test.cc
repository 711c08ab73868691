// PATCH <base><id>: DecidePatch and PatchedResponse.
#include <gtest/gtest.h>

#include <limits>

#include "base/base64.h"
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

// A well-formed PATCH at `offset` plus `extra` fields.
RequestHead Patch(uint64_t offset, Fields extra = {},
                  std::optional<uint64_t> content_length = std::nullopt, bool chunked = false) {
  Fields fields = {{"Tus-Resumable", "1.0.0"},
                   {"Content-Type", kOctets},
                   {"Upload-Offset", std::to_string(offset)}};
  fields.insert(fields.end(), extra.begin(), extra.end());
  return MakeHead("PATCH", fields, content_length, chunked);
}

PatchPlan Plan(const RequestHead& head, const UploadView& upload,
               const ServerPolicy& policy = ServerPolicy{}) {
  auto result = DecidePatch(head, upload, policy);
  if (auto* failure = std::get_if<Failure>(&result)) {
    ADD_FAILURE() << "refused: " << Describe(failure->code).code << " " << failure->detail;
    return PatchPlan{};
  }
  return std::get<PatchPlan>(result);
}

// ---- Successes ----

TEST(DecidePatchTest, BodyWithinKnownLength) {
  PatchPlan plan = Plan(Patch(40, {}, 60), MakeUpload(100, 40));
  EXPECT_EQ(plan.offset, 40u);
  EXPECT_EQ(plan.max_body_bytes, 60u);
  EXPECT_EQ(plan.set_length, std::nullopt);
  EXPECT_FALSE(plan.checksum);
}

TEST(DecidePatchTest, ChunkedBodyIsBoundedByWhatIsLeft) {
  EXPECT_EQ(Plan(Patch(40, {}, std::nullopt, true), MakeUpload(100, 40)).max_body_bytes, 60u);
}

TEST(DecidePatchTest, DeferredUploadIsBoundedByMaxSizeOrUnlimited) {
  EXPECT_EQ(Plan(Patch(10, {}, 5), MakeUpload(std::nullopt, 10)).max_body_bytes, kUnlimited);
  EXPECT_EQ(Plan(Patch(10, {}, 5), MakeUpload(std::nullopt, 10), WithMaxSize(100)).max_body_bytes,
            90u);
}

TEST(DecidePatchTest, EmptyPatchOnACompleteUploadIsAccepted) {
  PatchPlan plan = Plan(Patch(10, {}, 0), MakeUpload(10, 10, UploadState::kComplete));
  EXPECT_EQ(plan.max_body_bytes, 0u);
}

TEST(DecidePatchTest, DeclaresADeferredLength) {
  PatchPlan plan =
      Plan(Patch(10, {{"Upload-Length", "50"}}, 40), MakeUpload(std::nullopt, 10), WithMaxSize(50));
  EXPECT_EQ(plan.set_length, 50u);
  EXPECT_EQ(plan.max_body_bytes, 40u);
}

TEST(DecidePatchTest, DeclaredLengthMayEqualTheOffset) {
  PatchPlan plan = Plan(Patch(10, {{"Upload-Length", "10"}}, 0), MakeUpload(std::nullopt, 10));
  EXPECT_EQ(plan.set_length, 10u);
  EXPECT_EQ(plan.max_body_bytes, 0u);
}

TEST(DecidePatchTest, RepeatingTheKnownLengthIsHarmless) {
  PatchPlan plan = Plan(Patch(0, {{"Upload-Length", "100"}}, 10), MakeUpload(100, 0));
  EXPECT_EQ(plan.set_length, std::nullopt);
  EXPECT_EQ(plan.max_body_bytes, 100u);
}

TEST(DecidePatchTest, ContentTypeParametersAndCaseAreTolerated) {
  for (std::string type :
       {"Application/Offset+Octet-Stream", "application/offset+octet-stream; charset=binary"}) {
    Fields fields = {{"Content-Type", type}, {"Upload-Offset", "0"}};
    EXPECT_FALSE(FailureCode(DecidePatch(MakeHead("PATCH", fields, 1), MakeUpload(5, 0), {})))
        << type;
  }
}

TEST(DecidePatchTest, ChecksumIsParsed) {
  PatchPlan plan = Plan(Patch(0, {{"Upload-Checksum", kSha1Hello}}, 5), MakeUpload(5, 0));
  ASSERT_TRUE(plan.checksum);
  EXPECT_EQ(plan.checksum->algorithm, "sha1");
}

TEST(DecidePatchTest, PartialConcatUploadsArePatchedNormally) {
  UploadView upload = MakeUpload(5, 0);
  upload.concat_partial = true;
  EXPECT_EQ(Plan(Patch(0, {}, 5), upload).max_body_bytes, 5u);
}

// ---- Refusals ----

struct RefusalCase {
  std::string name;
  RequestHead head;
  UploadView upload;
  ServerPolicy policy = ServerPolicy{};
  ErrorCode expected = ErrorCode::kInternal;
};

class DecidePatchRefusalTest : public ::testing::TestWithParam<RefusalCase> {};

TEST_P(DecidePatchRefusalTest, Refuses) {
  const RefusalCase& c = GetParam();
  auto result = DecidePatch(c.head, c.upload, c.policy);
  ASSERT_TRUE(std::holds_alternative<Failure>(result));
  EXPECT_EQ(Describe(std::get<Failure>(result).code).code, Describe(c.expected).code);
}

UploadView FinalUpload() {
  UploadView upload = MakeUpload(10, 10, UploadState::kComplete);
  upload.concat_final = true;
  upload.concat_part_urls = {"/files/a"};
  return upload;
}

// Gone uploads come first, whatever else is wrong.
std::vector<RefusalCase> GoneCases() {
  const RequestHead bad_type = MakeHead("PATCH", {{"Upload-Offset", "0"}}, 1);
  return {
      {"Expired",
       bad_type,
       MakeUpload(100, 0, UploadState::kExpired),
       {},
       ErrorCode::kUploadExpired},
      {"Terminated",
       Patch(0, {}, 1),
       MakeUpload(100, 0, UploadState::kTerminated),
       {},
       ErrorCode::kUploadTerminated},
  };
}

// Duplicates.
std::vector<RefusalCase> DuplicateCases() {
  const UploadView half = MakeUpload(100, 50);
  const UploadView deferred = MakeUpload(std::nullopt, 50);
  return {
      {"DuplicateOffset",
       Patch(50, {{"Upload-Offset", "50"}}, 1),
       half,
       {},
       ErrorCode::kDuplicateHeader},
      {"DuplicateLength",
       Patch(50, {{"Upload-Length", "9"}, {"Upload-Length", "9"}}),
       deferred,
       {},
       ErrorCode::kDuplicateHeader},
      {"DuplicateChecksum",
       Patch(50, {{"Upload-Checksum", kSha1Hello}, {"Upload-Checksum", "x"}}),
       half,
       {},
       ErrorCode::kDuplicateHeader},
      {"DuplicateBeforeContentType",
       MakeHead("PATCH", {{"Upload-Offset", "1"}, {"Upload-Offset", "1"}}, 1),
       half,
       {},
       ErrorCode::kDuplicateHeader},
  };
}

// Content-Type (before offset checks, as tusd).
std::vector<RefusalCase> ContentTypeCases() {
  const UploadView half = MakeUpload(100, 50);
  const RequestHead bad_type = MakeHead("PATCH", {{"Upload-Offset", "0"}}, 1);
  return {
      {"NoContentType", bad_type, half, {}, ErrorCode::kInvalidContentType},
      {"OtherContentType",
       MakeHead("PATCH", {{"Content-Type", "application/octet-stream"}, {"Upload-Offset", "50"}},
                1),
       half,
       {},
       ErrorCode::kInvalidContentType},
      {"ContentTypeEvenWithoutBody",
       MakeHead("PATCH", {{"Upload-Offset", "50"}}),
       half,
       {},
       ErrorCode::kInvalidContentType},
      {"ContentTypeBeforeFinal", bad_type, FinalUpload(), {}, ErrorCode::kInvalidContentType},
  };
}

// Upload-Offset.
std::vector<RefusalCase> OffsetCases() {
  const UploadView half = MakeUpload(100, 50);
  return {
      {"NoOffset",
       MakeHead("PATCH", {{"Content-Type", kOctets}}, 1),
       half,
       {},
       ErrorCode::kInvalidOffset},
      {"NegativeOffset",
       MakeHead("PATCH", {{"Content-Type", kOctets}, {"Upload-Offset", "-1"}}, 1),
       half,
       {},
       ErrorCode::kInvalidOffset},
      {"EmptyOffset",
       MakeHead("PATCH", {{"Content-Type", kOctets}, {"Upload-Offset", ""}}, 1),
       half,
       {},
       ErrorCode::kInvalidOffset},
      {"TextOffset",
       MakeHead("PATCH", {{"Content-Type", kOctets}, {"Upload-Offset", "5O"}}, 1),
       half,
       {},
       ErrorCode::kInvalidOffset},
      {"MalformedOffsetBeforeFinal",
       MakeHead("PATCH", {{"Content-Type", kOctets}, {"Upload-Offset", "x"}}),
       FinalUpload(),
       {},
       ErrorCode::kInvalidOffset},
  };
}

// Final concatenated uploads.
std::vector<RefusalCase> FinalCases() {
  return {
      {"Final", Patch(10, {}, 1), FinalUpload(), {}, ErrorCode::kConcatFinalPatch},
      {"FinalBeforeMismatch", Patch(0, {}, 1), FinalUpload(), {}, ErrorCode::kConcatFinalPatch},
  };
}

// Offset mismatch.
std::vector<RefusalCase> MismatchCases() {
  const UploadView half = MakeUpload(100, 50);
  const UploadView deferred = MakeUpload(std::nullopt, 50);
  return {
      {"OffsetBehind", Patch(40, {}, 1), half, {}, ErrorCode::kMismatchedOffset},
      {"OffsetAhead", Patch(60, {}, 1), half, {}, ErrorCode::kMismatchedOffset},
      {"MismatchBeforeLength",
       Patch(0, {{"Upload-Length", "x"}}, 1),
       deferred,
       {},
       ErrorCode::kMismatchedOffset},
      {"MismatchBeforeSize", Patch(0, {}, 1000), half, {}, ErrorCode::kMismatchedOffset},
  };
}

// Upload-Length in a PATCH.
std::vector<RefusalCase> LengthCases() {
  const UploadView half = MakeUpload(100, 50);
  const UploadView deferred = MakeUpload(std::nullopt, 50);
  return {
      {"LengthMalformed",
       Patch(50, {{"Upload-Length", "x"}}, 1),
       deferred,
       {},
       ErrorCode::kInvalidLength},
      {"LengthAlreadySet",
       Patch(50, {{"Upload-Length", "99"}}, 1),
       half,
       {},
       ErrorCode::kLengthAlreadySet},
      {"LengthBelowOffset",
       Patch(50, {{"Upload-Length", "49"}}, 0),
       deferred,
       {},
       ErrorCode::kLengthBelowOffset},
      {"LengthAboveMaxSize", Patch(50, {{"Upload-Length", "1001"}}, 0), deferred, WithMaxSize(1000),
       ErrorCode::kMaxSizeExceeded},
  };
}

// Body size.
std::vector<RefusalCase> BodySizeCases() {
  const UploadView half = MakeUpload(100, 50);
  const UploadView deferred = MakeUpload(std::nullopt, 50);
  return {
      {"BodyPastLength", Patch(50, {}, 51), half, {}, ErrorCode::kSizeExceeded},
      {"BodyPastDeclaredLength",
       Patch(50, {{"Upload-Length", "60"}}, 11),
       deferred,
       {},
       ErrorCode::kSizeExceeded},
      {"BodyPastMaxSizeWhileDeferred", Patch(50, {}, 951), deferred, WithMaxSize(1000),
       ErrorCode::kSizeExceeded},
      {"BodyOnCompleteUpload",
       Patch(10, {}, 1),
       MakeUpload(10, 10, UploadState::kComplete),
       {},
       ErrorCode::kSizeExceeded},
      {"SizeBeforeChecksum",
       Patch(50, {{"Upload-Checksum", "bad"}}, 51),
       half,
       {},
       ErrorCode::kSizeExceeded},
  };
}

// Upload-Checksum.
std::vector<RefusalCase> ChecksumCases() {
  const UploadView half = MakeUpload(100, 50);
  return {
      {"ChecksumMalformed",
       Patch(50, {{"Upload-Checksum", "sha1 ?"}}, 1),
       half,
       {},
       ErrorCode::kInvalidChecksumHeader},
      {"ChecksumUnsupported",
       Patch(50, {{"Upload-Checksum", "sha512 " + EncodeBase64(std::string(64, 0))}}, 1),
       half,
       {},
       ErrorCode::kUnsupportedChecksum},
      {"ChecksumWithNoAlgorithmsOffered", Patch(50, {{"Upload-Checksum", kSha1Hello}}, 1), half,
       [] {
         ServerPolicy policy;
         policy.checksum_algorithms.clear();
         return policy;
       }(),
       ErrorCode::kUnsupportedChecksum},
  };
}

std::vector<RefusalCase> RefusalCases() {
  std::vector<RefusalCase> cases;
  for (auto group : {GoneCases, DuplicateCases, ContentTypeCases, OffsetCases, FinalCases,
                     MismatchCases, LengthCases, BodySizeCases, ChecksumCases}) {
    std::vector<RefusalCase> more = group();
    cases.insert(cases.end(), more.begin(), more.end());
  }
  return cases;
}

INSTANTIATE_TEST_SUITE_P(Table, DecidePatchRefusalTest, ::testing::ValuesIn(RefusalCases()),
                         [](const auto& info) { return info.param.name; });

TEST(DecidePatchTest, MismatchCarriesTheCurrentOffset) {
  auto result = DecidePatch(Patch(40, {}, 1), MakeUpload(100, 50), ServerPolicy{});
  ASSERT_EQ(FailureCode(result), ErrorCode::kMismatchedOffset);
  const Failure& failure = std::get<Failure>(result);
  ASSERT_EQ(failure.headers.size(), 1u);
  EXPECT_EQ(Find(failure.headers, "Upload-Offset"), "50");
  EXPECT_EQ(failure.detail, "upload is at 50, request sent 40");
}

// ---- 204 ----

TEST(PatchedResponseTest, NewOffset) {
  Response response = PatchedResponse(MakeUpload(100, 70), ServerPolicy{});
  EXPECT_EQ(response.status, 204);
  EXPECT_TRUE(response.body.empty());
  EXPECT_EQ(Find(response.headers, "Upload-Offset"), "70");
  EXPECT_FALSE(Find(response.headers, "Upload-Expires"));
}

TEST(PatchedResponseTest, ExpiresWhileUnfinishedWhenPolicyExpires) {
  UploadView upload = MakeUpload(100, 70);
  upload.expires_at = 784111777;
  EXPECT_EQ(Find(PatchedResponse(upload, ServerPolicy{}).headers, "Upload-Expires"),
            "Sun, 06 Nov 1994 08:49:37 GMT");
  ServerPolicy no_expiry;
  no_expiry.expiration = false;
  EXPECT_FALSE(Find(PatchedResponse(upload, no_expiry).headers, "Upload-Expires"));
  upload.offset = 100;
  EXPECT_FALSE(Find(PatchedResponse(upload, ServerPolicy{}).headers, "Upload-Expires"));
}

}  // namespace
}  // namespace tuskd::protocol
