// Shared fixture for the UploadStore, UploadWriter and UploadReader tests: a store in a fresh
// directory behind a FaultInjectionFileSystem, plus helpers to inspect files and the state DB
// directly (what a crash or tuskctl would see).
#pragma once

#include <gtest/gtest.h>

#include <fstream>
#include <functional>
#include <iterator>
#include <memory>
#include <string>
#include <string_view>

#include "store/expiry_index.h"
#include "store/rocksdb/rocks_state_store.h"
#include "store/upload_store.h"
#include "tests/common/bytes.h"
#include "tests/common/fault_injection_file_system.h"
#include "tests/common/one_shot_sha256.h"
#include "tests/common/scoped_temp_dir.h"

namespace tuskd::store {

class StoreTest : public ::testing::Test {
 protected:
  static constexpr int64_t kExpiration = 3600;

  StoreTest() {
    options_.data_dir = dir_.path();
    options_.expiration_seconds = kExpiration;
    options_.fs = &fs_;
  }

  void SetUp() override { OpenStore(); }

  void OpenStore() {
    Status status = UploadStore::Open(options_, &store_);
    ASSERT_TRUE(status.ok()) << status.ToString();
  }
  void CloseStore() { store_.reset(); }
  void ReopenStore() {
    CloseStore();
    OpenStore();
  }

  UploadRecord CreateUpload(std::optional<uint64_t> length, int64_t now = 1000) {
    NewUpload spec;
    spec.length = length;
    UploadRecord record;
    Status status = store_->Create(spec, now, &record);
    EXPECT_TRUE(status.ok()) << status.ToString();
    return record;
  }

  UploadRecord GetRecord(const std::string& id) {
    UploadRecord record;
    Status status = store_->Get(id, &record);
    EXPECT_TRUE(status.ok()) << status.ToString();
    return record;
  }

  // Takes the lease, appends `data` and commits at `now`.
  void AppendAndCommit(const std::string& id, std::string_view data, int64_t now = 2000) {
    auto lease = store_->locks().TryAcquire(id, [] {});
    ASSERT_TRUE(lease.has_value());
    std::unique_ptr<UploadWriter> writer;
    Status status = store_->OpenWriter(id, &writer);
    ASSERT_TRUE(status.ok()) << status.ToString();
    ASSERT_TRUE(writer->Append(Bytes(data)).ok());
    status = writer->Commit(now);
    ASSERT_TRUE(status.ok()) << status.ToString();
  }

  std::string DataPath(const std::string& id) const { return dir_.path() + "/uploads/" + id; }

  std::string ReadDataFile(const std::string& id) const {
    std::ifstream in(DataPath(id), std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }

  // Closes the store and runs `inspect` on its DB, as a tool would; the store stays closed.
  void WithClosedDb(const std::function<void(RocksStateStore&)>& inspect) {
    CloseStore();
    std::unique_ptr<RocksStateStore> db;
    Status status = RocksStateStore::Open(dir_.path() + "/db", &db);
    ASSERT_TRUE(status.ok()) << status.ToString();
    inspect(*db);
  }

  bool HasKey(RocksStateStore& db, Family family, const std::string& key) {
    std::string value;
    return db.Get(family, key, &value).ok();
  }

  size_t CountKeys(RocksStateStore& db, Family family) {
    std::vector<std::string> keys;
    EXPECT_TRUE(db.ListKeys(family, "", &keys).ok());
    return keys.size();
  }

  ScopedTempDir dir_;
  FaultInjectionFileSystem fs_;
  StoreOptions options_;
  std::unique_ptr<UploadStore> store_;
};

}  // namespace tuskd::store
