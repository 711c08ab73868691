// PATCH <base><id> under the draft: DecideIetfAppend for each interop version.
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
using testing::MakeUpload;

constexpr uint64_t kUnlimited = std::numeric_limits<uint64_t>::max();

Fields Completeness(int version, bool completes) {
  if (version == 3) return {{"Upload-Incomplete", completes ? "?0" : "?1"}};
  return {{"Upload-Complete", completes ? "?1" : "?0"}};
}

// A well-formed append at `offset` for `version`, plus `extra` fields.
RequestHead Patch(int version, uint64_t offset, bool completes, Fields extra = {},
                  std::optional<uint64_t> content_length = std::nullopt, bool chunked = false) {
  Fields fields = {{"Upload-Draft-Interop-Version", std::to_string(version)},
                   {"Upload-Offset", std::to_string(offset)},
                   {"Content-Type", "application/partial-upload"}};
  for (auto& field : Completeness(version, completes)) fields.push_back(field);
  fields.insert(fields.end(), extra.begin(), extra.end());
  return MakeHead("PATCH", fields, content_length, chunked);
}

IetfAppendPlan Plan(const RequestHead& head, int version, const UploadView& upload,
                    const ServerPolicy& policy = {}) {
  auto result = DecideIetfAppend(head, Draft(version), upload, policy);
  EXPECT_TRUE(std::holds_alternative<IetfAppendPlan>(result))
      << Describe(*IetfFailureCode(result)).code;
  if (auto* plan = std::get_if<IetfAppendPlan>(&result)) return *plan;
  return {};
}

std::optional<ErrorCode> Refusal(const RequestHead& head, int version, const UploadView& upload,
                                 const ServerPolicy& policy = {}) {
  return IetfFailureCode(DecideIetfAppend(head, Draft(version), upload, policy));
}

class IetfAppendDecisionTest : public ::testing::TestWithParam<int> {
 protected:
  int v() const { return GetParam(); }
};

TEST_P(IetfAppendDecisionTest, IncompleteAppendToADeferredUpload) {
  IetfAppendPlan plan = Plan(Patch(v(), 10, false, {}, 5), v(), MakeUpload(std::nullopt, 10));
  EXPECT_EQ(plan.offset, 10u);
  EXPECT_FALSE(plan.completes);
  EXPECT_EQ(plan.set_length, std::nullopt);
  EXPECT_EQ(plan.limit.max_bytes, kUnlimited);
}

TEST_P(IetfAppendDecisionTest, CompletingAppendFixesTheLength) {
  IetfAppendPlan plan = Plan(Patch(v(), 10, true, {}, 5), v(), MakeUpload(std::nullopt, 10));
  EXPECT_TRUE(plan.completes);
  EXPECT_EQ(plan.set_length, 15u);
  EXPECT_EQ(plan.limit.max_bytes, 5u);
  EXPECT_TRUE(plan.limit.is_length);
  // An empty completing append: the upload ends where it stands.
  EXPECT_EQ(Plan(Patch(v(), 10, true), v(), MakeUpload(std::nullopt, 10)).set_length, 10u);
  // Chunked: only the body's end tells.
  IetfAppendPlan chunked =
      Plan(Patch(v(), 10, true, {}, std::nullopt, true), v(), MakeUpload(std::nullopt, 10));
  EXPECT_TRUE(chunked.length_from_body);
  EXPECT_EQ(chunked.set_length, std::nullopt);
}

TEST_P(IetfAppendDecisionTest, KnownLengthsMustAgree) {
  UploadView upload = MakeUpload(100, 10);
  EXPECT_EQ(Refusal(Patch(v(), 10, true, {}, 5), v(), upload), ErrorCode::kInconsistentLength);
  EXPECT_EQ(Refusal(Patch(v(), 10, false, {}, 91), v(), upload), ErrorCode::kInconsistentLength);
  EXPECT_EQ(Refusal(Patch(v(), 10, false, {{"Upload-Length", "99"}}, 5), v(), upload),
            ErrorCode::kInconsistentLength);
  IetfAppendPlan last = Plan(Patch(v(), 10, true, {}, 90), v(), upload);
  EXPECT_EQ(last.set_length, std::nullopt) << "the upload already has that length";
  EXPECT_EQ(last.limit.max_bytes, 90u);
}

