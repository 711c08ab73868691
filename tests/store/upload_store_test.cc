#include "store/upload_store.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "store/upload_id.h"
#include "tests/store/store_test_util.h"

namespace tuskd::store {
namespace {

constexpr char kEmptySha256[] = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

using UploadStoreTest = StoreTest;

TEST_F(UploadStoreTest, OpenCreatesPrivateDirectories) {
  struct stat st {};
  ASSERT_EQ(::stat((dir_.path() + "/uploads").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  EXPECT_TRUE(std::filesystem::is_directory(dir_.path() + "/db"));
}

TEST_F(UploadStoreTest, OpenFailsWhileAnotherStoreHoldsTheDb) {
  std::unique_ptr<UploadStore> second;
  Status status = UploadStore::Open(options_, &second);
  EXPECT_FALSE(status.ok());
  EXPECT_NE(status.message().find("lock"), std::string::npos) << status.ToString();
}

TEST_F(UploadStoreTest, CreateWritesRecordFileHashStateAndExpiry) {
  NewUpload spec;
  spec.length = 100;
  spec.metadata_raw = "filename YS50eHQ=";
  spec.metadata = {{"filename", "a.txt"}};
  spec.concat = ConcatKind::kPartial;
  UploadRecord created;
  ASSERT_TRUE(store_->Create(spec, 1000, &created).ok());
  EXPECT_TRUE(IsValidUploadId(created.id));
  EXPECT_EQ(created.length, 100u);
  EXPECT_EQ(created.offset, 0u);
  EXPECT_EQ(created.created_at, 1000);
  EXPECT_EQ(created.updated_at, 1000);
  EXPECT_EQ(created.expires_at, 1000 + kExpiration);
  EXPECT_EQ(created.state, UploadState::kReceiving);
  EXPECT_EQ(created.concat, ConcatKind::kPartial);

  UploadRecord read = GetRecord(created.id);
  EXPECT_EQ(SerializeRecord(read), SerializeRecord(created));
  struct stat st {};
  ASSERT_EQ(::stat(DataPath(created.id).c_str(), &st), 0);
  EXPECT_EQ(st.st_size, 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);

  WithClosedDb([&](RocksStateStore& db) {
    std::string blob;
    ASSERT_TRUE(db.Get(Family::kHashState, created.id, &blob).ok());
    RollingSha256 hash;
    EXPECT_TRUE(RollingSha256::Deserialize(blob, 0, &hash).ok());
    EXPECT_TRUE(HasKey(db, Family::kExpiry, ExpiryKey(1000 + kExpiration, created.id)));
  });
}

TEST_F(UploadStoreTest, NoExpiryWhenExpirationIsOff) {
  CloseStore();
  options_.expiration_seconds = 0;
  OpenStore();
  UploadRecord created = CreateUpload(std::nullopt);
  EXPECT_TRUE(created.deferred());
  EXPECT_FALSE(created.expires_at.has_value());
  AppendAndCommit(created.id, "abc");
  EXPECT_FALSE(GetRecord(created.id).expires_at.has_value());
  WithClosedDb([&](RocksStateStore& db) { EXPECT_EQ(CountKeys(db, Family::kExpiry), 0u); });
}

TEST_F(UploadStoreTest, ZeroLengthUploadIsCompleteAtCreation) {
  UploadRecord created = CreateUpload(0);
  EXPECT_EQ(created.state, UploadState::kComplete);
  EXPECT_EQ(created.sha256, kEmptySha256);
  EXPECT_FALSE(created.expires_at.has_value());
  EXPECT_EQ(GetRecord(created.id).state, UploadState::kComplete);
  {
    auto lease = store_->locks().TryAcquire(created.id, [] {});
    std::unique_ptr<UploadWriter> writer;
    EXPECT_TRUE(store_->OpenWriter(created.id, &writer).IsInvalid());
  }
  WithClosedDb([&](RocksStateStore& db) {
    EXPECT_EQ(CountKeys(db, Family::kExpiry), 0u);
    EXPECT_FALSE(HasKey(db, Family::kHashState, created.id));
  });
}

TEST_F(UploadStoreTest, CreateRefusesWhatItCannotBuild) {
  NewUpload spec;
  UploadRecord out;
  spec.concat = ConcatKind::kFinal;
  spec.concat_parts = {NewUploadId()};
  EXPECT_TRUE(store_->Create(spec, 1, &out).IsInvalid());
  spec.concat = ConcatKind::kPartial;  // a part that names parts
  EXPECT_TRUE(store_->Create(spec, 1, &out).IsInvalid());
  std::vector<UploadRecord> all;
  ASSERT_TRUE(store_->ListUploads(&all).ok());
  EXPECT_TRUE(all.empty());
}

TEST_F(UploadStoreTest, UnknownAndInvalidIdsAreNotFound) {
  UploadRecord out;
  EXPECT_TRUE(store_->Get(NewUploadId(), &out).IsNotFound());
  EXPECT_TRUE(store_->Get("../../etc/passwd", &out).IsNotFound());
  EXPECT_TRUE(store_->Get("", &out).IsNotFound());
  std::unique_ptr<UploadWriter> writer;
  EXPECT_TRUE(store_->OpenWriter("../x", &writer).IsNotFound());
  std::unique_ptr<UploadReader> reader;
  EXPECT_TRUE(store_->OpenReader("../x", &reader).IsNotFound());
  EXPECT_TRUE(store_->Terminate("../x", 1).IsNotFound());
}

TEST_F(UploadStoreTest, CorruptRecordIsReportedNotFatal) {
  UploadRecord good = CreateUpload(10);
  std::string bad_id = NewUploadId();
  WithClosedDb([&](RocksStateStore& db) {
    ASSERT_TRUE(db.db()->Put({}, db.handle(Family::kUploads), bad_id, "{\"id\": 7").ok());
  });
  OpenStore();  // recovery logs and carries on
  UploadRecord out;
  EXPECT_TRUE(store_->Get(bad_id, &out).IsCorruption());
  std::vector<UploadRecord> all;
  ASSERT_TRUE(store_->ListUploads(&all).ok());
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].id, good.id);
}

TEST_F(UploadStoreTest, CommittedBytesAndHashSurviveReopen) {
  UploadRecord created = CreateUpload(12);
  AppendAndCommit(created.id, "hello ", 1100);
  AppendAndCommit(created.id, "world", 1200);
  ReopenStore();

  UploadRecord read = GetRecord(created.id);
  EXPECT_EQ(read.offset, 11u);
  EXPECT_EQ(read.data_length, 11u);
  EXPECT_EQ(read.updated_at, 1200);
  EXPECT_EQ(ReadDataFile(created.id), "hello world");

  auto lease = store_->locks().TryAcquire(created.id, [] {});
  std::unique_ptr<UploadWriter> writer;
  ASSERT_TRUE(store_->OpenWriter(created.id, &writer).ok());
  EXPECT_EQ(writer->hash().bytes_hashed(), 11u);
  ASSERT_TRUE(writer->Append(Bytes("!")).ok());
  ASSERT_TRUE(writer->Commit(1300).ok());
  EXPECT_EQ(GetRecord(created.id).sha256, OneShotSha256Hex("hello world!"));
}

// I3: bytes appended but never committed are gone after a restart.
TEST_F(UploadStoreTest, RecoveryTruncatesAnUncommittedTail) {
  UploadRecord created = CreateUpload(100);
  AppendAndCommit(created.id, "committed");
  {
    auto lease = store_->locks().TryAcquire(created.id, [] {});
    std::unique_ptr<UploadWriter> writer;
    ASSERT_TRUE(store_->OpenWriter(created.id, &writer).ok());
    ASSERT_TRUE(writer->Append(Bytes("-tail")).ok());
  }  // writer dropped without a commit
  EXPECT_EQ(ReadDataFile(created.id), "committed-tail");
  ReopenStore();
  EXPECT_EQ(ReadDataFile(created.id), "committed");
  EXPECT_EQ(GetRecord(created.id).offset, 9u);
}

// A crash after the data fdatasync but before the batch: the synced bytes are on disk but the
// record never moved, so recovery must discard them and the hash must still match.
TEST_F(UploadStoreTest, RecoveryDiscardsBytesSyncedButNeverCommitted) {
  UploadRecord created = CreateUpload(6);
  AppendAndCommit(created.id, "abc");
  {
    std::unique_ptr<DataFile> file;
    ASSERT_TRUE(fs_.OpenForAppend(DataPath(created.id), &file).ok());
    ASSERT_TRUE(file->Append(Bytes("XYZ")).ok());
    ASSERT_TRUE(file->Sync().ok());
  }
  CloseStore();
  ASSERT_TRUE(fs_.Crash().ok());
  EXPECT_EQ(ReadDataFile(created.id), "abcXYZ");  // it was synced, so the crash kept it
  OpenStore();
  EXPECT_EQ(ReadDataFile(created.id), "abc");
  AppendAndCommit(created.id, "def");
  UploadRecord done = GetRecord(created.id);
  EXPECT_TRUE(done.complete());
  EXPECT_EQ(done.sha256, OneShotSha256Hex("abcdef"));
}

// I1: a power loss keeps every committed byte (Commit synced them) and loses only the tail.
TEST_F(UploadStoreTest, PowerLossKeepsCommittedBytes) {
  UploadRecord created = CreateUpload(100);
  AppendAndCommit(created.id, "durable");
  {
    auto lease = store_->locks().TryAcquire(created.id, [] {});
    std::unique_ptr<UploadWriter> writer;
    ASSERT_TRUE(store_->OpenWriter(created.id, &writer).ok());
    ASSERT_TRUE(writer->Append(Bytes("volatile")).ok());
  }
  EXPECT_EQ(fs_.SyncedLength(DataPath(created.id)), 7u);
  CloseStore();
  ASSERT_TRUE(fs_.Crash().ok());
  OpenStore();
  EXPECT_EQ(ReadDataFile(created.id), "durable");
  EXPECT_EQ(GetRecord(created.id).offset, 7u);
}

TEST_F(UploadStoreTest, ShortOrMissingDataFileIsReportedNotHidden) {
  UploadRecord shortened = CreateUpload(100);
  UploadRecord missing = CreateUpload(100);
  AppendAndCommit(shortened.id, "0123456789");
  AppendAndCommit(missing.id, "0123456789");
  CloseStore();
  std::filesystem::resize_file(DataPath(shortened.id), 4);
  std::filesystem::remove(DataPath(missing.id));
  OpenStore();  // logs both, leaves the records for tuskctl verify
  EXPECT_EQ(GetRecord(shortened.id).offset, 10u);
  EXPECT_EQ(GetRecord(missing.id).offset, 10u);
  for (const auto& id : {shortened.id, missing.id}) {
    auto lease = store_->locks().TryAcquire(id, [] {});
    std::unique_ptr<UploadWriter> writer;
    EXPECT_TRUE(store_->OpenWriter(id, &writer).IsCorruption());
  }
}

TEST_F(UploadStoreTest, OpenWriterNeedsTheLeaseAndAReceivingUpload) {
  UploadRecord created = CreateUpload(3);
  std::unique_ptr<UploadWriter> writer;
  EXPECT_TRUE(store_->OpenWriter(created.id, &writer).IsInvalid());
  AppendAndCommit(created.id, "abc");  // completes it
  auto lease = store_->locks().TryAcquire(created.id, [] {});
  EXPECT_TRUE(store_->OpenWriter(created.id, &writer).IsInvalid());
}

TEST_F(UploadStoreTest, OpenWriterTrimsATailLeftByAFailedRequest) {
  UploadRecord created = CreateUpload(100);
  AppendAndCommit(created.id, "abc");
  auto lease = store_->locks().TryAcquire(created.id, [] {});
  std::unique_ptr<UploadWriter> writer;
  ASSERT_TRUE(store_->OpenWriter(created.id, &writer).ok());
  ASSERT_TRUE(writer->Append(Bytes("junk")).ok());
  writer.reset();
  ASSERT_TRUE(store_->OpenWriter(created.id, &writer).ok());
  EXPECT_EQ(ReadDataFile(created.id), "abc");
  EXPECT_EQ(writer->offset(), 3u);
}

TEST_F(UploadStoreTest, OpenWriterRefusesAHashStateForAnotherOffset) {
  UploadRecord created = CreateUpload(100);
  AppendAndCommit(created.id, "abc");
  WithClosedDb([&](RocksStateStore& db) {
    RollingSha256 wrong;
    wrong.Update(Bytes("ab"));
    ASSERT_TRUE(
        db.db()->Put({}, db.handle(Family::kHashState), created.id, wrong.Serialize()).ok());
  });
  OpenStore();
  auto lease = store_->locks().TryAcquire(created.id, [] {});
  std::unique_ptr<UploadWriter> writer;
  Status status = store_->OpenWriter(created.id, &writer);
  EXPECT_TRUE(status.IsCorruption()) << status.ToString();
}

TEST_F(UploadStoreTest, TerminateLeavesATombstone) {
  UploadRecord created = CreateUpload(100);
  AppendAndCommit(created.id, "abc", 1500);
  EXPECT_TRUE(store_->Terminate(created.id, 1600).IsInvalid());  // no lease
  {
    auto lease = store_->locks().TryAcquire(created.id, [] {});
    ASSERT_TRUE(store_->Terminate(created.id, 1600).ok());
    EXPECT_TRUE(store_->Terminate(created.id, 1700).ok());  // idempotent
  }
  EXPECT_FALSE(std::filesystem::exists(DataPath(created.id)));
  UploadRecord read = GetRecord(created.id);
  EXPECT_EQ(read.state, UploadState::kTerminated);
  EXPECT_FALSE(read.expires_at.has_value());
  EXPECT_EQ(read.updated_at, 1600);
  std::unique_ptr<UploadReader> reader;
  EXPECT_TRUE(store_->OpenReader(created.id, &reader).IsNotFound());
  WithClosedDb([&](RocksStateStore& db) {
    EXPECT_FALSE(HasKey(db, Family::kHashState, created.id));
    EXPECT_EQ(CountKeys(db, Family::kExpiry), 0u);
  });
}

TEST_F(UploadStoreTest, RecoveryRemovesAFileATerminateLeftBehind) {
  UploadRecord created = CreateUpload(100);
  {
    auto lease = store_->locks().TryAcquire(created.id, [] {});
    ASSERT_TRUE(store_->Terminate(created.id, 1600).ok());
  }
  { std::ofstream(DataPath(created.id)) << "left over"; }  // as if the unlink never happened
  ReopenStore();
  EXPECT_FALSE(std::filesystem::exists(DataPath(created.id)));
}

TEST_F(UploadStoreTest, RecoveryRemovesADataFileNoRecordNames) {
  // A crash inside Create: the file exists, the batch naming it never landed.
  UploadRecord kept = CreateUpload(10);
  const std::string orphan = "0123456789abcdef0123456789abcdef";
  { std::ofstream(DataPath(orphan)) << ""; }
  { std::ofstream(dir_.path() + "/uploads/notes.txt") << "not an upload"; }
  ReopenStore();
  EXPECT_FALSE(std::filesystem::exists(DataPath(orphan)));
  EXPECT_TRUE(std::filesystem::exists(DataPath(kept.id)));
  EXPECT_TRUE(std::filesystem::exists(dir_.path() + "/uploads/notes.txt")) << "not ours to remove";
}

TEST_F(UploadStoreTest, SweepExpiresOnlyPastDueIdleReceivingUploads) {
  // expiration 3600: created at 0 -> due 3600.
  UploadRecord idle = CreateUpload(100, 0);
  UploadRecord later = CreateUpload(100, 1000);   // due 4600
  UploadRecord busy = CreateUpload(100, 0);       // due 3600, lease held
  UploadRecord done = CreateUpload(3, 0);         // completes: no expiry
  UploadRecord refreshed = CreateUpload(100, 0);  // commit at 2000 -> due 5600
  AppendAndCommit(done.id, "abc", 100);
  AppendAndCommit(refreshed.id, "x", 2000);
  auto lease = store_->locks().TryAcquire(busy.id, [] {});

  size_t count = 0;
  ASSERT_TRUE(store_->SweepExpired(3599, &count).ok());
  EXPECT_EQ(count, 0u);
  ASSERT_TRUE(store_->SweepExpired(4000, &count).ok());
  EXPECT_EQ(count, 1u);
  UploadRecord expired = GetRecord(idle.id);
  EXPECT_EQ(expired.state, UploadState::kExpired);
  EXPECT_FALSE(expired.expires_at.has_value());
  EXPECT_FALSE(std::filesystem::exists(DataPath(idle.id)));
  EXPECT_EQ(GetRecord(busy.id).state, UploadState::kReceiving);
  EXPECT_EQ(GetRecord(later.id).state, UploadState::kReceiving);
  EXPECT_EQ(GetRecord(done.id).state, UploadState::kComplete);

  lease.reset();
  ASSERT_TRUE(store_->SweepExpired(4000, &count).ok());
  EXPECT_EQ(count, 1u);  // busy, now idle
  ASSERT_TRUE(store_->SweepExpired(6000, &count).ok());
  EXPECT_EQ(count, 2u);  // later, refreshed
  ASSERT_TRUE(store_->SweepExpired(10000, &count).ok());
  EXPECT_EQ(count, 0u);
  EXPECT_EQ(GetRecord(done.id).state, UploadState::kComplete);
  EXPECT_TRUE(std::filesystem::exists(DataPath(done.id)));
  WithClosedDb([&](RocksStateStore& db) { EXPECT_EQ(CountKeys(db, Family::kExpiry), 0u); });
}

TEST_F(UploadStoreTest, SweepDropsStaleIndexEntries) {
  UploadRecord live = CreateUpload(100, 0);
  WithClosedDb([&](RocksStateStore& db) {
    StateBatch batch;
    batch.MoveExpiry(NewUploadId(), std::nullopt, 5);  // no such upload
    batch.MoveExpiry(live.id, std::nullopt, 6);        // not the record's expiry
    ASSERT_TRUE(db.Write(batch).ok());
  });
  OpenStore();
  size_t count = 0;
  ASSERT_TRUE(store_->SweepExpired(100, &count).ok());
  EXPECT_EQ(count, 0u);
  EXPECT_EQ(GetRecord(live.id).state, UploadState::kReceiving);
  WithClosedDb([&](RocksStateStore& db) {
    EXPECT_EQ(CountKeys(db, Family::kExpiry), 1u);
    EXPECT_TRUE(HasKey(db, Family::kExpiry, ExpiryKey(kExpiration, live.id)));
  });
}

TEST_F(UploadStoreTest, ListUploadsReturnsEveryRecord) {
  std::set<std::string> ids;
  for (int i = 0; i < 5; ++i) ids.insert(CreateUpload(10).id);
  std::vector<UploadRecord> all;
  ASSERT_TRUE(store_->ListUploads(&all).ok());
  std::set<std::string> listed;
  for (const auto& r : all) listed.insert(r.id);
  EXPECT_EQ(listed, ids);
}

}  // namespace
}  // namespace tuskd::store
