// The draft's header fields: sf-booleans, the completeness field per version, Upload-Limit.
#include "protocol/ietf/fields.h"

#include <gtest/gtest.h>

#include "tests/protocol/ietf/ietf_test_util.h"
#include "tests/protocol/protocol_test_util.h"

namespace tuskd::protocol {
namespace {

using testing::Draft;
using testing::Fields;
using testing::Find;
using testing::MakeHeaders;

std::optional<bool> Completes(int version, const Fields& fields,
                              std::optional<bool> when_missing = std::nullopt) {
  auto result = RequestCompletes(MakeHeaders(fields), Draft(version), when_missing);
  if (auto* completes = std::get_if<bool>(&result)) return *completes;
  return std::nullopt;
}

TEST(IetfFieldsTest, StructuredBooleansAreQuestionMarkZeroOrOne) {
  EXPECT_EQ(ParseStructuredBoolean("?1"), true);
  EXPECT_EQ(ParseStructuredBoolean("?0"), false);
  EXPECT_EQ(ParseStructuredBoolean(" ?1 "), true);
  for (const char* bad : {"", "?", "1", "0", "true", "?2", "?1;a", "??1", "?01", "?1 ?0"}) {
    EXPECT_EQ(ParseStructuredBoolean(bad), std::nullopt) << bad;
  }
}

TEST(IetfFieldsTest, UploadCompleteSaysWhetherTheRequestCompletes) {
  for (int version : {5, 6, 8}) {
    EXPECT_EQ(Completes(version, {{"Upload-Complete", "?1"}}), true);
    EXPECT_EQ(Completes(version, {{"Upload-Complete", "?0"}}), false);
    // Version 3's field means nothing to later versions.
    EXPECT_EQ(Completes(version, {{"Upload-Incomplete", "?0"}}), std::nullopt);
  }
}

TEST(IetfFieldsTest, Version3UsesUploadIncompleteWithTheOppositeMeaning) {
  EXPECT_EQ(Completes(3, {{"Upload-Incomplete", "?1"}}), false);
  EXPECT_EQ(Completes(3, {{"Upload-Incomplete", "?0"}}), true);
  EXPECT_EQ(Completes(3, {{"Upload-Complete", "?1"}}), std::nullopt);
}

TEST(IetfFieldsTest, AMissingFieldMeansWhatTheCallerSaysOrIsRefused) {
  EXPECT_EQ(Completes(6, {}, true), true);
  EXPECT_EQ(Completes(6, {}, false), false);
  auto refused = RequestCompletes(MakeHeaders({}), Draft(8), std::nullopt);
  ASSERT_TRUE(std::holds_alternative<Failure>(refused));
  EXPECT_EQ(std::get<Failure>(refused).code, ErrorCode::kInvalidUploadComplete);
}

TEST(IetfFieldsTest, MalformedOrRepeatedFieldsAreRefused) {
  auto malformed = RequestCompletes(MakeHeaders({{"Upload-Complete", "true"}}), Draft(6), false);
  ASSERT_TRUE(std::holds_alternative<Failure>(malformed));
  EXPECT_EQ(std::get<Failure>(malformed).code, ErrorCode::kInvalidUploadComplete);
  auto repeated = RequestCompletes(
      MakeHeaders({{"Upload-Complete", "?1"}, {"Upload-Complete", "?1"}}), Draft(6), false);
  ASSERT_TRUE(std::holds_alternative<Failure>(repeated));
  EXPECT_EQ(std::get<Failure>(repeated).code, ErrorCode::kDuplicateHeader);
}

TEST(IetfFieldsTest, CompletenessIsWrittenAsTheVersionSpellsIt) {
  HeaderList headers;
  AddCompleteness(Draft(3), false, headers);
  AddCompleteness(Draft(8), false, headers);
  EXPECT_EQ(Find(headers, "Upload-Incomplete"), "?1");
  EXPECT_EQ(Find(headers, "Upload-Complete"), "?0");
  headers.clear();
  AddCompleteness(Draft(3), true, headers);
  AddCompleteness(Draft(5), true, headers);
  EXPECT_EQ(Find(headers, "Upload-Incomplete"), "?0");
  EXPECT_EQ(Find(headers, "Upload-Complete"), "?1");
}

TEST(IetfFieldsTest, PartialUploadMediaType) {
  EXPECT_TRUE(IsPartialUploadType("application/partial-upload"));
  EXPECT_TRUE(IsPartialUploadType("Application/Partial-Upload; x=1"));
  EXPECT_FALSE(IsPartialUploadType("application/offset+octet-stream"));
  EXPECT_FALSE(IsPartialUploadType("application/partial-uploads"));
}

TEST(IetfFieldsTest, UploadLimitOnlyWhereTheVersionDefinesIt) {
  for (int version : {3, 5}) {
    HeaderList headers;
    AddUploadLimit(Draft(version), 1000, 60, headers);
    EXPECT_TRUE(headers.empty()) << version;
  }
  HeaderList headers;
  AddUploadLimit(Draft(6), 1000, 60, headers);
  EXPECT_EQ(Find(headers, "Upload-Limit"), "max-size=1000, expires=60");
  headers.clear();
  AddUploadLimit(Draft(8), 1000, 60, headers);
  EXPECT_EQ(Find(headers, "Upload-Limit"), "max-size=1000, max-age=60");
  headers.clear();
  AddUploadLimit(Draft(8), 0, std::nullopt, headers);
  EXPECT_EQ(Find(headers, "Upload-Limit"), "min-size=0") << "never an empty dictionary";
  headers.clear();
  AddUploadLimit(Draft(8), 0, -5, headers);
  EXPECT_EQ(Find(headers, "Upload-Limit"), "max-age=0") << "an overdue upload has no time left";
}

}  // namespace
}  // namespace tuskd::protocol
