#include "store/rocksdb/rocks_state_store.h"

#include <gtest/gtest.h>
#include <rocksdb/db.h>

#include "store/expiry_index.h"
#include "store/schema_version.h"
#include "tests/common/scoped_temp_dir.h"

namespace tuskd::store {
namespace {

class RocksStateStoreTest : public ::testing::Test {
 protected:
  std::string DbPath() const { return dir_.path() + "/db"; }
  std::unique_ptr<RocksStateStore> OpenOrFail() {
    std::unique_ptr<RocksStateStore> db;
    Status status = RocksStateStore::Open(DbPath(), &db);
    EXPECT_TRUE(status.ok()) << status.ToString();
    return db;
  }
  ScopedTempDir dir_;
};

TEST_F(RocksStateStoreTest, CreatesFamiliesAndWritesSchemaVersion) {
  auto db = OpenOrFail();
  ASSERT_NE(db, nullptr);
  for (Family f : {Family::kUploads, Family::kHashState, Family::kPredictions, Family::kJobs,
                   Family::kExpiry, Family::kMeta}) {
    EXPECT_NE(db->handle(f), nullptr);
  }
  std::string version;
  ASSERT_TRUE(db->Get(Family::kMeta, "schema_version", &version).ok());
  EXPECT_EQ(version, std::to_string(kSchemaVersion));
  db.reset();
  EXPECT_NE(OpenOrFail(), nullptr);  // reopen with the families now on disk
}

TEST_F(RocksStateStoreTest, OpensADbWithAnUnknownFamily) {
  OpenOrFail().reset();
  {
    // A family added by a later version (or a tool) must not make the open fail.
    std::vector<std::string> names;
    ASSERT_TRUE(rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), DbPath(), &names).ok());
    std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
    for (const auto& name : names) descriptors.emplace_back(name, rocksdb::ColumnFamilyOptions());
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    rocksdb::DB* raw = nullptr;
    ASSERT_TRUE(
        rocksdb::DB::Open(rocksdb::DBOptions(), DbPath(), descriptors, &handles, &raw).ok());
    rocksdb::ColumnFamilyHandle* extra = nullptr;
    ASSERT_TRUE(raw->CreateColumnFamily(rocksdb::ColumnFamilyOptions(), "future", &extra).ok());
    handles.push_back(extra);
    for (auto* h : handles) raw->DestroyColumnFamilyHandle(h);
    delete raw;
  }
  EXPECT_NE(OpenOrFail(), nullptr);
}

TEST_F(RocksStateStoreTest, RefusesANewerSchema) {
  {
    auto db = OpenOrFail();
    rocksdb::WriteOptions sync;
    sync.sync = true;
    ASSERT_TRUE(db->db()->Put(sync, db->handle(Family::kMeta), "schema_version", "99").ok());
  }
  std::unique_ptr<RocksStateStore> db;
  Status status = RocksStateStore::Open(DbPath(), &db);
  EXPECT_TRUE(status.IsInvalid()) << status.ToString();
  EXPECT_EQ(db, nullptr);
}

TEST_F(RocksStateStoreTest, SecondOpenFailsWithRocksDbsMessage) {
  auto first = OpenOrFail();
  std::unique_ptr<RocksStateStore> second;
  Status status = RocksStateStore::Open(DbPath(), &second);
  EXPECT_FALSE(status.ok());
  EXPECT_NE(status.message().find("lock"), std::string::npos) << status.ToString();
}

TEST_F(RocksStateStoreTest, BatchWritesAreAtomicAndVisible) {
  auto db = OpenOrFail();
  UploadRecord record;
  record.id = "0123456789abcdef0123456789abcdef";
  record.expires_at = 50;
  StateBatch batch;
  batch.PutRecord(record);
  batch.PutHashState(record.id, "blob");
  batch.MoveExpiry(record.id, std::nullopt, 50);
  ASSERT_TRUE(db->Write(batch).ok());

  UploadRecord read;
  ASSERT_TRUE(db->GetRecord(record.id, &read).ok());
  EXPECT_EQ(read.expires_at, 50);
  std::string value;
  EXPECT_TRUE(db->Get(Family::kHashState, record.id, &value).ok());
  EXPECT_TRUE(db->Get(Family::kExpiry, ExpiryKey(50, record.id), &value).ok());

  StateBatch move;
  move.MoveExpiry(record.id, 50, 70);
  move.DeleteHashState(record.id);
  ASSERT_TRUE(db->Write(move).ok());
  EXPECT_TRUE(db->Get(Family::kExpiry, ExpiryKey(50, record.id), &value).IsNotFound());
  EXPECT_TRUE(db->Get(Family::kExpiry, ExpiryKey(70, record.id), &value).ok());
  EXPECT_TRUE(db->Get(Family::kHashState, record.id, &value).IsNotFound());
  EXPECT_TRUE(db->GetRecord("ffffffffffffffffffffffffffffffff", &read).IsNotFound());
}

TEST_F(RocksStateStoreTest, UnparsableRecordIsCorruption) {
  auto db = OpenOrFail();
  rocksdb::WriteOptions sync;
  ASSERT_TRUE(db->db()->Put(sync, db->handle(Family::kUploads), "k", "{not json").ok());
  UploadRecord read;
  EXPECT_TRUE(db->GetRecord("k", &read).IsCorruption());
}

}  // namespace
}  // namespace tuskd::store
