// The UploadStore on the in-memory StateStore and DataStore doubles: the commit protocol,
// recovery, compression, concatenation and termination hold on any implementation of the two
// interfaces, not only on RocksDB and local files. Each test breaks something on purpose (a
// crash that drops unsynced bytes, a failed state write, an orphan object) and checks that
// nothing acknowledged was lost (I1, I2, I3).
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "store/upload_store.h"
#include "tests/common/bytes.h"
#include "tests/common/one_shot_sha256.h"
#include "tests/common/test_content.h"
#include "tests/store/doubles/memory_data_store.h"
#include "tests/store/doubles/memory_state_store.h"

namespace tuskd::store {
namespace {

class UploadStoreBackendsTest : public ::testing::Test {
 protected:
  void SetUp() override { Open(); }
  // A new UploadStore on the same contents: what a restarted process sees.
  void Open() {
    store_.reset();
    Status opened = UploadStore::Open(options_, state_.Share(), data_.Share(), &store_);
    ASSERT_TRUE(opened.ok()) << opened.ToString();
  }
  // kill -9 and power loss: the store is gone, unsynced data bytes too.
  void CrashAndReopen() {
    writer_.reset();
    lease_.reset();
    store_.reset();
    data_.Crash();
    Open();
  }
  UploadRecord Create(uint64_t length,
                      compress::CompressionMode mode = compress::CompressionMode::kNone,
                      ConcatKind concat = ConcatKind::kNone) {
    NewUpload spec;
    spec.length = length;
    spec.compression = mode;
    spec.concat = concat;
    UploadRecord record;
    Status status = store_->Create(spec, 1000, &record);
    EXPECT_TRUE(status.ok()) << status.ToString();
    return record;
  }
  UploadWriter& Writer(const std::string& id) {
    writer_.reset();
    lease_ = store_->locks().TryAcquire(id, [] {});
    EXPECT_TRUE(lease_.has_value());
    Status opened = store_->OpenWriter(id, &writer_);
    EXPECT_TRUE(opened.ok()) << opened.ToString();
    return *writer_;
  }
  void Release() {
    writer_.reset();
    lease_.reset();
  }
  UploadRecord Record(const std::string& id) {
    UploadRecord record;
    Status status = store_->Get(id, &record);
    EXPECT_TRUE(status.ok()) << status.ToString();
    return record;
  }
  std::string Read(const std::string& id, uint64_t offset, size_t count) {
    std::unique_ptr<UploadReader> reader;
    Status opened = store_->OpenReader(id, &reader);
    EXPECT_TRUE(opened.ok()) << opened.ToString();
    if (!opened.ok()) return {};
    std::string out(count, '\0');
    size_t done = 0;
    while (done < count) {
      size_t read = 0;
      if (!reader->Read(offset + done, {out.data() + done, count - done}, &read).ok() ||
          read == 0) {
        break;
      }
      done += read;
    }
    out.resize(done);
    return out;
  }