TEST_P(IetfAppendDecisionTest, UploadLengthOnAnAppendDeclaresIt) {
  IetfAppendPlan plan =
      Plan(Patch(v(), 10, false, {{"Upload-Length", "40"}}, 5), v(), MakeUpload(std::nullopt, 10));
  EXPECT_EQ(plan.set_length, 40u);
  EXPECT_EQ(plan.limit.max_bytes, 30u);
  EXPECT_EQ(
      Refusal(Patch(v(), 10, false, {{"Upload-Length", "9"}}), v(), MakeUpload(std::nullopt, 10)),
      ErrorCode::kInconsistentLength);
}

TEST_P(IetfAppendDecisionTest, WrongOffsetIs409WithBothOffsets) {
  auto result = DecideIetfAppend(Patch(v(), 3, false, {}, 2), Draft(v()),
                                 MakeUpload(std::nullopt, 10), ServerPolicy{});
  ASSERT_TRUE(std::holds_alternative<IetfFailure>(result));
  const IetfFailure& failure = std::get<IetfFailure>(result);
  EXPECT_EQ(failure.failure.code, ErrorCode::kMismatchedOffset);
  EXPECT_EQ(failure.expected_offset, 10u);
  EXPECT_EQ(failure.provided_offset, 3u);
  EXPECT_EQ(testing::Find(failure.failure.headers, "Upload-Offset"), "10");
}

TEST_P(IetfAppendDecisionTest, CompleteUploadsTakeNoMoreBytes) {
  UploadView done = MakeUpload(10, 10, UploadState::kComplete);
  std::optional<ErrorCode> bytes = Refusal(Patch(v(), 10, false, {}, 1), v(), done);
  EXPECT_EQ(bytes, v() == 8 ? ErrorCode::kInconsistentLength : ErrorCode::kUploadCompleted);
  EXPECT_EQ(Refusal(Patch(v(), 10, false), v(), done), ErrorCode::kUploadCompleted);
  // Completing it again without bytes asks for the state it has: a lost answer's retry.
  EXPECT_TRUE(Plan(Patch(v(), 10, true), v(), done).already_complete);
}

TEST_P(IetfAppendDecisionTest, GoneUploadsAreNotFound) {
  EXPECT_EQ(Refusal(Patch(v(), 0, false), v(), MakeUpload(5, 0, UploadState::kTerminated)),
            ErrorCode::kUploadNotFound);
  EXPECT_EQ(Refusal(Patch(v(), 0, false), v(), MakeUpload(5, 0, UploadState::kExpired)),
            ErrorCode::kUploadNotFound);
}

TEST_P(IetfAppendDecisionTest, MaxSize) {
  ServerPolicy policy;
  policy.max_size = 100;
  UploadView deferred = MakeUpload(std::nullopt, 90);
  EXPECT_EQ(Refusal(Patch(v(), 90, false, {}, 11), v(), deferred, policy),
            ErrorCode::kSizeExceeded);
  EXPECT_EQ(Refusal(Patch(v(), 90, false, {{"Upload-Length", "101"}}), v(), deferred, policy),
            ErrorCode::kMaxSizeExceeded);
  IetfAppendPlan plan = Plan(Patch(v(), 90, false, {}, 10), v(), deferred, policy);
  EXPECT_EQ(plan.limit.max_bytes, 10u);
  EXPECT_FALSE(plan.limit.is_length);
}

TEST_P(IetfAppendDecisionTest, MalformedFieldsAreRefused) {
  UploadView upload = MakeUpload(std::nullopt, 0);
  RequestHead no_offset = MakeHead(
      "PATCH", {{"Upload-Draft-Interop-Version", std::to_string(v())}, {"Upload-Complete", "?0"}});
  EXPECT_EQ(Refusal(no_offset, v(), upload), ErrorCode::kInvalidOffset);
  EXPECT_EQ(Refusal(Patch(v(), 0, false, {{"Upload-Length", "x"}}), v(), upload),
            ErrorCode::kInvalidLength);
  EXPECT_EQ(Refusal(Patch(v(), 0, false, {{"Upload-Offset", "0"}}), v(), upload),
            ErrorCode::kDuplicateHeader);
}

