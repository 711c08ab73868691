// Upload-Draft-Interop-Version: which versions tuskd speaks, and the traits that differ.
#include "protocol/ietf/version.h"

#include <gtest/gtest.h>

#include "tests/protocol/protocol_test_util.h"

namespace tuskd::protocol {
namespace {

using testing::MakeHeaders;

std::optional<int> VersionOf(const HeaderMap& headers) {
  auto parsed = ParseInteropVersion(headers);
  if (auto* draft = std::get_if<IetfDraft>(&parsed)) return draft->interop_version;
  return std::nullopt;
}

TEST(IetfVersionTest, AnyInteropFieldMakesADraftRequest) {
  EXPECT_TRUE(IsIetfDraftRequest(MakeHeaders({{"upload-draft-interop-version", "6"}})));
  EXPECT_TRUE(IsIetfDraftRequest(MakeHeaders({{"Upload-Draft-Interop-Version", "99"}})));
  EXPECT_FALSE(IsIetfDraftRequest(MakeHeaders({{"Tus-Resumable", "1.0.0"}})));
}

TEST(IetfVersionTest, ParsesTheFourSupportedVersions) {
  for (int version : {3, 5, 6, 8}) {
    EXPECT_EQ(VersionOf(MakeHeaders({{"Upload-Draft-Interop-Version", std::to_string(version)}})),
              version);
  }
  // Leading zeros are still the integer (sf-integer allows them).
  EXPECT_EQ(VersionOf(MakeHeaders({{"Upload-Draft-Interop-Version", "008"}})), 8);
}

TEST(IetfVersionTest, RefusesOtherVersionsWith400) {
  for (const char* value : {"1", "2", "4", "7", "9", "", "six", "-6", "6.0", "06x"}) {
    SCOPED_TRACE(value);
    auto parsed = ParseInteropVersion(MakeHeaders({{"Upload-Draft-Interop-Version", value}}));
    ASSERT_TRUE(std::holds_alternative<Failure>(parsed));
    EXPECT_EQ(std::get<Failure>(parsed).code, ErrorCode::kUnsupportedInteropVersion);
    EXPECT_EQ(Describe(std::get<Failure>(parsed).code).status, 400);
  }
}

TEST(IetfVersionTest, RefusesARepeatedField) {
  auto parsed = ParseInteropVersion(
      MakeHeaders({{"Upload-Draft-Interop-Version", "6"}, {"Upload-Draft-Interop-Version", "6"}}));
  ASSERT_TRUE(std::holds_alternative<Failure>(parsed));
  EXPECT_EQ(std::get<Failure>(parsed).code, ErrorCode::kDuplicateHeader);
}

// The table docs/ietf-draft.md describes, row by row.
TEST(IetfVersionTest, TraitsFollowTheDraftRevisions) {
  const auto& drafts = SupportedIetfDrafts();
  ASSERT_EQ(drafts.size(), 4u);
  const IetfDraft &v3 = drafts[0], &v5 = drafts[1], &v6 = drafts[2], &v8 = drafts[3];
  EXPECT_EQ(v3.interop_version, 3);
  EXPECT_EQ(v5.interop_version, 5);
  EXPECT_EQ(v6.interop_version, 6);
  EXPECT_EQ(v8.interop_version, 8);
  EXPECT_TRUE(v3.upload_incomplete_field);
  EXPECT_FALSE(v5.upload_incomplete_field || v6.upload_incomplete_field ||
               v8.upload_incomplete_field);
  EXPECT_FALSE(v3.partial_upload_type || v5.partial_upload_type);
  EXPECT_TRUE(v6.partial_upload_type && v8.partial_upload_type);
  EXPECT_FALSE(v3.upload_limit || v5.upload_limit);
  EXPECT_EQ(v6.lifetime_key, "expires");
  EXPECT_EQ(v8.lifetime_key, "max-age");
  EXPECT_TRUE(v6.offset_and_completed_problems && v8.offset_and_completed_problems);
  EXPECT_FALSE(v6.inconsistent_length_problem);
  EXPECT_TRUE(v8.inconsistent_length_problem);
  EXPECT_TRUE(v3.refuse_state_fields && v5.refuse_state_fields && v6.refuse_state_fields);
  EXPECT_FALSE(v8.refuse_state_fields);
  EXPECT_TRUE(v3.append_answers_created && v5.append_answers_created && v6.append_answers_created);
  EXPECT_FALSE(v8.append_answers_created);
  EXPECT_EQ(v3.missing_on_append, IetfDraft::MissingOnAppend::kComplete);
  EXPECT_EQ(v5.missing_on_append, IetfDraft::MissingOnAppend::kIncomplete);
  EXPECT_EQ(v6.missing_on_append, IetfDraft::MissingOnAppend::kIncomplete);
  EXPECT_EQ(v8.missing_on_append, IetfDraft::MissingOnAppend::kRefused);
  EXPECT_TRUE(v8.accept_patch_in_options);
  EXPECT_FALSE(v6.accept_patch_in_options);
}

}  // namespace
}  // namespace tuskd::protocol
