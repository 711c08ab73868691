// 410 after expiry against a real tuskd: an unfinished upload expires after --expiration and
// is gone for HEAD, PATCH and GET, while a complete one stays.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "tests/server/raw_client.h"
#include "tests/server/shared_tuskd.h"

namespace tuskd::server::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

class ExpiryTest : public SharedTuskdTest<ExpiryTest> {
 public:
  static std::vector<std::string> Flags() {
    return {"--expiration", "1s", "--sweep-interval", "1s"};
  }
};

TEST_F(ExpiryTest, UnfinishedUploadExpiresAnd410sWhileCompleteOneStays) {
  CreatedUpload unfinished = CreateUpload(port(), 10);
  ASSERT_EQ(unfinished.response.status, 201);
  EXPECT_TRUE(unfinished.response.HasHeader("Upload-Expires"));
  ASSERT_EQ(Exchange(port(), "PATCH", unfinished.path, PatchHeaders(0), "abc").status, 204);
  CreatedUpload complete = CreateUpload(port(), 3);
  ASSERT_EQ(Exchange(port(), "PATCH", complete.path, PatchHeaders(0), "xyz").status, 204);

  // Expiry is 1 s after the last write, in whole seconds, and sweeps run every second.
  auto deadline = std::chrono::steady_clock::now() + seconds(5);
  int status = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    status = Exchange(port(), "HEAD", unfinished.path).status;
    if (status == 410) break;
    std::this_thread::sleep_for(milliseconds(100));
  }
  ASSERT_EQ(status, 410);
  HttpResponse patch = Exchange(port(), "PATCH", unfinished.path, PatchHeaders(3), "d");
  EXPECT_EQ(patch.status, 410);
  EXPECT_EQ(patch.body.rfind("ERR_UPLOAD_EXPIRED", 0), 0u) << patch.body;
  EXPECT_EQ(Exchange(port(), "GET", unfinished.path, {}).status, 410);
  EXPECT_TRUE(StoredBytesAre(port(), complete.path, "xyz"));
}

}  // namespace
}  // namespace tuskd::server::testing
