// A well-formed id that names no upload: 404 for every method, and the server keeps serving.
#include <gtest/gtest.h>

#include <string>

#include "tests/server/raw_client.h"
#include "tests/server/tuskd_process.h"

namespace tuskd::server::testing {
namespace {

constexpr char kMissingId[] = "/files/00000000000000000000000000000000";

// Regression: a request for a well-formed but unknown id once aborted the whole process (a
// conditional temporary inside a co_await'ed call, destroyed twice by GCC 12's coroutine
// lowering). Each case gets its own server, so one crash cannot take the others down with it.
class UnknownUploadTest : public ::testing::TestWithParam<const char*> {
 protected:
  void SetUp() override {
    std::string error;
    ASSERT_TRUE(server_.Start(&error)) << error;
  }
  TuskdProcess server_;
};

TEST_P(UnknownUploadTest, Answers404AndKeepsServing) {
  const std::string method = GetParam();
  HeaderFields headers = method == "PATCH" ? PatchHeaders(0) : kTusHeaders;
  HttpResponse r =
      Exchange(server_.port(), method, kMissingId, headers, method == "PATCH" ? "a" : "");
  EXPECT_EQ(r.status, 404) << r.error;
  if (method != "HEAD") {
    EXPECT_EQ(r.body.rfind("ERR_UPLOAD_NOT_FOUND: ", 0), 0u) << r.body;
  }
  EXPECT_EQ(Exchange(server_.port(), "GET", "/healthz", {}).status, 200) << "tuskd died; its log:\n"
                                                                         << server_.Log();
}

INSTANTIATE_TEST_SUITE_P(EveryMethod, UnknownUploadTest,
                         ::testing::Values("HEAD", "GET", "PATCH", "DELETE"));

}  // namespace
}  // namespace tuskd::server::testing
