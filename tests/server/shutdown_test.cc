// Graceful shutdown and crashes against a real tuskd: SIGTERM mid-body answers 503 after
// committing what arrived, closes idle connections, and exits 0; a restart on the same data
// directory serves the bytes. kill -9 after a 204 loses nothing acknowledged (invariant I1).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/server/raw_client.h"
#include "tests/server/shared_tuskd.h"
#include "tests/server/tuskd_process.h"

namespace tuskd::server::testing {
namespace {

using std::chrono::seconds;

TEST(ShutdownTest, SigtermMidBodyAnswers503ExitsZeroAndKeepsTheBytes) {
  TuskdProcess server({"--shutdown-timeout", "5s"});
  std::string error;
  ASSERT_TRUE(server.Start(&error)) << error;
  const std::string data = TestBytes(200000, 50);
  const size_t k = 65536 + 99;
  CreatedUpload upload = CreateUpload(server.port(), data.size());
  ASSERT_EQ(upload.response.status, 201);

  RawClient idle(server.port());
  ASSERT_EQ(idle.RoundTrip(BuildRequest("GET", "/healthz")).status, 200);
  RawClient writer(server.port());
  std::string request = PatchRequest(upload.path, 0, data);
  ASSERT_TRUE(writer.Send(request.substr(0, request.size() - data.size() + k)));
  ASSERT_TRUE(WaitForMetric(server.port(), "tuskd_bytes_received_total", k));

  server.SendTerm();
  HttpResponse r = writer.ReadResponse();
  EXPECT_EQ(r.status, 503) << r.error;
  EXPECT_EQ(r.body.rfind("ERR_SHUTTING_DOWN: ", 0), 0u) << r.body;
  EXPECT_EQ(r.Header("Upload-Offset"), std::to_string(k));
  EXPECT_EQ(r.Header("Connection"), "close");
  EXPECT_TRUE(writer.WaitForClose());
  EXPECT_TRUE(idle.WaitForClose());
  EXPECT_EQ(server.WaitForExit(seconds(10)), 0) << server.Log();

  ASSERT_TRUE(server.Start(&error)) << error;
  EXPECT_EQ(HeadOffset(server.port(), upload.path), k);
  HttpResponse rest =
      Exchange(server.port(), "PATCH", upload.path, PatchHeaders(k), data.substr(k));
  EXPECT_EQ(rest.status, 204) << rest.error << rest.body;
  EXPECT_TRUE(StoredBytesAre(server.port(), upload.path, data));
}

TEST(ShutdownTest, SigtermWhenIdleExitsZero) {
  TuskdProcess server;
  std::string error;
  ASSERT_TRUE(server.Start(&error)) << error;
  ASSERT_EQ(Exchange(server.port(), "GET", "/healthz", {}).status, 200);
  EXPECT_EQ(server.Stop(seconds(10)), 0) << server.Log();
}

TEST(ShutdownTest, SigtermRightAfterTheListeningLineExitsZero) {
  // Scripts start tuskd, wait for its listening line, and may stop it at once.
  TuskdProcess server;
  std::string error;
  ASSERT_TRUE(server.Start(&error)) << error;
  EXPECT_EQ(server.Stop(seconds(10)), 0) << server.Log();
}

TEST(ShutdownTest, Kill9AfterAcknowledgementLosesNothing) {
  TuskdProcess server;
  std::string error;
  ASSERT_TRUE(server.Start(&error)) << error;
  const std::string data = TestBytes(100000, 51);
  CreatedUpload upload = CreateUpload(server.port(), data.size());
  ASSERT_EQ(upload.response.status, 201);
  HttpResponse first =
      Exchange(server.port(), "PATCH", upload.path, PatchHeaders(0), data.substr(0, 60000));
  ASSERT_EQ(first.status, 204) << first.body;

  server.Kill9();
  ASSERT_TRUE(server.Start(&error)) << error;
  EXPECT_EQ(HeadOffset(server.port(), upload.path), 60000u);
  HttpResponse rest =
      Exchange(server.port(), "PATCH", upload.path, PatchHeaders(60000), data.substr(60000));
  EXPECT_EQ(rest.status, 204) << rest.error << rest.body;
  EXPECT_TRUE(StoredBytesAre(server.port(), upload.path, data));
}

}  // namespace
}  // namespace tuskd::server::testing
