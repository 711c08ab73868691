// A full disk (invariant I6 and the 507 path): the upload directory is a 1 MiB tmpfs, so a
// larger body runs into ENOSPC mid-way. The client gets 507 with the offset that was committed,
// HEAD agrees, the committed bytes are exact, and the server keeps serving. Needs root (mount);
// skipped with the reason where mounting is not allowed.
#include <gtest/gtest.h>
#include <sys/mount.h>

#include <filesystem>
#include <string>

#include "tests/server/raw_client.h"
#include "tests/server/tuskd_process.h"

namespace tuskd::server::testing {
namespace {

// Mounts a small tmpfs at `path` for the lifetime of the object.
class SmallTmpfs {
 public:
  SmallTmpfs(const std::string& path, const char* size) : path_(path) {
    std::filesystem::create_directories(path);
    std::string options = std::string("size=") + size + ",mode=0700";
    mounted_ = ::mount("tmpfs", path.c_str(), "tmpfs", 0, options.c_str()) == 0;
  }
  ~SmallTmpfs() {
    if (mounted_) ::umount2(path_.c_str(), MNT_DETACH);
  }
  bool mounted() const { return mounted_; }

 private:
  std::string path_;
  bool mounted_ = false;
};

TEST(DiskFullTest, BodyThatFillsTheDiskAnswers507AndKeepsStateConsistent) {
  TuskdProcess server;
  SmallTmpfs uploads(server.data_dir() + "/uploads", "1m");
  if (!uploads.mounted()) GTEST_SKIP() << "cannot mount a tmpfs here (needs root)";
  std::string error;
  ASSERT_TRUE(server.Start(&error)) << error;

  const std::string data = TestBytes(3 << 20, 21);
  CreatedUpload upload = CreateUpload(server.port(), data.size());
  ASSERT_EQ(upload.response.status, 201);
  RawClient client(server.port());
  HttpResponse r = client.RoundTrip(PatchRequest(upload.path, 0, data));
  ASSERT_EQ(r.status, 507) << r.body;
  EXPECT_EQ(r.body.rfind("ERR_INSUFFICIENT_STORAGE", 0), 0u) << r.body;
  ASSERT_TRUE(r.Header("Upload-Offset").has_value());
  const uint64_t kept = std::stoull(*r.Header("Upload-Offset"));
  EXPECT_LT(kept, data.size());

  // What the server says it has is exactly what it has.
  EXPECT_EQ(HeadOffset(server.port(), upload.path), kept);
  std::optional<std::string> bytes = Download(server.port(), upload.path);
  ASSERT_TRUE(bytes.has_value());
  EXPECT_EQ(*bytes, data.substr(0, kept));
  EXPECT_EQ(std::filesystem::file_size(server.data_dir() + "/uploads/" + upload.id), kept);

  // And it keeps serving: a small upload elsewhere still fits once this one is deleted.
  EXPECT_EQ(Exchange(server.port(), "DELETE", upload.path).status, 204);
  CreatedUpload small = CreateUpload(server.port(), 5);
  RawClient other(server.port());
  EXPECT_EQ(other.RoundTrip(PatchRequest(small.path, 0, "hello")).status, 204);
  server.Stop();
}

}  // namespace
}  // namespace tuskd::server::testing
