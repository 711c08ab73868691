// POST <base>: DecideCreate's successes and CreatedResponse (refusals: create_refusal_test.cc).
#include <gtest/gtest.h>

#include <limits>
#include <optional>
#include <variant>

#include "protocol/decisions.h"
#include "tests/protocol/create_test_util.h"
#include "tests/protocol/protocol_test_util.h"

namespace tuskd::protocol {
namespace {

using testing::FailureCode;
using testing::Find;
using testing::kOctets;
using testing::kSha1Hello;
using testing::MakeHead;
using testing::MakeUpload;
using testing::WithConcatenation;
using testing::WithMaxSize;

constexpr uint64_t kUnlimited = std::numeric_limits<uint64_t>::max();

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
  CreatePlan plan = Plan(MakeHead("POST", {{"Upload-Length", "100"}, {"Content-Type", kOctets}},
                                  /*content_length=*/50));
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
