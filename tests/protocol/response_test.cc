#include "protocol/response.h"

#include <gtest/gtest.h>

#include "tests/protocol/protocol_test_util.h"

namespace tuskd::protocol {
namespace {

using testing::CountOf;
using testing::Find;

TEST(ErrorResponseTest, BodyIsCodeAndMessage) {
  Response response = ErrorResponse(ErrorCode::kUploadNotFound);
  EXPECT_EQ(response.status, 404);
  EXPECT_EQ(response.body, "ERR_UPLOAD_NOT_FOUND: The upload does not exist.\n");
  EXPECT_EQ(Find(response.headers, "Content-Type"), "text/plain; charset=utf-8");
  EXPECT_EQ(response.headers.size(), 1u);
}

TEST(ErrorResponseTest, DetailIsAppendedInParentheses) {
  Response response = ErrorResponse(ErrorCode::kUploadNotFound, "id abc");
  EXPECT_EQ(response.body, "ERR_UPLOAD_NOT_FOUND: The upload does not exist. (id abc)\n");
}

TEST(ErrorResponseTest, FailureHeadersAreCopiedBeforeContentType) {
  Failure failure{ErrorCode::kMismatchedOffset, "d", {{"Upload-Offset", "42"}, {"X-A", "b"}}};
  Response response = ErrorResponse(failure);
  EXPECT_EQ(response.status, 409);
  ASSERT_EQ(response.headers.size(), 3u);
  EXPECT_EQ(response.headers[0], (std::pair<std::string, std::string>("Upload-Offset", "42")));
  EXPECT_EQ(response.headers[1], (std::pair<std::string, std::string>("X-A", "b")));
  EXPECT_EQ(response.headers[2].first, "Content-Type");
}

TEST(ErrorResponseTest, UnsupportedVersionAlwaysCarriesTusVersion) {
  Response bare = ErrorResponse(ErrorCode::kUnsupportedVersion);
  EXPECT_EQ(bare.status, 412);
  EXPECT_EQ(Find(bare.headers, "Tus-Version"), "1.0.0");

  Failure with_header{ErrorCode::kUnsupportedVersion, {}, {{"tus-version", "1.0.0"}}};
  EXPECT_EQ(CountOf(ErrorResponse(with_header).headers, "Tus-Version"), 1u);
}

TEST(ErrorResponseTest, OtherCodesGetNoTusVersion) {
  EXPECT_FALSE(Find(ErrorResponse(ErrorCode::kBadRequest).headers, "Tus-Version"));
}

TEST(ErrorResponseTest, EveryCodeRendersItsCatalogueEntry) {
  for (ErrorCode code : AllErrorCodes()) {
    const ErrorInfo& info = Describe(code);
    Response response = ErrorResponse(code);
    SCOPED_TRACE(std::string(info.code));
    EXPECT_EQ(response.status, info.status);
    EXPECT_EQ(response.body, std::string(info.code) + ": " + std::string(info.message) + "\n");
  }
}

}  // namespace
}  // namespace tuskd::protocol
