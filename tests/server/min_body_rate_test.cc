// --min-body-rate against a real tuskd: a body that trickles (a byte now and then, so it never
// stalls for a whole --body-timeout) is ended once a --body-timeout of it averaged less than
// the minimum: every byte that arrived is committed (I2), the answer is 408 with the reason, and
// the upload resumes from there.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "tests/server/raw_client.h"
#include "tests/server/shared_tuskd.h"

namespace tuskd::server::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// 2 s windows at the default 256 bytes/s; a byte every 400 ms is 2.5 bytes/s, and never a stall.
class MinBodyRateTest : public UploadsTest<MinBodyRateTest>,
                        public ::testing::WithParamInterface<bool> {
 public:
  static std::vector<std::string> Flags() { return {"--body-timeout", "2s"}; }
};

TEST_P(MinBodyRateTest, TrickledBodyIsCommittedAndAnswered408) {
  const bool chunked = GetParam();
  const std::string data = "0123456789abcdefghijklmnopqrstuvwxyz";
  std::string path = NewUpload(data.size());
  HeaderFields headers = chunked
                             ? PatchHeaders(0, {{"Transfer-Encoding", "chunked"}})
                             : PatchHeaders(0, {{"Content-Length", std::to_string(data.size())}});
  RawClient client(port(), seconds(10));
  ASSERT_TRUE(client.Send(BuildRequest("PATCH", path, headers)));
  size_t sent = 0;
  // A 408 is due after the first window (2 s, 5 bytes); 30 bytes (12 s) would mean none came.
  while (sent < 30 && client.StaysQuiet(milliseconds(400))) {
    std::string byte = data.substr(sent, 1);
    ASSERT_TRUE(client.Send(chunked ? Chunk(byte) : byte));
    ++sent;
  }
  ASSERT_LT(sent, 30u) << "the trickle was never ended";
  HttpResponse r = client.ReadResponse();
  EXPECT_EQ(r.status, 408) << r.error;
  EXPECT_EQ(r.body.rfind("ERR_REQUEST_TIMEOUT: ", 0), 0u) << r.body;
  EXPECT_NE(r.body.find("--min-body-rate"), std::string::npos) << r.body;
  ASSERT_TRUE(r.HasHeader("Upload-Offset"));
  uint64_t kept = std::stoull(*r.Header("Upload-Offset"));
  EXPECT_GE(kept, 3u);
  EXPECT_LE(kept, sent);
  EXPECT_TRUE(client.WaitForClose(seconds(2)));
  EXPECT_EQ(HeadOffset(port(), path), kept);
  // The client resumes where the server says, and the upload holds exactly its bytes.
  HttpResponse resumed = Exchange(port(), "PATCH", path, PatchHeaders(kept), data.substr(kept));
  EXPECT_EQ(resumed.status, 204) << resumed.error << resumed.body;
  EXPECT_TRUE(StoredBytesAre(port(), path, data));
}

INSTANTIATE_TEST_SUITE_P(LengthAndChunked, MinBodyRateTest, ::testing::Bool(),
                         [](const auto& info) { return info.param ? "Chunked" : "ContentLength"; });

// --min-body-rate 0 turns the minimum off: the same trickle keeps its request open past two
// windows and completes.
class NoMinBodyRateTest : public UploadsTest<NoMinBodyRateTest> {
 public:
  static std::vector<std::string> Flags() {
    return {"--body-timeout", "1s", "--min-body-rate", "0"};
  }
};

TEST_F(NoMinBodyRateTest, TrickleCompletes) {
  const std::string data = "0123456789";
  std::string path = NewUpload(data.size());
  RawClient client(port(), seconds(10));
  ASSERT_TRUE(client.Send(BuildRequest(
      "PATCH", path, PatchHeaders(0, {{"Content-Length", std::to_string(data.size())}}))));
  for (char c : data) {
    ASSERT_TRUE(client.StaysQuiet(milliseconds(300))) << "answered before the body was whole";
    ASSERT_TRUE(client.Send(std::string(1, c)));
  }
  HttpResponse r = client.ReadResponse();
  EXPECT_EQ(r.status, 204) << r.error << r.body;
  EXPECT_TRUE(StoredBytesAre(port(), path, data));
}

}  // namespace
}  // namespace tuskd::server::testing