TEST_P(IetfAppendDecisionTest, AFinalConcatenatedUploadIsNotWritable) {
  UploadView final_upload = MakeUpload(std::nullopt, 0);
  final_upload.concat_final = true;
  EXPECT_EQ(Refusal(Patch(v(), 0, false, {}, 1), v(), final_upload), ErrorCode::kConcatFinalPatch);
}

INSTANTIATE_TEST_SUITE_P(Versions, IetfAppendDecisionTest, ::testing::Values(3, 5, 6, 8),
                         [](const auto& info) { return "v" + std::to_string(info.param); });

TEST(IetfAppendFieldTest, PartialUploadContentTypeFromVersion6) {
  UploadView upload = MakeUpload(std::nullopt, 0);
  for (int v : {3, 5, 6, 8}) {
    RequestHead head = MakeHead("PATCH",
                                {{"Upload-Draft-Interop-Version", std::to_string(v)},
                                 {"Upload-Offset", "0"},
                                 {"Upload-Complete", "?0"},
                                 {"Upload-Incomplete", "?1"},
                                 {"Content-Type", "application/offset+octet-stream"}},
                                4);
    std::optional<ErrorCode> expected;
    if (v >= 6) expected = ErrorCode::kPartialUploadContentType;
    EXPECT_EQ(Refusal(head, v, upload), expected) << v;
  }
  // A body-less append has no media to label.
  RequestHead empty = MakeHead(
      "PATCH",
      {{"Upload-Draft-Interop-Version", "8"}, {"Upload-Offset", "0"}, {"Upload-Complete", "?1"}});
  EXPECT_EQ(Refusal(empty, 8, upload), std::nullopt);
}

TEST(IetfAppendFieldTest, AMissingCompletenessFieldReadsAsEachDraftSays) {
  UploadView upload = MakeUpload(std::nullopt, 0);
  auto bare = [](int v) {
    return MakeHead("PATCH",
                    {{"Upload-Draft-Interop-Version", std::to_string(v)},
                     {"Upload-Offset", "0"},
                     {"Content-Type", "application/partial-upload"}},
                    4);
  };
  EXPECT_TRUE(Plan(bare(3), 3, upload).completes);
  EXPECT_FALSE(Plan(bare(5), 5, upload).completes);
  EXPECT_FALSE(Plan(bare(6), 6, upload).completes);
  EXPECT_EQ(Refusal(bare(8), 8, upload), ErrorCode::kInvalidUploadComplete);
}

// What the handler checks before it ends a running request: the request alone, never the upload.
TEST(IetfAppendFieldTest, RequestChecksNeedNoUpload) {
  RequestHead good = MakeHead("PATCH",
                              {{"Upload-Draft-Interop-Version", "8"},
                               {"Upload-Offset", "123"},
                               {"Upload-Complete", "?0"},
                               {"Content-Type", "application/partial-upload"}},
                              4);
  EXPECT_EQ(IetfFailureCode(CheckIetfAppendRequest(good, Draft(8))), std::nullopt)
      << "a stale offset is for the upload's state to judge";
  RequestHead bad_offset = good;
  bad_offset.headers = testing::MakeHeaders({{"Upload-Offset", "x"}, {"Upload-Complete", "?0"}});
  bad_offset.content_length = std::nullopt;
  EXPECT_EQ(IetfFailureCode(CheckIetfAppendRequest(bad_offset, Draft(8))),
            ErrorCode::kInvalidOffset);
  RequestHead untyped = good;
  untyped.headers = testing::MakeHeaders({{"Upload-Offset", "0"}, {"Upload-Complete", "?0"}});
  EXPECT_EQ(IetfFailureCode(CheckIetfAppendRequest(untyped, Draft(8))),
            ErrorCode::kPartialUploadContentType);
  EXPECT_EQ(IetfFailureCode(CheckIetfAppendRequest(untyped, Draft(5))), std::nullopt);
}

}  // namespace
}  // namespace tuskd::protocol
