// The draft's body-less decisions and success responses: HEAD, DELETE's checks, OPTIONS, the
// 104 interim response, 201 after creation and the append answers.
#include "protocol/ietf/decisions.h"

#include <gtest/gtest.h>

#include "tests/protocol/ietf/ietf_test_util.h"
#include "tests/protocol/protocol_test_util.h"

namespace tuskd::protocol {
namespace {

using testing::CountOf;
using testing::Draft;
using testing::Find;
using testing::IetfFailureCode;
using testing::MakeHead;
using testing::MakeUpload;

constexpr int64_t kNow = 1'700'000'000;

ServerPolicy WithMaxSize(uint64_t max_size) {
  ServerPolicy policy;
  policy.max_size = max_size;
  return policy;
}

UploadView Unfinished(std::optional<uint64_t> length, uint64_t offset) {
  UploadView upload = MakeUpload(length, offset);
  upload.expires_at = kNow + 3600;
  return upload;
}

class IetfDecisionsTest : public ::testing::TestWithParam<int> {
 protected:
  int v() const { return GetParam(); }
  const IetfDraft& draft() const { return Draft(GetParam()); }
  std::string_view field() const { return v() == 3 ? "Upload-Incomplete" : "Upload-Complete"; }
};

TEST_P(IetfDecisionsTest, HeadReportsOffsetCompletenessAndNoStore) {
  auto result = DecideIetfHead(draft(), Unfinished(100, 40), WithMaxSize(1000), kNow);
  ASSERT_TRUE(std::holds_alternative<Response>(result));
  const Response& head = std::get<Response>(result);
  EXPECT_EQ(head.status, 204);
  EXPECT_EQ(Find(head.headers, "Upload-Offset"), "40");
  EXPECT_EQ(Find(head.headers, field()), v() == 3 ? "?1" : "?0");
  EXPECT_EQ(Find(head.headers, "Cache-Control"), "no-store");
  if (v() >= 6) {
    EXPECT_EQ(Find(head.headers, "Upload-Length"), "100");
    std::string lifetime = v() == 6 ? "expires=3600" : "max-age=3600";
    EXPECT_EQ(Find(head.headers, "Upload-Limit"), "max-size=1000, " + lifetime);
  } else {
    EXPECT_EQ(CountOf(head.headers, "Upload-Length"), 0u);
    EXPECT_EQ(CountOf(head.headers, "Upload-Limit"), 0u);
  }
}

TEST_P(IetfDecisionsTest, HeadOfACompleteUpload) {
  auto result =
      DecideIetfHead(draft(), MakeUpload(5, 5, UploadState::kComplete), ServerPolicy{}, kNow);
  const Response& head = std::get<Response>(result);
  EXPECT_EQ(Find(head.headers, field()), v() == 3 ? "?0" : "?1");
  if (v() >= 6) {
    EXPECT_EQ(Find(head.headers, "Upload-Limit"), "min-size=0");
  }
}

TEST_P(IetfDecisionsTest, GoneUploadsAreNotFound) {
  auto result = DecideIetfHead(draft(), MakeUpload(5, 0, UploadState::kTerminated), {}, kNow);
  EXPECT_EQ(IetfFailureCode(result), ErrorCode::kUploadNotFound);
  EXPECT_EQ(IetfFailureCode(CheckActive(MakeUpload(5, 0, UploadState::kExpired))),
            ErrorCode::kUploadNotFound);
  EXPECT_EQ(IetfFailureCode(CheckActive(MakeUpload(5, 0))), std::nullopt);
}

TEST_P(IetfDecisionsTest, StateFieldsOnHeadAndDeleteUntilVersion8) {
  std::optional<ErrorCode> refused;
  if (v() < 8) refused = ErrorCode::kStateFieldNotAllowed;
  RequestHead with_offset = MakeHead("HEAD", {{"Upload-Offset", "0"}});
  EXPECT_EQ(IetfFailureCode(CheckNoStateFields(with_offset, draft())), refused);
  RequestHead with_flag = MakeHead("DELETE", {{std::string(field()), "?1"}});
  EXPECT_EQ(IetfFailureCode(CheckNoStateFields(with_flag, draft())), refused);
  RequestHead with_length = MakeHead("HEAD", {{"Upload-Length", "1"}});
  std::optional<ErrorCode> length_refused;
  if (v() == 6) length_refused = ErrorCode::kStateFieldNotAllowed;
  EXPECT_EQ(IetfFailureCode(CheckNoStateFields(with_length, draft())), length_refused);
  EXPECT_EQ(IetfFailureCode(CheckNoStateFields(MakeHead("HEAD", {}), draft())), std::nullopt);
}

TEST_P(IetfDecisionsTest, OptionsAddsUploadLimitAndAcceptPatch) {
  Response options = IetfOptionsResponse(draft(), WithMaxSize(77));
  EXPECT_EQ(Find(options.headers, "Tus-Version"), "1.0.0") << "tus discovery stays";
  if (v() >= 6) {
    EXPECT_EQ(Find(options.headers, "Upload-Limit"), "max-size=77");
  } else {
    EXPECT_EQ(CountOf(options.headers, "Upload-Limit"), 0u);
  }
  EXPECT_EQ(CountOf(options.headers, "Accept-Patch"), v() == 8 ? 1u : 0u);
  if (v() == 8) {
    EXPECT_EQ(Find(options.headers, "Accept-Patch"), "application/partial-upload");
  }
}

TEST_P(IetfDecisionsTest, InterimResponseNamesVersionAndLocation) {
  HeaderList interim =
      IetfInterimHeaders(draft(), Unfinished(std::nullopt, 0), "http://h/files/x", {}, kNow);
  EXPECT_EQ(Find(interim, "Upload-Draft-Interop-Version"), std::to_string(v()));
  EXPECT_EQ(Find(interim, "Location"), "http://h/files/x");
  EXPECT_EQ(CountOf(interim, "Upload-Limit"), v() >= 6 ? 1u : 0u);
}

TEST_P(IetfDecisionsTest, CreatedResponse) {
  Response created =
      IetfCreatedResponse(draft(), Unfinished(50, 20), "http://h/files/x", WithMaxSize(90), kNow);
  EXPECT_EQ(created.status, 201);
  EXPECT_EQ(Find(created.headers, "Location"), "http://h/files/x");
  EXPECT_EQ(Find(created.headers, "Upload-Offset"), "20");
  EXPECT_EQ(Find(created.headers, field()), v() == 3 ? "?1" : "?0");
  EXPECT_EQ(CountOf(created.headers, "Upload-Length"), v() >= 6 ? 1u : 0u);
  EXPECT_EQ(CountOf(created.headers, "Upload-Limit"), v() >= 6 ? 1u : 0u);
}

TEST_P(IetfDecisionsTest, AppendedResponseStatusPerVersion) {
  Response unfinished = IetfAppendedResponse(draft(), MakeUpload(std::nullopt, 7));
  UploadView done = MakeUpload(9, 9, UploadState::kComplete);
  done.sha256_hex = std::string(64, 'a');
  Response finished = IetfAppendedResponse(draft(), done);
  EXPECT_EQ(unfinished.status, v() == 8 ? 204 : 201);
  EXPECT_EQ(finished.status, v() == 8 ? 200 : 201);
  EXPECT_EQ(Find(unfinished.headers, "Upload-Offset"), "7");
  EXPECT_EQ(Find(finished.headers, "Upload-Offset"), "9");
  EXPECT_EQ(Find(finished.headers, field()), v() == 3 ? "?0" : "?1");
  EXPECT_TRUE(Find(finished.headers, "Repr-Digest").has_value());
}

INSTANTIATE_TEST_SUITE_P(Versions, IetfDecisionsTest, ::testing::Values(3, 5, 6, 8),
                         [](const auto& info) { return "v" + std::to_string(info.param); });

}  // namespace
}  // namespace tuskd::protocol
