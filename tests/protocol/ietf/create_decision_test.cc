// POST <base> under the draft: DecideIetfCreate for each interop version.
#include <gtest/gtest.h>

#include <limits>

#include "protocol/ietf/decisions.h"
#include "tests/protocol/ietf/ietf_test_util.h"
#include "tests/protocol/protocol_test_util.h"

namespace tuskd::protocol {
namespace {

using testing::Draft;
using testing::Fields;
using testing::IetfFailureCode;
using testing::MakeHead;

constexpr uint64_t kUnlimited = std::numeric_limits<uint64_t>::max();

ServerPolicy WithMaxSize(uint64_t max_size) {
  ServerPolicy policy;
  policy.max_size = max_size;
  return policy;
}

// The completeness field as `version` spells it, saying the request `completes` the upload.
Fields Completeness(int version, bool completes) {
  if (version == 3) return {{"Upload-Incomplete", completes ? "?0" : "?1"}};
  return {{"Upload-Complete", completes ? "?1" : "?0"}};
}

RequestHead Post(int version, bool completes, Fields extra = {},
                 std::optional<uint64_t> content_length = std::nullopt, bool chunked = false) {
  Fields fields = {{"Upload-Draft-Interop-Version", std::to_string(version)}};
  for (auto& field : Completeness(version, completes)) fields.push_back(field);
  fields.insert(fields.end(), extra.begin(), extra.end());
  return MakeHead("POST", fields, content_length, chunked);
}

IetfCreatePlan Plan(const RequestHead& head, int version, const ServerPolicy& policy = {}) {
  auto result = DecideIetfCreate(head, Draft(version), policy);
  EXPECT_TRUE(std::holds_alternative<IetfCreatePlan>(result))
      << Describe(*IetfFailureCode(result)).code;
  if (auto* plan = std::get_if<IetfCreatePlan>(&result)) return *plan;
  return {};
}

std::optional<ErrorCode> Refusal(const RequestHead& head, int version,
                                 const ServerPolicy& policy = {}) {
  return IetfFailureCode(DecideIetfCreate(head, Draft(version), policy));
}

class IetfCreateDecisionTest : public ::testing::TestWithParam<int> {};

TEST_P(IetfCreateDecisionTest, IncompleteWithoutBodyHasNoLengthYet) {
  IetfCreatePlan plan = Plan(Post(GetParam(), false), GetParam());
  EXPECT_FALSE(plan.completes);
  EXPECT_EQ(plan.length, std::nullopt);
  EXPECT_FALSE(plan.length_from_body);
  EXPECT_EQ(plan.limit.max_bytes, kUnlimited);
  EXPECT_FALSE(plan.limit.is_length);
}

TEST_P(IetfCreateDecisionTest, CompleteWithContentLengthKnowsItsLength) {
  IetfCreatePlan plan = Plan(Post(GetParam(), true, {}, 100), GetParam());
  EXPECT_TRUE(plan.completes);
  EXPECT_EQ(plan.length, 100u);
  EXPECT_EQ(plan.limit.max_bytes, 100u);
  EXPECT_TRUE(plan.limit.is_length);
}

TEST_P(IetfCreateDecisionTest, CompleteWithoutAnyBodyIsAnEmptyUpload) {
  EXPECT_EQ(Plan(Post(GetParam(), true), GetParam()).length, 0u);
}

TEST_P(IetfCreateDecisionTest, CompleteChunkedLearnsItsLengthFromTheBody) {
  IetfCreatePlan plan = Plan(Post(GetParam(), true, {}, std::nullopt, true), GetParam());
  EXPECT_EQ(plan.length, std::nullopt);
  EXPECT_TRUE(plan.length_from_body);
}

TEST_P(IetfCreateDecisionTest, UploadLengthDeclaresTheLengthOfAnIncompleteUpload) {
  // tus-js-client sends Upload-Length with every draft version it speaks.
  IetfCreatePlan plan = Plan(Post(GetParam(), false, {{"Upload-Length", "500"}}, 20), GetParam());
  EXPECT_EQ(plan.length, 500u);
  EXPECT_EQ(plan.limit.max_bytes, 500u);
  EXPECT_TRUE(plan.limit.is_length);
}

TEST_P(IetfCreateDecisionTest, LengthsThatDisagreeAreInconsistent) {
  int v = GetParam();
  EXPECT_EQ(Refusal(Post(v, true, {{"Upload-Length", "50"}}, 40), v),
            ErrorCode::kInconsistentLength);
  EXPECT_EQ(Refusal(Post(v, false, {{"Upload-Length", "50"}}, 60), v),
            ErrorCode::kInconsistentLength);
  EXPECT_EQ(Plan(Post(v, true, {{"Upload-Length", "50"}}, 50), v).length, 50u);
}

TEST_P(IetfCreateDecisionTest, MaxSizeRefusesLargerUploadsWith413) {
  int v = GetParam();
  ServerPolicy policy = WithMaxSize(100);
  EXPECT_EQ(Refusal(Post(v, false, {{"Upload-Length", "101"}}), v, policy),
            ErrorCode::kMaxSizeExceeded);
  EXPECT_EQ(Refusal(Post(v, true, {}, 101), v, policy), ErrorCode::kMaxSizeExceeded);
  EXPECT_EQ(Refusal(Post(v, false, {}, 101), v, policy), ErrorCode::kSizeExceeded);
  IetfCreatePlan deferred = Plan(Post(v, false, {}, 10), v, policy);
  EXPECT_EQ(deferred.limit.max_bytes, 100u);
  EXPECT_FALSE(deferred.limit.is_length) << "passing --max-size is a 413, not a length error";
}

TEST_P(IetfCreateDecisionTest, MalformedFieldsAreRefused) {
  int v = GetParam();
  EXPECT_EQ(Refusal(Post(v, false, {{"Upload-Length", "-1"}}), v), ErrorCode::kInvalidLength);
  EXPECT_EQ(Refusal(Post(v, false, {{"Upload-Length", "1"}, {"Upload-Length", "1"}}), v),
            ErrorCode::kDuplicateHeader);
  EXPECT_EQ(Refusal(Post(v, false, {{"Upload-Metadata", "name !!!"}}), v),
            ErrorCode::kInvalidMetadata);
}

TEST_P(IetfCreateDecisionTest, TusMetadataIsKept) {
  IetfCreatePlan plan =
      Plan(Post(GetParam(), false, {{"Upload-Metadata", "filename YS50eHQ="}}), GetParam());
  EXPECT_EQ(plan.metadata_raw, "filename YS50eHQ=");
  EXPECT_EQ(MetadataValue(plan.metadata, "filename"), "a.txt");
}

INSTANTIATE_TEST_SUITE_P(Versions, IetfCreateDecisionTest, ::testing::Values(3, 5, 6, 8),
                         [](const auto& info) { return "v" + std::to_string(info.param); });

TEST(IetfCreateDecisionFieldTest, Version3TreatsAMissingUploadIncompleteAsComplete) {
  RequestHead head = MakeHead("POST", {{"Upload-Draft-Interop-Version", "3"}}, 7);
  IetfCreatePlan plan = Plan(head, 3);
  EXPECT_TRUE(plan.completes);
  EXPECT_EQ(plan.length, 7u);
}

TEST(IetfCreateDecisionFieldTest, LaterVersionsRequireUploadComplete) {
  for (int v : {5, 6, 8}) {
    RequestHead head = MakeHead("POST", {{"Upload-Draft-Interop-Version", std::to_string(v)}});
    EXPECT_EQ(Refusal(head, v), ErrorCode::kInvalidUploadComplete) << v;
    head.headers.Add("Upload-Complete", "yes");
    EXPECT_EQ(Refusal(head, v), ErrorCode::kInvalidUploadComplete) << v;
  }
}

}  // namespace
}  // namespace tuskd::protocol
