// Compression at rest through the real server (--compression): nothing a client sees changes.
// Offsets, HEAD, GET (whole and ranged) and checksums are of the original bytes, while the data
// files hold zstd frames; a kill -9 in the middle of a frame loses only the uncommitted tail,
// and the upload resumes byte-exact; `auto` leaves already compressed content alone.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <random>
#include <string>
#include <thread>
#include <vector>

#include "tests/server/raw_client.h"
#include "tests/server/shared_tuskd.h"
#include "tests/server/tuskd_process.h"

namespace tuskd::server::testing {
namespace {

using std::chrono::seconds;

// Log-like lines: zstd stores them in well under a third of their size.
std::string TextLike(size_t size, uint32_t seed) {
  static const char* kWords[] = {"GET",    "PUT",     "upload", "commit", "frame", "offset",
                                 "client", "storage", "ok",     "retry",  "error", "bytes"};
  std::mt19937 rng(seed);
  std::string out;
  while (out.size() < size) {
    out += "2024-05-01T12:00:" + std::to_string(rng() % 60) +
           " INFO req=" + std::to_string(rng() % 1000000) + " ";
    for (int w = 0; w < 5; ++w) out += std::string(kWords[rng() % 12]) + " ";
    out += "\n";
  }
  out.resize(size);
  return out;
}

std::optional<uint64_t> FileSize(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return std::nullopt;
  return static_cast<uint64_t>(st.st_size);
}

std::string DataFile(const TuskdProcess& server, const CreatedUpload& upload) {
  return server.data_dir() + "/uploads/" + upload.id;
}

HeaderFields Filetype(const std::string& type) {
  // base64 of the few types used here (Upload-Metadata values are base64).
  if (type == "text/plain") return {{"Upload-Metadata", "filetype dGV4dC9wbGFpbg=="}};
  if (type == "image/jpeg") return {{"Upload-Metadata", "filetype aW1hZ2UvanBlZw=="}};
  return {};
}

TEST(CompressionCrashTest, KillNineMidFrameThenResumeIsByteExact) {
  TuskdProcess server({"--compression", "zstd", "--checkpoint-bytes", "2M"});
  std::string error;
  ASSERT_TRUE(server.Start(&error)) << error;
  const std::string data = TextLike(6 << 20, 1);
  CreatedUpload upload = CreateUpload(server.port(), data.size());
  ASSERT_EQ(upload.response.status, 201);

  // Send 3.9 MiB and keep the connection open: one checkpoint commit at 2 MiB, then a frame
  // still open (part of it already in the file) when the server dies.
  const size_t sent = (39 << 20) / 10;
  RawClient client(server.port(), seconds(10));
  std::string request = PatchRequest(upload.path, 0, data);
  ASSERT_TRUE(client.Send(request.substr(0, request.size() - data.size() + sent)));
  ASSERT_TRUE(WaitForMetric(server.port(), "tuskd_bytes_received_total", sent, seconds(10)));
  ASSERT_TRUE(WaitForMetric(server.port(), "tuskd_commits_total", 1, seconds(10)));
  server.Kill9();
  client.Close();
  const std::optional<uint64_t> before_recovery = FileSize(DataFile(server, upload));
  ASSERT_TRUE(before_recovery.has_value());

  ASSERT_TRUE(server.Start(&error)) << error;
  std::optional<uint64_t> offset = HeadOffset(server.port(), upload.path);
  ASSERT_TRUE(offset.has_value());
  // The checkpoint (at the first piece boundary past 2 MiB); the open frame was not committed.
  EXPECT_GE(*offset, 2u << 20);
  EXPECT_LT(*offset, sent);
  // Recovery cut the open frame's compressed bytes off the file.
  EXPECT_LT(FileSize(DataFile(server, upload)).value_or(0), *before_recovery);
  EXPECT_TRUE(StoredBytesAre(server.port(), upload.path, data.substr(0, *offset)));

  HttpResponse r =
      Exchange(server.port(), "PATCH", upload.path, PatchHeaders(*offset), data.substr(*offset));
  EXPECT_EQ(r.status, 204) << r.error << r.body;
  EXPECT_EQ(r.Header("Upload-Offset"), std::to_string(data.size()));
  EXPECT_TRUE(StoredBytesAre(server.port(), upload.path, data));
  EXPECT_LT(FileSize(DataFile(server, upload)).value_or(data.size()), data.size() / 3);
}

class CompressionTest : public SharedTuskdTest<CompressionTest> {
 public:
  static std::vector<std::string> Flags() { return {"--compression", "auto"}; }
};

TEST_F(CompressionTest, MixedCompressedAndUncompressedUploadsInOneServer) {
  const std::string text = TextLike(3 << 20, 2);
  const std::string gzip = std::string("\x1F\x8B\x08\x00", 4) + TestBytes(500000, 3);
  struct Case {
    std::string name, body;
    HeaderFields metadata;
    bool compressed;
  };
  for (const Case& c : {Case{"text", text, Filetype("text/plain"), true},
                        Case{"declared jpeg", text, Filetype("image/jpeg"), false},
                        Case{"gzip magic", gzip, {}, false}}) {
    SCOPED_TRACE(c.name);
    CreatedUpload upload = CreateUpload(port(), c.body.size(), c.metadata);
    ASSERT_EQ(upload.response.status, 201);
    HttpResponse r = Exchange(port(), "PATCH", upload.path, PatchHeaders(0), c.body);
    EXPECT_EQ(r.status, 204) << r.error << r.body;
    EXPECT_EQ(HeadOffset(port(), upload.path), c.body.size());
    EXPECT_TRUE(StoredBytesAre(port(), upload.path, c.body));
    std::optional<uint64_t> stored = FileSize(DataFile(server(), upload));
    if (c.compressed) {
      EXPECT_LT(stored.value_or(c.body.size()), c.body.size() / 3);
    } else {
      EXPECT_EQ(stored, c.body.size());
    }
  }
  std::optional<int64_t> logical = MetricValue(port(), "tuskd_logical_bytes");
  std::optional<int64_t> stored = MetricValue(port(), "tuskd_stored_bytes");
  ASSERT_TRUE(logical && stored);
  EXPECT_LT(*stored, *logical);
}

TEST_F(CompressionTest, RangeReadsAtFrameBoundariesAndInsideFrames) {
  // Three PATCHes: three frames, plus one inside the 5 MiB body (frames end every 4 MiB).
  const std::string data = TextLike((6 << 20) + 3, 4);
  CreatedUpload upload = CreateUpload(port(), data.size(), Filetype("text/plain"));
  ASSERT_EQ(upload.response.status, 201);
  const std::vector<size_t> cuts = {0, 100000, 100001, (5 << 20) + 100001, data.size()};
  for (size_t i = 0; i + 1 < cuts.size(); ++i) {
    HttpResponse r = Exchange(port(), "PATCH", upload.path, PatchHeaders(cuts[i]),
                              data.substr(cuts[i], cuts[i + 1] - cuts[i]));
    ASSERT_EQ(r.status, 204) << r.error << r.body;
  }
  std::vector<size_t> starts = {0, 100000, 100001, (4 << 20) + 100001, (5 << 20) + 100001};
  for (size_t start : starts) {
    for (long delta : {-1L, 0L, 1L, 7777L}) {
      long first = static_cast<long>(start) + delta;
      if (first < 0 || first >= static_cast<long>(data.size())) continue;
      size_t last = std::min<size_t>(first + 300000, data.size() - 1);
      std::string range = "bytes=" + std::to_string(first) + "-" + std::to_string(last);
      HttpResponse r = Exchange(port(), "GET", upload.path, {{"Range", range}});
      EXPECT_EQ(r.status, 206) << range;
      EXPECT_TRUE(r.body == data.substr(first, last - first + 1)) << range;
    }
  }
  EXPECT_TRUE(StoredBytesAre(port(), upload.path, data));
}

TEST_F(CompressionTest, ChecksumMismatchRollsBackTheFrame) {
  const std::string data = TextLike(700000, 5);
  CreatedUpload upload = CreateUpload(port(), data.size(), Filetype("text/plain"));
  ASSERT_EQ(upload.response.status, 201);
  HttpResponse r = Exchange(port(), "PATCH", upload.path, PatchHeaders(0), data.substr(0, 300000));
  ASSERT_EQ(r.status, 204);
  const std::optional<uint64_t> committed = FileSize(DataFile(server(), upload));
  r = Exchange(port(), "PATCH", upload.path,
               PatchHeaders(300000, {{"Upload-Checksum", "sha1 qvTGHdzF6KLavt4PO0gs2a6pQ00="}}),
               data.substr(300000));
  EXPECT_EQ(r.status, 460) << r.body;
  EXPECT_EQ(HeadOffset(port(), upload.path), 300000u);
  EXPECT_EQ(FileSize(DataFile(server(), upload)), committed);
  r = Exchange(port(), "PATCH", upload.path, PatchHeaders(300000), data.substr(300000));
  EXPECT_EQ(r.status, 204) << r.body;
  EXPECT_TRUE(StoredBytesAre(port(), upload.path, data));
}

TEST_F(CompressionTest, AnInterruptedCompressedPatchKeepsItsBytes) {
  const std::string data = TextLike(2 << 20, 6);
  CreatedUpload upload = CreateUpload(port(), data.size(), Filetype("text/plain"));
  ASSERT_EQ(upload.response.status, 201);
  const size_t cut = 1234567;
  const int64_t received = MetricValue(port(), "tuskd_bytes_received_total").value_or(0);
  {
    RawClient client(port());
    std::string request = PatchRequest(upload.path, 0, data);
    ASSERT_TRUE(client.Send(request.substr(0, request.size() - data.size() + cut)));
    ASSERT_TRUE(WaitForMetric(port(), "tuskd_bytes_received_total", received + cut));
    client.Close();
  }
  ASSERT_TRUE(WaitUntilIdle(port()));
  std::optional<uint64_t> offset;
  for (int i = 0; i < 100 && offset != cut; ++i) {
    offset = HeadOffset(port(), upload.path);
    if (offset != cut) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(offset, cut);
  HttpResponse r = Exchange(port(), "PATCH", upload.path, PatchHeaders(cut), data.substr(cut));
  EXPECT_EQ(r.status, 204) << r.body;
  EXPECT_TRUE(StoredBytesAre(port(), upload.path, data));
}

}  // namespace
}  // namespace tuskd::server::testing
