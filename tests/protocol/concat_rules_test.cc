// The concatenation rules: part URLs to ids, and what a set of parts allows.
#include "protocol/concat_rules.h"

#include <gtest/gtest.h>

#include "tests/protocol/protocol_test_util.h"

namespace tuskd::protocol {
namespace {

using testing::MakeUpload;

constexpr std::string_view kBase = "/files/";
constexpr std::string_view kOrigin = "http://127.0.0.1:1080";

struct UrlCase {
  std::string url;
  std::optional<std::string> id;  // nullopt: refused with kInvalidConcat
};

class PartIdFromUrlTest : public ::testing::TestWithParam<UrlCase> {};

TEST_P(PartIdFromUrlTest, ResolvesOnlyThisServersUploads) {
  auto got = PartIdFromUrl(GetParam().url, kBase, kOrigin);
  if (GetParam().id) {
    ASSERT_TRUE(std::holds_alternative<std::string>(got)) << std::get<Failure>(got).detail;
    EXPECT_EQ(std::get<std::string>(got), *GetParam().id);
  } else {
    ASSERT_TRUE(std::holds_alternative<Failure>(got)) << std::get<std::string>(got);
    EXPECT_EQ(std::get<Failure>(got).code, ErrorCode::kInvalidConcat);
    EXPECT_NE(std::get<Failure>(got).detail.find(GetParam().url), std::string::npos)
        << "the message names the URL";
  }
}

INSTANTIATE_TEST_SUITE_P(
    Table, PartIdFromUrlTest,
    ::testing::Values(UrlCase{"http://127.0.0.1:1080/files/abc", "abc"},  // what Location says
                      UrlCase{"HTTP://127.0.0.1:1080/files/abc", "abc"},
                      UrlCase{"/files/abc", "abc"},                     // absolute path
                      UrlCase{"abc", "abc"},                            // relative to /files/
                      UrlCase{"http://127.0.0.1:1081/files/abc", {}},   // another port
                      UrlCase{"http://evil.example/files/abc", {}},     // another host
                      UrlCase{"https://127.0.0.1:1080/files/abc", {}},  // another scheme
                      UrlCase{"http://127.0.0.1:1080", {}},             // no path
                      UrlCase{"/other/abc", {}},                        // outside the base
                      UrlCase{"/files/", {}},                           // the collection
                      UrlCase{"/files/abc/prediction", {}},             // a sub-resource
                      UrlCase{"/files/abc?x=1", {}},                    // a query
                      UrlCase{"/files/abc#f", {}},                      // a fragment
                      UrlCase{"../files/abc", {}},                      // dot segments
                      UrlCase{"", {}}));                                // nothing

UploadView Part(std::optional<uint64_t> length, uint64_t offset,
                UploadState state = UploadState::kComplete) {
  UploadView part = MakeUpload(length, offset, state);
  part.concat_partial = true;
  return part;
}

TEST(DecideFinalPartsTest, CompletePartsAreReadyWithTheirSummedLength) {
  auto got = DecideFinalParts({Part(5, 5), Part(0, 0), Part(7, 7)}, ServerPolicy{});
  ASSERT_TRUE(std::holds_alternative<FinalPlan>(got));
  EXPECT_TRUE(std::get<FinalPlan>(got).ready);
  EXPECT_EQ(std::get<FinalPlan>(got).length, 12u);
}

TEST(DecideFinalPartsTest, UnfinishedPartsMakeAFinalThatWaits) {
  auto got = DecideFinalParts({Part(5, 5), Part(9, 3, UploadState::kReceiving)}, ServerPolicy{});
  ASSERT_TRUE(std::holds_alternative<FinalPlan>(got));
  EXPECT_FALSE(std::get<FinalPlan>(got).ready);
  EXPECT_EQ(std::get<FinalPlan>(got).length, 14u) << "the length is known already";
  got = DecideFinalParts({Part(5, 5), Part(std::nullopt, 3, UploadState::kReceiving)},
                         ServerPolicy{});
  EXPECT_FALSE(std::get<FinalPlan>(got).length) << "a deferred part leaves it unknown";
}

TEST(DecideFinalPartsTest, RefusesPartsThatCannotBeJoined) {
  auto code = [](const std::vector<UploadView>& parts, const ServerPolicy& policy = {}) {
    auto got = DecideFinalParts(parts, policy);
    return std::holds_alternative<Failure>(got) ? std::optional(std::get<Failure>(got).code)
                                                : std::nullopt;
  };
  UploadView plain = MakeUpload(3, 3, UploadState::kComplete);
  EXPECT_EQ(code({Part(1, 1), plain}), ErrorCode::kInvalidConcat);
  EXPECT_EQ(code({Part(1, 1, UploadState::kTerminated)}), ErrorCode::kInvalidConcat);
  EXPECT_EQ(code({Part(1, 0, UploadState::kExpired)}), ErrorCode::kInvalidConcat);
  ServerPolicy small;
  small.max_size = 10;
  EXPECT_EQ(code({Part(6, 6), Part(5, 0, UploadState::kReceiving)}, small),
            ErrorCode::kMaxSizeExceeded);
  EXPECT_EQ(code({Part(6, 6), Part(4, 4)}, small), std::nullopt) << "exactly the limit";
  EXPECT_EQ(code({Part(UINT64_MAX, 0, UploadState::kReceiving), Part(1, 1)}),
            ErrorCode::kInvalidLength);
  auto got = DecideFinalParts({Part(1, 1), plain}, ServerPolicy{});
  EXPECT_NE(std::get<Failure>(got).detail.find("part 2"), std::string::npos)
      << std::get<Failure>(got).detail;
}

}  // namespace
}  // namespace tuskd::protocol
