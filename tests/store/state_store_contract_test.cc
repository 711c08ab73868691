// The StateStore contract (store/state_store.h), run against every implementation: RocksDB and
// the in-memory double today, a cluster store when it comes. Atomic batches that survive a
// reopen, separate families, ordered prefix scans that stop when asked, and the
// at-or-below lookup the frame index relies on.
#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "store/rocksdb/rocks_state_store.h"
#include "store/state_store.h"
#include "tests/common/scoped_temp_dir.h"
#include "tests/store/doubles/memory_state_store.h"

namespace tuskd::store {
namespace {

// Opens an implementation, and opens it again as a restarted process would (the old instance
// is handed over to be closed first).
struct Backend {
  std::string name;
  std::function<std::unique_ptr<StateStore>(const std::string& dir,
                                            std::unique_ptr<StateStore> previous)>
      open;
};
void PrintTo(const Backend& backend, std::ostream* os) { *os << backend.name; }

class StateStoreContractTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override { state_ = GetParam().open(dir_.path(), nullptr); }
  void Reopen() { state_ = GetParam().open(dir_.path(), std::move(state_)); }
  std::vector<std::string> Keys(Family family, std::string_view prefix, std::string_view from) {
    std::vector<std::string> keys;
    EXPECT_TRUE(state_
                    ->Scan(family, prefix, from,
                           [&](std::string_view key, std::string_view) {
                             keys.emplace_back(key);
                             return true;
                           })
                    .ok());
    return keys;
  }
  void PutAll(Family family, const std::vector<std::string>& keys) {
    StateBatch batch;
    for (const std::string& key : keys) batch.Put(family, key, "v" + key);
    ASSERT_TRUE(state_->Write(batch).ok());
  }

  ScopedTempDir dir_;
  std::unique_ptr<StateStore> state_;
};

TEST_P(StateStoreContractTest, ABatchIsAppliedWholeAndSurvivesAReopen) {
  StateBatch batch;
  batch.Put(Family::kUploads, "a", "1");
  batch.Put(Family::kHashState, "a", "2");
  batch.Put(Family::kUploads, "b", "3");
  batch.Delete(Family::kUploads, "b");  // a later op on the same key wins
  ASSERT_TRUE(state_->Write(batch).ok());
  Reopen();
  std::string value;
  ASSERT_TRUE(state_->Get(Family::kUploads, "a", &value).ok());
  EXPECT_EQ(value, "1");
  ASSERT_TRUE(state_->Get(Family::kHashState, "a", &value).ok());
  EXPECT_EQ(value, "2");
  EXPECT_TRUE(state_->Get(Family::kUploads, "b", &value).IsNotFound());
}

TEST_P(StateStoreContractTest, FamiliesAreSeparateKeySpaces) {
  PutAll(Family::kJobs, {"x"});
  std::string value;
  EXPECT_TRUE(state_->Get(Family::kPredictions, "x", &value).IsNotFound());
  EXPECT_TRUE(Keys(Family::kPredictions, "", "").empty());
  EXPECT_EQ(Keys(Family::kJobs, "", ""), std::vector<std::string>{"x"});
}

TEST_P(StateStoreContractTest, ScansArePrefixBoundOrderedAndStopWhenAsked) {
  PutAll(Family::kJobs, {"a/1", "a/2", "a/3", "ab", "b/1", "a"});
  EXPECT_EQ(Keys(Family::kJobs, "a/", ""), (std::vector<std::string>{"a/1", "a/2", "a/3"}));
  EXPECT_EQ(Keys(Family::kJobs, "a/", "a/2"), (std::vector<std::string>{"a/2", "a/3"}));
  // `from` below the prefix never reaches keys outside it.
  EXPECT_EQ(Keys(Family::kJobs, "b/", "a"), std::vector<std::string>{"b/1"});
  EXPECT_EQ(Keys(Family::kJobs, "", "").size(), 6u);
  int seen = 0;
  ASSERT_TRUE(state_
                  ->Scan(Family::kJobs, "", "",
                         [&](std::string_view, std::string_view) { return ++seen < 2; })
                  .ok());
  EXPECT_EQ(seen, 2);
  std::vector<std::string> keys;
  ASSERT_TRUE(state_->ListKeys(Family::kJobs, "a", &keys).ok());
  EXPECT_EQ(keys, (std::vector<std::string>{"a", "a/1", "a/2", "a/3", "ab"}));
}

TEST_P(StateStoreContractTest, FindsTheLastKeyAtOrBelowWithinThePrefix) {
  PutAll(Family::kFrames, {"id1\x10", "id1\x20", "id1\x30", "id2\x05"});
  std::string key;
  std::string value;
  ASSERT_TRUE(state_->FindLastAtOrBefore(Family::kFrames, "id1", "id1\x20", &key, &value).ok());
  EXPECT_EQ(key, "id1\x20");  // exact
  EXPECT_EQ(value, "vid1\x20");
  ASSERT_TRUE(state_->FindLastAtOrBefore(Family::kFrames, "id1", "id1\x2f", &key, &value).ok());
  EXPECT_EQ(key, "id1\x20");  // between
  ASSERT_TRUE(state_->FindLastAtOrBefore(Family::kFrames, "id1", "id1\xff", &key, &value).ok());
  EXPECT_EQ(key, "id1\x30");  // past the last
  EXPECT_TRUE(
      state_->FindLastAtOrBefore(Family::kFrames, "id1", "id1\x01", &key, &value).IsNotFound());
  // id2's only key is below id2\x01... but nothing of id2 is at or below "id2\x01".
  EXPECT_TRUE(
      state_->FindLastAtOrBefore(Family::kFrames, "id2", "id2\x01", &key, &value).IsNotFound());
}

TEST_P(StateStoreContractTest, TypedRecordReadsSeeWhatWasCommitted) {
  UploadRecord record;
  record.id = "0123456789abcdef0123456789abcdef";
  record.length = 10;
  StateBatch batch;
  batch.PutRecord(record);
  ASSERT_TRUE(state_->Write(batch).ok());
  UploadRecord read;
  ASSERT_TRUE(state_->GetRecord(record.id, &read).ok());
  EXPECT_EQ(read.length, 10u);
  EXPECT_TRUE(state_->GetRecord("ffffffffffffffffffffffffffffffff", &read).IsNotFound());
  StateBatch bad;
  bad.Put(Family::kUploads, "ffffffffffffffffffffffffffffffff", "{not json");
  ASSERT_TRUE(state_->Write(bad).ok());
  EXPECT_TRUE(state_->GetRecord("ffffffffffffffffffffffffffffffff", &read).IsCorruption());
}

INSTANTIATE_TEST_SUITE_P(
    Backends, StateStoreContractTest,
    ::testing::Values(
        Backend{"rocksdb",
                [](const std::string& dir,
                   std::unique_ptr<StateStore> previous) -> std::unique_ptr<StateStore> {
                  previous.reset();  // RocksDB's lock: one open instance per directory
                  std::unique_ptr<RocksStateStore> state;
                  Status opened = RocksStateStore::Open(dir + "/db", &state);
                  EXPECT_TRUE(opened.ok()) << opened.ToString();
                  return state;
                }},
        Backend{"memory",
                [](const std::string&,
                   std::unique_ptr<StateStore> previous) -> std::unique_ptr<StateStore> {
                  if (!previous) return std::make_unique<testing::MemoryStateStore>();
                  return static_cast<testing::MemoryStateStore*>(previous.get())->Share();
                }}),
    [](const ::testing::TestParamInfo<Backend>& info) { return info.param.name; });

}  // namespace
}  // namespace tuskd::store