  StoreOptions options_;
  testing::MemoryStateStore state_;
  testing::MemoryDataStore data_;
  std::unique_ptr<UploadStore> store_;
  std::optional<UploadLockTable::Lease> lease_;
  std::unique_ptr<UploadWriter> writer_;
};

TEST_F(UploadStoreBackendsTest, CommittedBytesSurviveACrashAndTheUncommittedTailDoesNot) {
  UploadRecord record = Create(20);
  UploadWriter& writer = Writer(record.id);
  ASSERT_TRUE(writer.Append(Bytes("0123456789")).ok());
  ASSERT_TRUE(writer.Commit(2000).ok());
  ASSERT_TRUE(writer.Append(Bytes("abcde")).ok());  // never committed
  CrashAndReopen();
  EXPECT_EQ(Record(record.id).offset, 10u);
  EXPECT_EQ(data_.Bytes(record.id), "0123456789");
  // The writer resumes at the committed offset with the hash state saved there.
  UploadWriter& resumed = Writer(record.id);
  ASSERT_TRUE(resumed.Append(Bytes("ABCDEFGHIJ")).ok());
  ASSERT_TRUE(resumed.Commit(3000).ok());
  UploadRecord done = Record(record.id);
  EXPECT_TRUE(done.complete());
  EXPECT_EQ(done.sha256, OneShotSha256Hex("0123456789ABCDEFGHIJ"));
}

TEST_F(UploadStoreBackendsTest, RecoveryTrimsATailThatOutlivedTheProcess) {
  UploadRecord record = Create(100);
  UploadWriter& writer = Writer(record.id);
  ASSERT_TRUE(writer.Append(Bytes("kept")).ok());
  ASSERT_TRUE(writer.Commit(2000).ok());
  ASSERT_TRUE(writer.Append(Bytes("-tail")).ok());
  Release();
  Open();  // kill -9 without power loss: the tail is still in the object until recovery
  EXPECT_EQ(data_.Bytes(record.id), "kept");
  EXPECT_EQ(Record(record.id).offset, 4u);
}

TEST_F(UploadStoreBackendsTest, AFailedStateWriteAcknowledgesNothing) {
  UploadRecord record = Create(100);
  UploadWriter& writer = Writer(record.id);
  ASSERT_TRUE(writer.Append(Bytes("first")).ok());
  ASSERT_TRUE(writer.Commit(2000).ok());
  ASSERT_TRUE(writer.Append(Bytes("second")).ok());
  state_.FailWrites(1);
  EXPECT_FALSE(writer.Commit(2001).ok());
  EXPECT_FALSE(writer.Append(Bytes("more")).ok());  // refused until rolled back
  EXPECT_EQ(writer.committed().offset, 5u);
  ASSERT_TRUE(writer.Rollback().ok());
  CrashAndReopen();
  EXPECT_EQ(Record(record.id).offset, 5u);
  EXPECT_EQ(Read(record.id, 0, 100), "first");
}

TEST_F(UploadStoreBackendsTest, CompressedUploadsReadAnyRangeThroughTheFrameIndex) {
  const std::string text = TextContent(6 << 20, 7);  // frames end every 4 MiB and at commits
  UploadRecord record = Create(text.size(), compress::CompressionMode::kZstd);
  UploadWriter& writer = Writer(record.id);
  for (size_t at = 0; at < text.size(); at += 1 << 20) {
    ASSERT_TRUE(
        writer.Append({text.data() + at, std::min<size_t>(1 << 20, text.size() - at)}).ok());
  }
  ASSERT_TRUE(writer.Commit(2000).ok());
  CrashAndReopen();
  UploadRecord done = Record(record.id);
  ASSERT_TRUE(done.complete());
  EXPECT_LT(done.data_length, done.offset);
  EXPECT_EQ(Read(record.id, 5 << 20, 1000), text.substr(5 << 20, 1000));
  EXPECT_EQ(Read(record.id, 17, 100), text.substr(17, 100));
}

TEST_F(UploadStoreBackendsTest, ConcatenationJoinsPartsAndTerminationRemovesTheObject) {
  UploadRecord a = Create(3, compress::CompressionMode::kNone, ConcatKind::kPartial);
  UploadRecord b = Create(4, compress::CompressionMode::kNone, ConcatKind::kPartial);
  for (auto& [id, bytes] : {std::pair{a.id, std::string("abc")}, {b.id, std::string("defg")}}) {
    UploadWriter& writer = Writer(id);
    ASSERT_TRUE(writer.Append(Bytes(bytes)).ok());
    ASSERT_TRUE(writer.Commit(2000).ok());
  }
  Release();
  NewUpload spec;
  spec.concat = ConcatKind::kFinal;
  spec.concat_parts = {a.id, b.id};
  UploadRecord final_upload;
  ASSERT_TRUE(store_->Create(spec, 2500, &final_upload).ok());
  auto lease = store_->locks().TryAcquire(final_upload.id, [] {});
  AssemblyResult result = AssemblyResult::kStopped;
  ASSERT_TRUE(store_->AssembleFinal(final_upload.id, *lease, 3000, &result).ok());
  EXPECT_EQ(result, AssemblyResult::kComplete);
  EXPECT_EQ(Read(final_upload.id, 0, 7), "abcdefg");
  ASSERT_TRUE(store_->Terminate(final_upload.id, 4000).ok());
  EXPECT_FALSE(data_.Has(final_upload.id));
  EXPECT_EQ(Record(final_upload.id).state, UploadState::kTerminated);
}

TEST_F(UploadStoreBackendsTest, RecoveryRemovesObjectsNoRecordNames) {
  const std::string orphan = "00000000000000000000000000000001";
  ASSERT_TRUE(data_.Create(orphan).ok());  // as a crash inside Create leaves it
  Open();
  EXPECT_FALSE(data_.Has(orphan));
}

}  // namespace
}  // namespace tuskd::store
