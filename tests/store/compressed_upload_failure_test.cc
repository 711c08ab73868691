// Compressed uploads when things go wrong: a cut body, kill -9 and power loss mid-frame, a
// checksum rollback, failed syncs and appends, corrupt data. Frames make every commit a valid
// place to cut, so nothing committed is ever lost (I1, I2, I3).
#include <gtest/gtest.h>
#include <zstd.h>

#include <algorithm>
#include <cerrno>
#include <random>
#include <string>

#include "store/frame_index.h"
#include "store/upload_store.h"
#include "tests/common/test_content.h"
#include "tests/store/compressed_upload_fixture.h"

namespace tuskd::store {
namespace {

TEST_F(CompressedUploadTest, AnInterruptedPatchKeepsItsBytes) {
  std::string data = TextContent(3 << 20, 9);
  UploadRecord record = Create(data.size());
  // A body cut after 1 MiB + 5: the receiver commits what arrived (I2).
  Open(record.id);
  Append(std::string_view(data).substr(0, (1 << 20) + 5));
  Commit();
  Close();
  UploadRecord cut = GetRecord(record.id);
  EXPECT_EQ(cut.offset, (1u << 20) + 5);
  EXPECT_LT(cut.data_length, cut.offset);
  EXPECT_TRUE(SameBytes(ReadAll(record.id), data.substr(0, cut.offset)));
  AppendCommitted(record.id, std::string_view(data).substr(cut.offset));
  EXPECT_TRUE(SameBytes(ReadAll(record.id), data));
  EXPECT_EQ(GetRecord(record.id).sha256, OneShotSha256Hex(data));
}

TEST_F(CompressedUploadTest, KillMidFrameRecoversToTheLastCommitAndResumes) {
  std::string data = TextContent(600000, 1) + RandomContent(2 << 20, 2);
  UploadRecord record = Create(data.size());
  AppendCommitted(record.id, std::string_view(data).substr(0, 600000));
  const uint64_t committed = GetRecord(record.id).data_length;
  // The next body dies mid-frame: compressed bytes reached the file, no commit, no frame end.
  Open(record.id);
  Append(std::string_view(data).substr(600000, 1 << 20));
  Close();
  CloseStore();
  EXPECT_GT(ReadDataFile(record.id).size(), committed);
  OpenStore();  // recovery
  EXPECT_EQ(ReadDataFile(record.id).size(), committed);
  EXPECT_EQ(GetRecord(record.id).offset, 600000u);
  EXPECT_TRUE(SameBytes(ReadAll(record.id), data.substr(0, 600000)));
  AppendCommitted(record.id, std::string_view(data).substr(600000));
  EXPECT_TRUE(SameBytes(ReadAll(record.id), data));
  EXPECT_TRUE(SameBytes(DecodeFrames(ReadDataFile(record.id)), data));
  EXPECT_EQ(GetRecord(record.id).sha256, OneShotSha256Hex(data));
}

TEST_F(CompressedUploadTest, PowerLossMidFrameKeepsTheCommittedFrames) {
  std::string data = TextContent(2 << 20, 4);
  UploadRecord record = Create(data.size());
  AppendCommitted(record.id, std::string_view(data).substr(0, 700000));
  Open(record.id);
  Append(std::string_view(data).substr(700000, 900000));
  Close();
  CloseStore();
  ASSERT_TRUE(fs_.Crash().ok());
  OpenStore();
  EXPECT_TRUE(SameBytes(ReadAll(record.id), data.substr(0, 700000)));
  AppendCommitted(record.id, std::string_view(data).substr(700000));
  EXPECT_TRUE(SameBytes(ReadAll(record.id), data));
}

TEST_F(CompressedUploadTest, ChecksumRollbackDropsTheFrame) {
  std::string a = TextContent(50000, 1), b = TextContent(500000, 2), c = TextContent(70000, 3);
  UploadRecord record = Create(std::nullopt);
  AppendCommitted(record.id, a);
  const uint64_t committed = GetRecord(record.id).data_length;
  Open(record.id);
  Append(b);  // the body whose Upload-Checksum does not match: 460
  ASSERT_TRUE(writer_->Rollback().ok());
  EXPECT_EQ(ReadDataFile(record.id).size(), committed);
  EXPECT_EQ(writer_->offset(), a.size());
  Append(c);
  Commit();
  Close();
  EXPECT_TRUE(SameBytes(ReadAll(record.id), a + c));
  EXPECT_TRUE(SameBytes(DecodeFrames(ReadDataFile(record.id)), a + c));
  EXPECT_EQ(FrameIndexEntries(record.id), 2u);
}

TEST_F(CompressedUploadTest, AFailedSyncRollsBackToTheLastCommit) {
  std::string a = TextContent(80000, 1), b = TextContent(90000, 2);
  UploadRecord record = Create(std::nullopt);
  AppendCommitted(record.id, a);
  Open(record.id);
  Append(b);
  fs_.FailNextSync(EIO);
  EXPECT_FALSE(writer_->Commit(3000).ok());
  ASSERT_TRUE(writer_->Rollback().ok());
  Append(b);
  Commit();
  Close();
  EXPECT_TRUE(SameBytes(ReadAll(record.id), a + b));
}

TEST_F(CompressedUploadTest, AFailedAppendRewindsToTheLastFrameEnd) {
  std::string a = TextContent(10000, 1);
  std::string b = RandomContent(6 << 20, 2);
  UploadRecord record = Create(a.size() + b.size());
  AppendCommitted(record.id, a);
  Open(record.id);
  Append(std::string_view(b).substr(0, 5 << 20));  // a frame ended at 4 MiB
  fs_.FailAppendPast(fs_.SyncedLength(DataPath(record.id)).value_or(0) + (5 << 20) + 10, ENOSPC);
  Status failed = writer_->Append(Bytes(std::string_view(b).substr(5 << 20, 256 << 10)));
  EXPECT_TRUE(failed.IsNoSpace()) << failed.ToString();
  EXPECT_EQ(writer_->offset(), a.size() + (4 << 20));
  EXPECT_EQ(writer_->hash().bytes_hashed(), a.size() + (4 << 20));
  Commit();
  EXPECT_EQ(GetRecord(record.id).offset, a.size() + (4 << 20));
  Append(std::string_view(b).substr(4 << 20));
  Commit();
  Close();
  EXPECT_TRUE(SameBytes(ReadAll(record.id), a + b));
  EXPECT_EQ(GetRecord(record.id).sha256, OneShotSha256Hex(a + b));
}

TEST_F(CompressedUploadTest, CorruptDataIsReportedNotReturned) {
  std::string data = TextContent(300000, 4);
  UploadRecord record = Create(data.size());
  AppendCommitted(record.id, data);
  {
    std::string file = ReadDataFile(record.id);
    file[file.size() / 2] ^= 0x55;
    std::ofstream out(DataPath(record.id), std::ios::binary | std::ios::trunc);
    out << file;
  }
  auto reader = Reader(record.id);
  std::string buf(1 << 20, '\0');
  Status status;
  for (uint64_t offset = 0; status.ok() && offset < data.size();) {
    size_t read = 0;
    status = reader->Read(offset, {buf.data(), buf.size()}, &read);
    if (read == 0) break;
    offset += read;
  }
  EXPECT_TRUE(status.IsCorruption()) << status.ToString();
}

}  // namespace
}  // namespace tuskd::store
