// Tus-Resumable, method override, OPTIONS, the gone-upload check, HEAD and DELETE.
#include "protocol/decisions.h"

#include <gtest/gtest.h>

#include "tests/protocol/protocol_test_util.h"

namespace tuskd::protocol {
namespace {

using testing::CountOf;
using testing::FailureCode;
using testing::Fields;
using testing::Find;
using testing::MakeHead;
using testing::MakeHeaders;
using testing::MakeUpload;

// ---- Tus-Resumable ----

struct VersionCase {
  std::string method;
  Fields fields;
  bool accepted;
};

class CheckTusResumableTest : public ::testing::TestWithParam<VersionCase> {};

TEST_P(CheckTusResumableTest, Decides) {
  std::optional<Failure> failure =
      CheckTusResumable(GetParam().method, MakeHead(GetParam().method, GetParam().fields).headers);
  if (GetParam().accepted) {
    EXPECT_FALSE(failure);
  } else {
    ASSERT_TRUE(failure);
    EXPECT_EQ(failure->code, ErrorCode::kUnsupportedVersion);
    EXPECT_EQ(Find(failure->headers, "Tus-Version"), "1.0.0");
  }
}

INSTANTIATE_TEST_SUITE_P(
    Table, CheckTusResumableTest,
    ::testing::Values(VersionCase{"POST", {{"Tus-Resumable", "1.0.0"}}, true},
                      VersionCase{"PATCH", {{"tus-resumable", "1.0.0"}}, true},
                      VersionCase{"HEAD", {{"TUS-RESUMABLE", "1.0.0"}}, true},
                      VersionCase{"DELETE", {{"Tus-Resumable", "1.0.0"}}, true},
                      VersionCase{"OPTIONS", {}, true},
                      VersionCase{"OPTIONS", {{"Tus-Resumable", "0.2.2"}}, true},
                      VersionCase{"GET", {}, true}, VersionCase{"POST", {}, false},
                      VersionCase{"PATCH", {}, false}, VersionCase{"HEAD", {}, false},
                      VersionCase{"DELETE", {}, false},
                      VersionCase{"POST", {{"Tus-Resumable", "0.2.2"}}, false},
                      VersionCase{"POST", {{"Tus-Resumable", "1.0"}}, false},
                      VersionCase{"POST", {{"Tus-Resumable", "1.0.0 "}}, false},
                      VersionCase{"POST", {{"Tus-Resumable", ""}}, false},
                      VersionCase{"POST", {{"Tus-Resumable", "1.0.0, 0.2.2"}}, false}));

// ---- X-HTTP-Method-Override ----

TEST(EffectiveMethodTest, WithoutOverrideReturnsMethodUnchanged) {
  EXPECT_EQ(std::get<std::string>(EffectiveMethod("POST", HeaderMap())), "POST");
  EXPECT_EQ(std::get<std::string>(EffectiveMethod("get", HeaderMap())), "get");
}

struct OverrideCase {
  std::string_view value;
  std::string_view expected;
};

class EffectiveMethodOverrideTest : public ::testing::TestWithParam<OverrideCase> {};

TEST_P(EffectiveMethodOverrideTest, OverridesWithUpperCaseMethod) {
  for (std::string_view name : {"X-HTTP-Method-Override", "x-http-method-override"}) {
    auto result =
        EffectiveMethod("POST", MakeHeaders({{std::string(name), std::string(GetParam().value)}}));
    ASSERT_TRUE(std::holds_alternative<std::string>(result)) << GetParam().value;
    EXPECT_EQ(std::get<std::string>(result), GetParam().expected);
  }
}

INSTANTIATE_TEST_SUITE_P(Allowed, EffectiveMethodOverrideTest,
                         ::testing::Values(OverrideCase{"PATCH", "PATCH"},
                                           OverrideCase{"patch", "PATCH"},
                                           OverrideCase{"Delete", "DELETE"},
                                           OverrideCase{"HEAD", "HEAD"},
                                           OverrideCase{"post", "POST"}, OverrideCase{"GET", "GET"},
                                           OverrideCase{"options", "OPTIONS"}));

class EffectiveMethodRejectTest : public ::testing::TestWithParam<std::string_view> {};

TEST_P(EffectiveMethodRejectTest, RefusesUnknownMethods) {
  auto result =
      EffectiveMethod("POST", MakeHeaders({{"X-HTTP-Method-Override", std::string(GetParam())}}));
  EXPECT_EQ(FailureCode(result), ErrorCode::kInvalidMethodOverride) << GetParam();
  // The client's text is never echoed into the error.
  EXPECT_TRUE(std::get<Failure>(result).detail.empty());
}

INSTANTIATE_TEST_SUITE_P(Unknown, EffectiveMethodRejectTest,
                         ::testing::Values("PUT", "TRACE", "CONNECT", "", " PATCH", "PATCH ",
                                           "PATCHX", "PATCH\r\nX: y"));

TEST(EffectiveMethodTest, RepeatedOverrideIsRefused) {
  auto result = EffectiveMethod("POST", MakeHeaders({{"X-HTTP-Method-Override", "PATCH"},
                                                     {"X-HTTP-Method-Override", "DELETE"}}));
  EXPECT_EQ(FailureCode(result), ErrorCode::kDuplicateHeader);
}

// ---- OPTIONS ----

struct ExtensionCase {
  ServerPolicy policy;
  std::string_view expected;
};

ServerPolicy Policy(bool expiration, std::vector<std::string> algorithms, bool trailer,
                    bool concatenation, uint64_t max_size = 0) {
  ServerPolicy policy;
  policy.expiration = expiration;
  policy.checksum_algorithms = std::move(algorithms);
  policy.checksum_trailer = trailer;
  policy.concatenation = concatenation;
  policy.max_size = max_size;
  return policy;
}

class ExtensionListTest : public ::testing::TestWithParam<ExtensionCase> {};

TEST_P(ExtensionListTest, FollowsPolicy) {
  EXPECT_EQ(ExtensionList(GetParam().policy), GetParam().expected);
}

INSTANTIATE_TEST_SUITE_P(
    Table, ExtensionListTest,
    ::testing::Values(
        ExtensionCase{ServerPolicy{},
                      "creation,creation-with-upload,creation-defer-length,termination,"
                      "expiration,checksum"},
        ExtensionCase{Policy(false, {}, false, false),
                      "creation,creation-with-upload,creation-defer-length,termination"},
        ExtensionCase{Policy(true, {"sha1"}, true, true),
                      "creation,creation-with-upload,creation-defer-length,termination,"
                      "expiration,checksum,checksum-trailer,concatenation,"
                      "concatenation-unfinished"},
        ExtensionCase{Policy(false, {}, true, false),
                      "creation,creation-with-upload,creation-defer-length,termination,"
                      "checksum-trailer"},
        ExtensionCase{Policy(false, {}, false, true),
                      "creation,creation-with-upload,creation-defer-length,termination,"
                      "concatenation,concatenation-unfinished"}));

TEST(DecideOptionsTest, AdvertisesEverythingTheDefaultPolicyOffers) {
  Response response = DecideOptions(ServerPolicy{});
  EXPECT_EQ(response.status, 204);
  EXPECT_TRUE(response.body.empty());
  EXPECT_EQ(Find(response.headers, "Tus-Version"), "1.0.0");
  EXPECT_EQ(Find(response.headers, "Tus-Extension"), ExtensionList(ServerPolicy{}));
  EXPECT_EQ(Find(response.headers, "Tus-Checksum-Algorithm"), "sha1,sha256,md5");
  EXPECT_FALSE(Find(response.headers, "Tus-Max-Size"));
}

TEST(DecideOptionsTest, MaxSizeAndNoChecksums) {
  Response response = DecideOptions(Policy(true, {}, false, false, 1 << 20));
  EXPECT_EQ(Find(response.headers, "Tus-Max-Size"), "1048576");
  EXPECT_FALSE(Find(response.headers, "Tus-Checksum-Algorithm"));
  EXPECT_EQ(response.headers.size(), 3u);
}

TEST(DecideOptionsTest, SingleAlgorithmHasNoComma) {
  Response response = DecideOptions(Policy(true, {"sha256"}, false, false));
  EXPECT_EQ(Find(response.headers, "Tus-Checksum-Algorithm"), "sha256");
}

// ---- Usable uploads ----

struct StateCase {
  UploadState state;
  std::optional<ErrorCode> expected;
};

class CheckUsableTest : public ::testing::TestWithParam<StateCase> {};

TEST_P(CheckUsableTest, RefusesGoneUploads) {
  UploadView upload = MakeUpload(10, 5, GetParam().state);
  EXPECT_EQ(FailureCode(CheckUsable(upload)), GetParam().expected);
  EXPECT_EQ(FailureCode(DecideDelete(upload)), GetParam().expected);
  EXPECT_EQ(FailureCode(DecideHead(upload, ServerPolicy{})), GetParam().expected);
}

INSTANTIATE_TEST_SUITE_P(
    States, CheckUsableTest,
    ::testing::Values(StateCase{UploadState::kReceiving, std::nullopt},
                      StateCase{UploadState::kComplete, std::nullopt},
                      StateCase{UploadState::kExpired, ErrorCode::kUploadExpired},
                      StateCase{UploadState::kTerminated, ErrorCode::kUploadTerminated}));

// ---- HEAD ----

Response HeadOf(const UploadView& upload, const ServerPolicy& policy = ServerPolicy{}) {
  auto result = DecideHead(upload, policy);
  EXPECT_TRUE(std::holds_alternative<Response>(result));
  return std::get<Response>(result);
}

TEST(DecideHeadTest, KnownLength) {
  Response response = HeadOf(MakeUpload(100, 40));
  EXPECT_EQ(response.status, 200);
  EXPECT_TRUE(response.body.empty());
  EXPECT_EQ(Find(response.headers, "Upload-Offset"), "40");
  EXPECT_EQ(Find(response.headers, "Upload-Length"), "100");
  EXPECT_FALSE(Find(response.headers, "Upload-Defer-Length"));
  EXPECT_EQ(Find(response.headers, "Cache-Control"), "no-store");
  EXPECT_FALSE(Find(response.headers, "Upload-Metadata"));
  EXPECT_FALSE(Find(response.headers, "Upload-Expires"));
  EXPECT_FALSE(Find(response.headers, "Upload-Concat"));
  EXPECT_FALSE(Find(response.headers, "Upload-Sha256"));
}

TEST(DecideHeadTest, DeferredLength) {
  Response response = HeadOf(MakeUpload(std::nullopt, 7));
  EXPECT_EQ(Find(response.headers, "Upload-Offset"), "7");
  EXPECT_EQ(Find(response.headers, "Upload-Defer-Length"), "1");
  EXPECT_FALSE(Find(response.headers, "Upload-Length"));
}

TEST(DecideHeadTest, MetadataIsEchoedRaw) {
  UploadView upload = MakeUpload(10, 0);
  upload.metadata_raw = "filename YS50eHQ=,flag";
  EXPECT_EQ(Find(HeadOf(upload).headers, "Upload-Metadata"), "filename YS50eHQ=,flag");
}

TEST(DecideHeadTest, ExpiresOnlyWhileUnfinishedAndWhenPolicyExpires) {
  UploadView upload = MakeUpload(10, 5);
  upload.expires_at = 784111777;
  EXPECT_EQ(Find(HeadOf(upload).headers, "Upload-Expires"), "Sun, 06 Nov 1994 08:49:37 GMT");
  EXPECT_FALSE(Find(HeadOf(upload, Policy(false, {}, false, false)).headers, "Upload-Expires"));

  UploadView finished = upload;
  finished.offset = 10;
  EXPECT_FALSE(Find(HeadOf(finished).headers, "Upload-Expires"));
  UploadView complete = upload;
  complete.state = UploadState::kComplete;
  EXPECT_FALSE(Find(HeadOf(complete).headers, "Upload-Expires"));
  UploadView deferred = upload;
  deferred.length.reset();
  EXPECT_TRUE(Find(HeadOf(deferred).headers, "Upload-Expires"));
}

TEST(DecideHeadTest, ConcatPartialAndFinal) {
  UploadView partial = MakeUpload(10, 10);
  partial.concat_partial = true;
  EXPECT_EQ(Find(HeadOf(partial).headers, "Upload-Concat"), "partial");

  UploadView final_upload = MakeUpload(20, 20, UploadState::kComplete);
  final_upload.concat_final = true;
  final_upload.concat_part_urls = {"http://x/files/a", "http://x/files/b"};
  Response response = HeadOf(final_upload);
  EXPECT_EQ(Find(response.headers, "Upload-Concat"), "final;http://x/files/a http://x/files/b");
  EXPECT_EQ(CountOf(response.headers, "Upload-Concat"), 1u);
  EXPECT_EQ(Find(response.headers, "Upload-Offset"), "20") << "joined: offset == length";
  EXPECT_EQ(Find(response.headers, "Upload-Length"), "20");
}

TEST(DecideHeadTest, FinalNotJoinedYetHasNoOffset) {
  // The spec leaves a final upload's offset undefined until its parts are joined.
  UploadView final_upload = MakeUpload(20, 0);
  final_upload.concat_final = true;
  final_upload.concat_part_urls = {"/files/a", "/files/b"};
  Response response = HeadOf(final_upload);
  EXPECT_FALSE(Find(response.headers, "Upload-Offset"));
  EXPECT_EQ(Find(response.headers, "Upload-Length"), "20");
  EXPECT_EQ(Find(response.headers, "Upload-Concat"), "final;/files/a /files/b");
  // Parts of unknown length: no length yet, and no Upload-Defer-Length (nothing to declare).
  final_upload.length.reset();
  response = HeadOf(final_upload);
  EXPECT_FALSE(Find(response.headers, "Upload-Length"));
  EXPECT_FALSE(Find(response.headers, "Upload-Defer-Length"));
  EXPECT_FALSE(Find(CreatedResponse(final_upload, "/files/f").headers, "Upload-Offset"));
}

TEST(DecideHeadTest, Sha256OnceComplete) {
  UploadView upload = MakeUpload(3, 3, UploadState::kComplete);
  upload.sha256_hex = std::string(64, 'a');
  EXPECT_EQ(Find(HeadOf(upload).headers, "Upload-Sha256"), std::string(64, 'a'));
  upload.state = UploadState::kReceiving;
  EXPECT_FALSE(Find(HeadOf(upload).headers, "Upload-Sha256"));
}

// ---- DELETE ----

TEST(DeleteTest, DeletedResponseIs204WithoutBody) {
  Response response = DeletedResponse();
  EXPECT_EQ(response.status, 204);
  EXPECT_TRUE(response.headers.empty());
  EXPECT_TRUE(response.body.empty());
  EXPECT_FALSE(DecideDelete(MakeUpload(std::nullopt, 0)));
}

}  // namespace
}  // namespace tuskd::protocol
