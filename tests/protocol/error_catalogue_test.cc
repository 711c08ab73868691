#include "protocol/error_catalogue.h"

#include <gtest/gtest.h>

#include <cctype>
#include <fstream>
#include <regex>
#include <set>
#include <string>
#include <vector>

namespace tuskd::protocol {
namespace {

struct DeclaredCode {
  std::string name;  // without the leading 'k'
  int status;        // from the "// NNN" comment above it
};

// The enumerators of ErrorCode with the status their section comment gives, read from the
// header itself so the catalogue cannot drift from what readers of the enum see.
std::vector<DeclaredCode> ReadDeclaredCodes() {
  std::ifstream header(std::string(TUSKD_SOURCE_DIR) + "/protocol/error_catalogue.h");
  std::vector<DeclaredCode> codes;
  const std::regex status_line(R"(^\s*//\s*(\d{3})\s*$)");
  const std::regex enumerator_line(R"(^\s*k(\w+),)");
  bool in_enum = false;
  int status = 0;
  std::smatch match;
  for (std::string line; std::getline(header, line);) {
    if (line.find("enum class ErrorCode") != std::string::npos) in_enum = true;
    if (!in_enum) continue;
    if (line.find("};") != std::string::npos) break;
    if (std::regex_match(line, match, status_line)) status = std::stoi(match[1]);
    if (std::regex_search(line, match, enumerator_line)) codes.push_back({match[1], status});
  }
  return codes;
}

std::string UpperSnake(const std::string& camel) {
  std::string snake;
  for (char c : camel) {
    if (std::isupper(static_cast<unsigned char>(c)) && !snake.empty()) snake.push_back('_');
    snake.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  }
  return snake;
}

TEST(ErrorCatalogueTest, CoversEveryEnumeratorInOrderWithItsCommentedStatus) {
  std::vector<DeclaredCode> declared = ReadDeclaredCodes();
  ASSERT_GT(declared.size(), 30u) << "could not read the enum from error_catalogue.h";
  const std::vector<ErrorCode>& all = AllErrorCodes();
  ASSERT_EQ(all.size(), declared.size());
  for (size_t i = 0; i < all.size(); ++i) {
    SCOPED_TRACE(declared[i].name);
    EXPECT_EQ(static_cast<size_t>(all[i]), i);
    EXPECT_EQ(Describe(all[i]).status, declared[i].status);
    EXPECT_EQ(Describe(all[i]).code, "ERR_" + UpperSnake(declared[i].name));
  }
}

TEST(ErrorCatalogueTest, CodesAreUniqueAndMessagesAreOneSentence) {
  std::set<std::string_view> seen;
  for (ErrorCode code : AllErrorCodes()) {
    const ErrorInfo& info = Describe(code);
    SCOPED_TRACE(std::string(info.code));
    EXPECT_TRUE(seen.insert(info.code).second) << "duplicate code";
    EXPECT_TRUE(std::regex_match(std::string(info.code), std::regex("ERR_[A-Z0-9_]+")));
    ASSERT_FALSE(info.message.empty());
    EXPECT_TRUE(std::isupper(static_cast<unsigned char>(info.message.front())));
    EXPECT_EQ(info.message.back(), '.');
    EXPECT_EQ(info.message.find(". "), std::string_view::npos) << "more than one sentence";
    EXPECT_EQ(info.message.find('\n'), std::string_view::npos);
    EXPECT_GE(info.status, 400);
    EXPECT_LE(info.status, 599);
  }
}

struct KnownStatus {
  ErrorCode code;
  int status;
  std::string_view code_string;
};

class ErrorCatalogueKnownStatusTest : public ::testing::TestWithParam<KnownStatus> {};

// The statuses clients depend on, spelled out independently of the header comments.
TEST_P(ErrorCatalogueKnownStatusTest, MatchesTusAndHttp) {
  EXPECT_EQ(Describe(GetParam().code).status, GetParam().status);
  EXPECT_EQ(Describe(GetParam().code).code, GetParam().code_string);
}

INSTANTIATE_TEST_SUITE_P(
    Statuses, ErrorCatalogueKnownStatusTest,
    ::testing::Values(
        KnownStatus{ErrorCode::kInvalidOffset, 400, "ERR_INVALID_OFFSET"},
        KnownStatus{ErrorCode::kConcatFinalPatch, 403, "ERR_CONCAT_FINAL_PATCH"},
        KnownStatus{ErrorCode::kUploadNotFound, 404, "ERR_UPLOAD_NOT_FOUND"},
        KnownStatus{ErrorCode::kMismatchedOffset, 409, "ERR_MISMATCHED_OFFSET"},
        KnownStatus{ErrorCode::kUploadExpired, 410, "ERR_UPLOAD_EXPIRED"},
        KnownStatus{ErrorCode::kUploadTerminated, 410, "ERR_UPLOAD_TERMINATED"},
        KnownStatus{ErrorCode::kUnsupportedVersion, 412, "ERR_UNSUPPORTED_VERSION"},
        KnownStatus{ErrorCode::kMaxSizeExceeded, 413, "ERR_MAX_SIZE_EXCEEDED"},
        KnownStatus{ErrorCode::kSizeExceeded, 413, "ERR_SIZE_EXCEEDED"},
        KnownStatus{ErrorCode::kInvalidContentType, 415, "ERR_INVALID_CONTENT_TYPE"},
        KnownStatus{ErrorCode::kRangeNotSatisfiable, 416, "ERR_RANGE_NOT_SATISFIABLE"},
        KnownStatus{ErrorCode::kUploadLocked, 423, "ERR_UPLOAD_LOCKED"},
        KnownStatus{ErrorCode::kHeadersTooLarge, 431, "ERR_HEADERS_TOO_LARGE"},
        KnownStatus{ErrorCode::kChecksumMismatch, 460, "ERR_CHECKSUM_MISMATCH"},
        KnownStatus{ErrorCode::kNotImplemented, 501, "ERR_NOT_IMPLEMENTED"},
        KnownStatus{ErrorCode::kShuttingDown, 503, "ERR_SHUTTING_DOWN"},
        KnownStatus{ErrorCode::kInsufficientStorage, 507, "ERR_INSUFFICIENT_STORAGE"}));

}  // namespace
}  // namespace tuskd::protocol
