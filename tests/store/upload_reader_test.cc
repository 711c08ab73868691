#include <gtest/gtest.h>

#include "store/upload_store.h"
#include "tests/store/store_test_util.h"

namespace tuskd::store {
namespace {

using UploadReaderTest = StoreTest;

std::string ReadAll(UploadReader& reader, size_t piece) {
  std::string out;
  std::string buf(piece, '\0');
  for (;;) {
    size_t read = 0;
    Status status = reader.Read(out.size(), std::span<char>(buf), &read);
    EXPECT_TRUE(status.ok()) << status.ToString();
    if (!status.ok() || read == 0) return out;
    out.append(buf.data(), read);
  }
}

TEST_F(UploadReaderTest, ReadsCommittedBytesInPieces) {
  UploadRecord created = CreateUpload(11);
  AppendAndCommit(created.id, "hello world");
  std::unique_ptr<UploadReader> reader;
  ASSERT_TRUE(store_->OpenReader(created.id, &reader).ok());
  EXPECT_EQ(reader->size(), 11u);
  EXPECT_EQ(ReadAll(*reader, 4), "hello world");
  char buf[4];
  size_t read = 7;
  ASSERT_TRUE(reader->Read(11, std::span<char>(buf), &read).ok());
  EXPECT_EQ(read, 0u);
  ASSERT_TRUE(reader->Read(1000, std::span<char>(buf), &read).ok());
  EXPECT_EQ(read, 0u);
}

TEST_F(UploadReaderTest, StopsAtTheCommittedOffset) {
  UploadRecord created = CreateUpload(100);
  AppendAndCommit(created.id, "committed");
  auto lease = store_->locks().TryAcquire(created.id, [] {});
  std::unique_ptr<UploadWriter> writer;
  ASSERT_TRUE(store_->OpenWriter(created.id, &writer).ok());
  ASSERT_TRUE(writer->Append(Bytes(" and pending")).ok());
  std::unique_ptr<UploadReader> reader;
  ASSERT_TRUE(store_->OpenReader(created.id, &reader).ok());
  EXPECT_EQ(ReadAll(*reader, 64), "committed");
}

TEST_F(UploadReaderTest, EmptyUploadReadsNothing) {
  UploadRecord created = CreateUpload(0);
  std::unique_ptr<UploadReader> reader;
  ASSERT_TRUE(store_->OpenReader(created.id, &reader).ok());
  EXPECT_EQ(reader->size(), 0u);
  EXPECT_EQ(ReadAll(*reader, 8), "");
}

}  // namespace
}  // namespace tuskd::store
