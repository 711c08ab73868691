// The rolling SHA-256 survives everything an upload can go through: a body cut mid-way, a
// resume, a kill -9 and restart, another resume. The final digest the server reports (HEAD's
// Upload-Sha256 and Repr-Digest) is the digest of the client's bytes, computed without the
// server ever re-reading the file.
#include <gtest/gtest.h>

#include <string>
#include <thread>

#include "tests/server/raw_client.h"
#include "tests/server/tuskd_process.h"

namespace tuskd::server::testing {
namespace {

// Sends `data[from, to)` as a PATCH at `from` but cuts the connection after `cut` body bytes;
// returns the offset the server committed.
uint64_t CutPatch(TuskdProcess& server, const std::string& path, const std::string& data,
                  uint64_t from, uint64_t cut) {
  RawClient client(server.port());
  std::string request = PatchRequest(path, from, std::string_view(data).substr(from));
  client.Send(std::string_view(request).substr(0, request.size() - (data.size() - from) + cut));
  client.Close();
  // A HEAD asks a running PATCH to stop (like tusd), so wait until the server has read every
  // byte we sent and closed the connection before asking.
  WaitForMetric(server.port(), "tuskd_bytes_received_total", static_cast<int64_t>(from + cut));
  WaitUntilIdle(server.port());
  for (int i = 0; i < 100; ++i) {
    auto offset = HeadOffset(server.port(), path);
    if (offset && *offset == from + cut) return *offset;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return HeadOffset(server.port(), path).value_or(0);
}

TEST(RollingDigestTest, DigestAfterCutsResumesAndKillNineIsTheClientsDigest) {
  TuskdProcess server;
  std::string error;
  ASSERT_TRUE(server.Start(&error)) << error;
  const std::string data = TestBytes(1 << 20, 33);
  CreatedUpload upload = CreateUpload(server.port(), data.size());
  ASSERT_EQ(upload.response.status, 201);

  uint64_t offset = CutPatch(server, upload.path, data, 0, 300001);
  ASSERT_EQ(offset, 300001u);
  offset = CutPatch(server, upload.path, data, offset, 250007);
  ASSERT_EQ(offset, 550008u);

  server.Kill9();
  ASSERT_TRUE(server.Restart(&error)) << error;
  ASSERT_EQ(HeadOffset(server.port(), upload.path), offset);

  RawClient client(server.port());
  HttpResponse r =
      client.RoundTrip(PatchRequest(upload.path, offset, std::string_view(data).substr(offset)));
  ASSERT_EQ(r.status, 204) << r.body;

  HttpResponse head = Exchange(server.port(), "HEAD", upload.path);
  EXPECT_EQ(head.Header("Upload-Sha256"), Sha256Of(data));
  EXPECT_EQ(head.Header("Repr-Digest"), "sha-256=:" + Sha256Of(data, false) + ":");
  EXPECT_EQ(Download(server.port(), upload.path), data);
}

}  // namespace
}  // namespace tuskd::server::testing
