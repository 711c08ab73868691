#include <gtest/gtest.h>

#include <cerrno>

#include "store/upload_store.h"
#include "tests/store/store_test_util.h"

namespace tuskd::store {
namespace {

class UploadWriterTest : public StoreTest {
 protected:
  // Creates an upload of `length` and opens a writer on it, holding its lease.
  void Start(std::optional<uint64_t> length) {
    record_ = CreateUpload(length);
    lease_ = store_->locks().TryAcquire(record_.id, [] {});
    ASSERT_TRUE(lease_.has_value());
    Status status = store_->OpenWriter(record_.id, &writer_);
    ASSERT_TRUE(status.ok()) << status.ToString();
  }
  std::string Data() const { return ReadDataFile(record_.id); }
  void ExpectOneExpiryKey(int64_t expires_at) {
    writer_.reset();
    lease_.reset();
    WithClosedDb([&](RocksStateStore& db) {
      EXPECT_EQ(CountKeys(db, Family::kExpiry), 1u);
      EXPECT_TRUE(HasKey(db, Family::kExpiry, ExpiryKey(expires_at, record_.id)));
    });
  }

  UploadRecord record_;
  std::optional<UploadLockTable::Lease> lease_;
  std::unique_ptr<UploadWriter> writer_;
};

TEST_F(UploadWriterTest, AppendIsPendingUntilCommit) {
  Start(100);
  ASSERT_TRUE(writer_->Append(Bytes("abc")).ok());
  ASSERT_TRUE(writer_->Append(Bytes("de")).ok());
  EXPECT_EQ(writer_->offset(), 5u);
  EXPECT_EQ(writer_->pending_bytes(), 5u);
  EXPECT_EQ(writer_->committed().offset, 0u);
  EXPECT_EQ(writer_->hash().bytes_hashed(), 5u);
  EXPECT_EQ(GetRecord(record_.id).offset, 0u);  // not visible before the commit

  ASSERT_TRUE(writer_->Commit(2000).ok());
  EXPECT_EQ(writer_->pending_bytes(), 0u);
  EXPECT_EQ(writer_->committed().offset, 5u);
  UploadRecord read = GetRecord(record_.id);
  EXPECT_EQ(read.offset, 5u);
  EXPECT_EQ(read.data_length, 5u);
  EXPECT_EQ(read.updated_at, 2000);
  EXPECT_EQ(read.expires_at, 2000 + kExpiration);
  EXPECT_EQ(Data(), "abcde");
}

TEST_F(UploadWriterTest, CommitWithNothingPendingChangesNothing) {
  Start(100);
  ASSERT_TRUE(writer_->Commit(5000).ok());
  EXPECT_EQ(GetRecord(record_.id).updated_at, 1000);
}

TEST_F(UploadWriterTest, CheckpointsMoveTheExpiryEntry) {
  Start(100);
  for (int64_t now : {2000, 3000, 4000}) {
    ASSERT_TRUE(writer_->Append(Bytes("x")).ok());
    ASSERT_TRUE(writer_->Commit(now).ok());
  }
  ExpectOneExpiryKey(4000 + kExpiration);
}

TEST_F(UploadWriterTest, NoSpaceMidAppendLeavesFileAndRecordUnchanged) {
  Start(100);
  ASSERT_TRUE(writer_->Append(Bytes("aaaa")).ok());
  fs_.FailAppendPast(6, ENOSPC);
  Status status = writer_->Append(Bytes("bbbb"));
  EXPECT_TRUE(status.IsNoSpace()) << status.ToString();
  EXPECT_EQ(Data(), "aaaa");  // the two bytes that fitted were cut again
  EXPECT_EQ(writer_->offset(), 4u);
  EXPECT_EQ(writer_->hash().bytes_hashed(), 4u);
  EXPECT_EQ(GetRecord(record_.id).offset, 0u);

  ASSERT_TRUE(writer_->Commit(2000).ok());  // the earlier pieces still commit
  EXPECT_EQ(GetRecord(record_.id).offset, 4u);
  ASSERT_TRUE(writer_->Append(Bytes("cc")).ok());
  ASSERT_TRUE(writer_->Commit(2001).ok());
  EXPECT_EQ(Data(), "aaaacc");
}

TEST_F(UploadWriterTest, IoErrorMidAppendIsReportedAndCut) {
  Start(100);
  fs_.FailAppendPast(1, EIO);
  Status status = writer_->Append(Bytes("abc"));
  EXPECT_FALSE(status.ok());
  EXPECT_FALSE(status.IsNoSpace());
  EXPECT_EQ(Data(), "");
  EXPECT_EQ(writer_->offset(), 0u);
}

TEST_F(UploadWriterTest, FailedSyncFailsTheCommitAndKeepsCommittedState) {
  Start(100);
  ASSERT_TRUE(writer_->Append(Bytes("abc")).ok());
  ASSERT_TRUE(writer_->Commit(2000).ok());
  ASSERT_TRUE(writer_->Append(Bytes("def")).ok());
  fs_.FailNextSync(EIO);
  Status failed = writer_->Commit(3000);
  EXPECT_FALSE(failed.ok());
  EXPECT_EQ(writer_->committed().offset, 3u);
  UploadRecord read = GetRecord(record_.id);
  EXPECT_EQ(read.offset, 3u);
  EXPECT_EQ(read.updated_at, 2000);

  // No second fdatasync over pages the kernel may have dropped: only Rollback clears it.
  EXPECT_EQ(writer_->Commit(3001).ToString(), failed.ToString());
  EXPECT_FALSE(writer_->Append(Bytes("g")).ok());
  ASSERT_TRUE(writer_->Rollback().ok());
  EXPECT_EQ(Data(), "abc");
  ASSERT_TRUE(writer_->Append(Bytes("xyz")).ok());
  ASSERT_TRUE(writer_->Commit(3002).ok());
  EXPECT_EQ(Data(), "abcxyz");
  EXPECT_EQ(writer_->hash().HexDigest(), OneShotSha256Hex("abcxyz"));
}

TEST_F(UploadWriterTest, RollbackRestoresOffsetBytesAndHash) {
  Start(100);
  ASSERT_TRUE(writer_->Append(Bytes("keep")).ok());
  ASSERT_TRUE(writer_->Commit(2000).ok());
  ASSERT_TRUE(writer_->Append(Bytes("drop")).ok());
  ASSERT_TRUE(writer_->Rollback().ok());
  EXPECT_EQ(writer_->offset(), 4u);
  EXPECT_EQ(writer_->pending_bytes(), 0u);
  EXPECT_EQ(Data(), "keep");
  EXPECT_EQ(writer_->hash().HexDigest(), OneShotSha256Hex("keep"));
  ASSERT_TRUE(writer_->Commit(2001).ok());  // nothing pending: a no-op
  EXPECT_EQ(GetRecord(record_.id).updated_at, 2000);
}

TEST_F(UploadWriterTest, RollbackForgetsAPendingLength) {
  Start(std::nullopt);
  ASSERT_TRUE(writer_->SetLength(10).ok());
  ASSERT_TRUE(writer_->Rollback().ok());
  ASSERT_TRUE(writer_->SetLength(20).ok());
  ASSERT_TRUE(writer_->Commit(2000).ok());
  EXPECT_EQ(GetRecord(record_.id).length, 20u);
}

TEST_F(UploadWriterTest, SetLengthForADeferredUpload) {
  Start(std::nullopt);
  ASSERT_TRUE(writer_->Append(Bytes("12345")).ok());
  EXPECT_TRUE(writer_->SetLength(4).IsInvalid());  // below offset
  ASSERT_TRUE(writer_->SetLength(8).ok());
  EXPECT_TRUE(writer_->SetLength(8).IsInvalid());          // already set
  EXPECT_FALSE(GetRecord(record_.id).length.has_value());  // takes effect at the commit
  ASSERT_TRUE(writer_->Commit(2000).ok());
  UploadRecord read = GetRecord(record_.id);
  EXPECT_EQ(read.length, 8u);
  EXPECT_EQ(read.state, UploadState::kReceiving);
  EXPECT_TRUE(writer_->SetLength(9).IsInvalid());
}

TEST_F(UploadWriterTest, SetLengthAloneIsCommittedAndCanComplete) {
  Start(std::nullopt);
  ASSERT_TRUE(writer_->Append(Bytes("abc")).ok());
  ASSERT_TRUE(writer_->Commit(2000).ok());
  ASSERT_TRUE(writer_->SetLength(3).ok());
  ASSERT_TRUE(writer_->Commit(2001).ok());
  UploadRecord read = GetRecord(record_.id);
  EXPECT_EQ(read.length, 3u);
  EXPECT_TRUE(read.complete());
  EXPECT_EQ(read.sha256, OneShotSha256Hex("abc"));
}

TEST_F(UploadWriterTest, SetLengthOnAKnownLengthIsInvalid) {
  Start(10);
  EXPECT_TRUE(writer_->SetLength(10).IsInvalid());
}

TEST_F(UploadWriterTest, AppendPastTheLengthIsRefusedWhole) {
  Start(5);
  ASSERT_TRUE(writer_->Append(Bytes("abc")).ok());
  EXPECT_TRUE(writer_->Append(Bytes("def")).IsInvalid());
  EXPECT_EQ(Data(), "abc");
  EXPECT_EQ(writer_->offset(), 3u);
}

TEST_F(UploadWriterTest, CompletionSetsSha256AndRemovesExpiryAndHashState) {
  std::string data(300000, '\0');
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>(i * 7 + i / 1000);
  Start(data.size());
  for (size_t pos = 0; pos < data.size(); pos += 65536) {
    ASSERT_TRUE(writer_->Append(Bytes(std::string_view(data).substr(pos, 65536))).ok());
    if (pos == 131072) {
      ASSERT_TRUE(writer_->Commit(2000).ok());  // a checkpoint on the way
    }
  }
  ASSERT_TRUE(writer_->Commit(3000).ok());
  EXPECT_TRUE(writer_->committed().complete());
  UploadRecord read = GetRecord(record_.id);
  EXPECT_EQ(read.state, UploadState::kComplete);
  EXPECT_EQ(read.offset, data.size());
  EXPECT_EQ(read.sha256, OneShotSha256Hex(data));
  EXPECT_FALSE(read.expires_at.has_value());
  EXPECT_EQ(Data(), data);
  EXPECT_TRUE(writer_->Append(Bytes("x")).IsInvalid());
  writer_.reset();
  lease_.reset();
  WithClosedDb([&](RocksStateStore& db) {
    EXPECT_EQ(CountKeys(db, Family::kExpiry), 0u);
    EXPECT_FALSE(HasKey(db, Family::kHashState, record_.id));
  });
}

TEST_F(UploadWriterTest, HashStateIsSavedWithEveryCommit) {
  Start(100);
  ASSERT_TRUE(writer_->Append(Bytes("part one,")).ok());
  ASSERT_TRUE(writer_->Commit(2000).ok());
  writer_.reset();
  lease_.reset();
  std::string blob;
  WithClosedDb([&](RocksStateStore& db) {
    ASSERT_TRUE(db.Get(Family::kHashState, record_.id, &blob).ok());
  });
  RollingSha256 hash;
  ASSERT_TRUE(RollingSha256::Deserialize(blob, 9, &hash).ok());
  hash.Update(Bytes(" two"));
  EXPECT_EQ(hash.HexDigest(), OneShotSha256Hex("part one, two"));
}

}  // namespace
}  // namespace tuskd::store
