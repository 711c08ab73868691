// 413 and 400 for bodies and deferred lengths against --max-size, through a real tuskd: what
// fits is kept, the rest refused with its reason (the refusals one request triggers on its own
// are in error_paths_test.cc's table).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/server/raw_client.h"
#include "tests/server/shared_tuskd.h"

namespace tuskd::server::testing {
namespace {

class MaxSizeErrorsTest : public SharedTuskdTest<MaxSizeErrorsTest> {
 public:
  static std::vector<std::string> Flags() { return {"--max-size", "1000"}; }
};

TEST_F(MaxSizeErrorsTest, ChunkedBodyLongerThanLengthKeepsWhatFitsAndAnswers413) {
  CreatedUpload upload = CreateUpload(port(), 10);
  RawClient client(port());
  HttpResponse r = client.RoundTrip(
      BuildRequest("PATCH", upload.path, PatchHeaders(0, {{"Transfer-Encoding", "chunked"}})) +
      Chunk("0123456") + Chunk("789abc") + "0\r\n\r\n");
  EXPECT_EQ(r.status, 413) << r.error;
  EXPECT_EQ(r.body.rfind("ERR_SIZE_EXCEEDED", 0), 0u) << r.body;
  EXPECT_EQ(r.Header("Upload-Offset"), "10");
  EXPECT_TRUE(StoredBytesAre(port(), upload.path, "0123456789"));
}

TEST_F(MaxSizeErrorsTest, DeferredLengthAboveMaxSizeAnswers413) {
  CreatedUpload upload = CreateUpload(port(), std::nullopt);
  ASSERT_EQ(upload.response.status, 201);
  HttpResponse r =
      Exchange(port(), "PATCH", upload.path, PatchHeaders(0, {{"Upload-Length", "1001"}}), "a");
  EXPECT_EQ(r.status, 413);
  EXPECT_EQ(r.body.rfind("ERR_MAX_SIZE_EXCEEDED", 0), 0u) << r.body;
}

TEST_F(MaxSizeErrorsTest, DeferredUploadBodyPastMaxSizeAnswers413) {
  CreatedUpload upload = CreateUpload(port(), std::nullopt);
  ASSERT_EQ(upload.response.status, 201);
  HttpResponse r = Exchange(port(), "PATCH", upload.path, PatchHeaders(0), std::string(1001, 'x'));
  EXPECT_EQ(r.status, 413);
  EXPECT_EQ(r.body.rfind("ERR_SIZE_EXCEEDED", 0), 0u) << r.body;
}

TEST_F(MaxSizeErrorsTest, DeferredLengthBelowOffsetAnswers400) {
  CreatedUpload upload = CreateUpload(port(), std::nullopt);
  ASSERT_EQ(Exchange(port(), "PATCH", upload.path, PatchHeaders(0), "abcd").status, 204);
  HttpResponse r =
      Exchange(port(), "PATCH", upload.path, PatchHeaders(4, {{"Upload-Length", "2"}}));
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body.rfind("ERR_LENGTH_BELOW_OFFSET", 0), 0u) << r.body;
}

}  // namespace
}  // namespace tuskd::server::testing
