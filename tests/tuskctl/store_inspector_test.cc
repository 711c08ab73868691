// The read-only side of the store that tuskctl stands on: RocksStateStore::OpenReadOnly in both
// modes, StoreInspector, and the writer lock probe, in one process (running_tuskd_test.cc has them
// beside a real tuskd).
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "store/rocksdb/rocks_state_store.h"
#include "store/rocksdb/writer_lock.h"
#include "store/store_inspector.h"
#include "tests/tuskctl/tuskctl_test_util.h"

namespace tuskd::tuskctl::testing {
namespace {

namespace fs = std::filesystem;

std::set<std::string> Entries(const std::string& path) {
  std::set<std::string> names;
  for (const auto& entry : fs::directory_iterator(path)) names.insert(entry.path().filename());
  return names;
}

TEST(StateDbReadOnlyTest, BothModesReadWithoutWritingIntoTheDb) {
  TempDir dir;
  std::string id;
  {
    DirectStore store(dir.path());
    id = store.Create(10, "a", 1000);
  }
  const std::string db_path = dir.path() + "/db";
  auto before = Entries(db_path);
  for (auto mode : {store::ReadOnlyMode::kPointInTime, store::ReadOnlyMode::kSecondary}) {
    std::unique_ptr<store::RocksStateStore> db;
    Status opened = store::RocksStateStore::OpenReadOnly(db_path, mode, &db);
    ASSERT_TRUE(opened.ok()) << opened.ToString();
    EXPECT_TRUE(db->read_only());
    store::UploadRecord record;
    EXPECT_TRUE(db->GetRecord(id, &record).ok());
    store::StateBatch batch;
    batch.PutRecord(record);
    EXPECT_FALSE(db->Write(batch).ok()) << "a read-only open must refuse writes";
    EXPECT_TRUE(db->CatchUp().ok());
  }
  EXPECT_EQ(Entries(db_path), before);
  std::unique_ptr<store::RocksStateStore> db;
  EXPECT_TRUE(store::RocksStateStore::OpenReadOnly(dir.path() + "/nothing",
                                                   store::ReadOnlyMode::kPointInTime, &db)
                  .IsNotFound());
}

TEST(StateDbReadOnlyTest, ASecondaryCatchesUpWithTheWriterAndCleansUpItsScratchDir) {
  TempDir dir, scratch;
  const char* old_tmpdir = std::getenv("TMPDIR");
  std::string saved = old_tmpdir ? old_tmpdir : "";
  ::setenv("TMPDIR", scratch.path().c_str(), 1);
  {
    DirectStore store(dir.path());
    std::unique_ptr<store::StoreInspector> inspector;
    ASSERT_TRUE(
        store::StoreInspector::Open(dir.path(), store::StoreInspector::Mode::kSecondary, &inspector)
            .ok());
    EXPECT_TRUE(inspector->live());
    EXPECT_EQ(Entries(scratch.path()).size(), 1u);
    std::vector<store::UploadRecord> records;
    ASSERT_TRUE(inspector->ListUploads(&records, nullptr).ok());
    EXPECT_TRUE(records.empty());

    std::string id = store.Create(100, "late.bin", 2000);
    store.Append(id, "0123456789", 2001);
    ASSERT_TRUE(inspector->Refresh().ok());
    store::UploadRecord record;
    ASSERT_TRUE(inspector->GetUpload(id, &record).ok());
    EXPECT_EQ(record.offset, 10u);
    std::string blob;
    EXPECT_TRUE(inspector->GetHashState(id, &blob).ok());
    uint64_t size = 0;
    EXPECT_TRUE(inspector->DataFileSize(id, &size).ok());
    EXPECT_EQ(size, 10u);
    std::string resolved;
    EXPECT_TRUE(inspector->ResolveId(id.substr(0, 5), &resolved).ok());
    EXPECT_EQ(resolved, id);
    EXPECT_TRUE(inspector->ResolveId("abc", &resolved).IsNotFound()) << "too short a prefix";
  }
  EXPECT_TRUE(Entries(scratch.path()).empty()) << "the secondary's scratch dir stays behind";
  if (old_tmpdir) {
    ::setenv("TMPDIR", saved.c_str(), 1);
  } else {
    ::unsetenv("TMPDIR");
  }
}

TEST(StateDbWriterLockTest, ProbeAndAcquireOnAStoppedStore) {
  TempDir dir;
  { DirectStore store(dir.path()); }
  const std::string db_path = dir.path() + "/db";
  EXPECT_FALSE(store::StateDbWriterPid(db_path).has_value());
  std::unique_ptr<store::StateDbWriterLock> lock;
  pid_t holder = -1;
  ASSERT_TRUE(store::StateDbWriterLock::Acquire(db_path, &lock, &holder).ok());
  {
    // The lock does not stand in this process's own way: the direct route opens under it.
    DirectStore store(dir.path());
  }
  lock.reset();
  EXPECT_TRUE(store::StateDbWriterLock::Acquire(dir.path() + "/none", &lock, &holder).IsNotFound());
}

}  // namespace
}  // namespace tuskd::tuskctl::testing
