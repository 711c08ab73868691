// Draft error responses: problem+json where the version defines the problem type.
#include "protocol/ietf/problem.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/protocol/ietf/ietf_test_util.h"
#include "tests/protocol/protocol_test_util.h"

namespace tuskd::protocol {
namespace {

using testing::CountOf;
using testing::Draft;
using testing::Find;

TEST(IetfProblemTest, MismatchingOffsetIsProblemJsonFromVersion6) {
  for (int v : {3, 5, 6, 8}) {
    SCOPED_TRACE(v);
    Response response = IetfErrorResponse(Draft(v), MismatchedOffset(10, 25), 0);
    EXPECT_EQ(response.status, 409);
    EXPECT_EQ(Find(response.headers, "Upload-Offset"), "10") << "every version reports it";
    if (v < 6) {
      EXPECT_EQ(Find(response.headers, "Content-Type"), "text/plain; charset=utf-8");
      EXPECT_EQ(response.body.rfind("ERR_MISMATCHED_OFFSET: ", 0), 0u);
      continue;
    }
    EXPECT_EQ(Find(response.headers, "Content-Type"), "application/problem+json");
    auto problem = nlohmann::json::parse(response.body);
    EXPECT_EQ(problem["type"],
              "https://iana.org/assignments/http-problem-types#mismatching-upload-offset");
    EXPECT_EQ(problem["expected-offset"], 10);
    EXPECT_EQ(problem["provided-offset"], 25);
    EXPECT_EQ(problem["status"], 409);
    EXPECT_EQ(problem["code"], "ERR_MISMATCHED_OFFSET");
    EXPECT_TRUE(problem["title"].is_string());
  }
}

TEST(IetfProblemTest, CompletedUploadAndInconsistentLengthTypes) {
  EXPECT_EQ(ProblemType(Draft(5), ErrorCode::kUploadCompleted), "");
  EXPECT_EQ(ProblemType(Draft(6), ErrorCode::kUploadCompleted), "completed-upload");
  EXPECT_EQ(ProblemType(Draft(8), ErrorCode::kUploadCompleted), "completed-upload");
  EXPECT_EQ(ProblemType(Draft(6), ErrorCode::kInconsistentLength), "");
  EXPECT_EQ(ProblemType(Draft(8), ErrorCode::kInconsistentLength), "inconsistent-upload-length");
  EXPECT_EQ(ProblemType(Draft(8), ErrorCode::kUploadNotFound), "");

  Response completed = IetfErrorResponse(Draft(8), Failure{ErrorCode::kUploadCompleted, "", {}}, 0);
  EXPECT_EQ(completed.status, 400);
  EXPECT_EQ(nlohmann::json::parse(completed.body)["type"],
            "https://iana.org/assignments/http-problem-types#completed-upload");
  EXPECT_EQ(nlohmann::json::parse(completed.body).count("detail"), 0u);
}

TEST(IetfProblemTest, Upload413CarriesUploadLimitWhereDefined) {
  for (int v : {3, 5, 6, 8}) {
    Response response =
        IetfErrorResponse(Draft(v), Failure{ErrorCode::kMaxSizeExceeded, "", {}}, 4096);
    EXPECT_EQ(response.status, 413);
    if (v >= 6) {
      EXPECT_EQ(Find(response.headers, "Upload-Limit"), "max-size=4096") << v;
    } else {
      EXPECT_EQ(CountOf(response.headers, "Upload-Limit"), 0u) << v;
    }
  }
  Response other = IetfErrorResponse(Draft(8), Failure{ErrorCode::kInvalidOffset, "", {}}, 4096);
  EXPECT_EQ(CountOf(other.headers, "Upload-Limit"), 0u);
}

}  // namespace
}  // namespace tuskd::protocol
