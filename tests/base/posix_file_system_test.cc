#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "base/file_system.h"
#include "base/posix_file_system.h"
#include "tests/common/bytes.h"
#include "tests/common/scoped_temp_dir.h"

namespace tuskd {
namespace {

class PosixFileSystemTest : public ::testing::Test {
 protected:
  std::string Path(const std::string& name) const { return dir_.path() + "/" + name; }
  mode_t Mode(const std::string& path) const {
    struct stat st {};
    EXPECT_EQ(::stat(path.c_str(), &st), 0);
    return st.st_mode & 0777;
  }
  ScopedTempDir dir_;
  FileSystem* fs_ = PosixFileSystem();
};

TEST_F(PosixFileSystemTest, AppendSyncReadTruncate) {
  std::unique_ptr<DataFile> file;
  ASSERT_TRUE(fs_->OpenForAppend(Path("f"), &file).ok());
  EXPECT_EQ(Mode(Path("f")), 0600u);
  EXPECT_EQ(file->Size(), 0u);
  ASSERT_TRUE(file->Append(Bytes("hello world")).ok());
  ASSERT_TRUE(file->Sync().ok());
  EXPECT_EQ(file->Size(), 11u);

  char buf[32];
  size_t read = 0;
  ASSERT_TRUE(file->ReadAt(6, std::span<char>(buf, 5), &read).ok());
  EXPECT_EQ(std::string(buf, read), "world");
  ASSERT_TRUE(file->ReadAt(11, std::span<char>(buf), &read).ok());
  EXPECT_EQ(read, 0u);

  // O_APPEND: after a truncate the next append lands at the new end.
  ASSERT_TRUE(file->Truncate(5).ok());
  EXPECT_EQ(file->Size(), 5u);
  ASSERT_TRUE(file->Append(Bytes("!")).ok());
  ASSERT_TRUE(file->ReadAt(0, std::span<char>(buf), &read).ok());
  EXPECT_EQ(std::string(buf, read), "hello!");
}

TEST_F(PosixFileSystemTest, ReopenSeesExistingLength) {
  std::unique_ptr<DataFile> file;
  ASSERT_TRUE(fs_->OpenForAppend(Path("f"), &file).ok());
  ASSERT_TRUE(file->Append(Bytes("abc")).ok());
  file.reset();
  ASSERT_TRUE(fs_->OpenForAppend(Path("f"), &file).ok());
  EXPECT_EQ(file->Size(), 3u);
  ASSERT_TRUE(fs_->OpenForRead(Path("f"), &file).ok());
  EXPECT_EQ(file->Size(), 3u);
  EXPECT_FALSE(file->Append(Bytes("x")).ok());  // read-only
}

TEST_F(PosixFileSystemTest, PathOperations) {
  uint64_t size = 0;
  EXPECT_TRUE(fs_->FileSize(Path("missing"), &size).IsNotFound());
  EXPECT_TRUE(fs_->Remove(Path("missing")).ok());
  std::unique_ptr<DataFile> file;
  EXPECT_TRUE(fs_->OpenForRead(Path("missing"), &file).IsNotFound());

  { std::ofstream(Path("f")) << "0123456789"; }
  ASSERT_TRUE(fs_->FileSize(Path("f"), &size).ok());
  EXPECT_EQ(size, 10u);
  ASSERT_TRUE(fs_->Truncate(Path("f"), 4).ok());
  ASSERT_TRUE(fs_->FileSize(Path("f"), &size).ok());
  EXPECT_EQ(size, 4u);
  ASSERT_TRUE(fs_->Remove(Path("f")).ok());
  EXPECT_TRUE(fs_->FileSize(Path("f"), &size).IsNotFound());
}

TEST_F(PosixFileSystemTest, CreateDirsMakesPrivateNestedDirectories) {
  ASSERT_TRUE(fs_->CreateDirs(Path("a/b/c")).ok());
  EXPECT_EQ(Mode(Path("a")), 0700u);
  EXPECT_EQ(Mode(Path("a/b/c")), 0700u);
  EXPECT_TRUE(fs_->CreateDirs(Path("a/b/c")).ok());  // idempotent
  EXPECT_TRUE(fs_->CreateDirs(Path("a/b/c/")).ok());
  EXPECT_TRUE(fs_->SyncDir(Path("a/b")).ok());
  { std::ofstream(Path("file")) << "x"; }
  EXPECT_FALSE(fs_->CreateDirs(Path("file")).ok());
  EXPECT_FALSE(fs_->CreateDirs(Path("file/sub")).ok());
}

TEST_F(PosixFileSystemTest, ErrorsNameThePath) {
  std::unique_ptr<DataFile> file;
  Status s = fs_->OpenForAppend(Path("no/such/dir/f"), &file);
  EXPECT_TRUE(s.IsNotFound());
  EXPECT_NE(s.message().find("no/such/dir/f"), std::string::npos) << s.message();
}

}  // namespace
}  // namespace tuskd
