#include "store/frame_index.h"

#include <gtest/gtest.h>

#include "store/rocksdb/rocks_state_store.h"
#include "tests/common/scoped_temp_dir.h"

namespace tuskd::store {
namespace {

const std::string kId = "0123456789abcdef0123456789abcdef";
const std::string kOther = "0123456789abcdef0123456789abcdf0";

class FrameIndexTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Status status = RocksStateStore::Open(dir_.path() + "/db", &db_);
    ASSERT_TRUE(status.ok()) << status.ToString();
  }
  void Stage(const std::string& id, std::initializer_list<FrameStart> starts) {
    StateBatch batch;
    for (const FrameStart& start : starts) StageFrameStart(&batch, id, start);
    ASSERT_TRUE(db_->Write(batch).ok());
  }
  FrameSpan Find(const std::string& id, uint64_t offset, uint64_t data_length) {
    FrameSpan span;
    Status status = FindFrame(*db_, id, offset, data_length, &span);
    EXPECT_TRUE(status.ok()) << status.ToString();
    return span;
  }

  ScopedTempDir dir_;
  std::unique_ptr<RocksStateStore> db_;
};

TEST_F(FrameIndexTest, FindsTheFrameHoldingAnOffset) {
  Stage(kId, {{0, 0}, {1000, 300}, {5000, 900}});
  Stage(kOther, {{0, 0}, {10, 5}});  // a neighbour's keys sort right after ours
  for (auto [offset, start, data_offset, data_end] :
       std::initializer_list<std::array<uint64_t, 4>>{{0, 0, 0, 300},
                                                      {999, 0, 0, 300},
                                                      {1000, 1000, 300, 900},
                                                      {4999, 1000, 300, 900},
                                                      {5000, 5000, 900, 1200},
                                                      {1ull << 40, 5000, 900, 1200}}) {
    FrameSpan span = Find(kId, offset, 1200);
    EXPECT_EQ(span.start.offset, start) << offset;
    EXPECT_EQ(span.start.data_offset, data_offset) << offset;
    EXPECT_EQ(span.data_end, data_end) << offset;
  }
}

TEST_F(FrameIndexTest, AnUploadWithoutEntriesIsCorrupt) {
  Stage(kOther, {{0, 0}});
  FrameSpan span;
  EXPECT_TRUE(FindFrame(*db_, kId, 5, 100, &span).IsCorruption());
  Stage(kId, {{10, 4}});  // nothing at or below 5
  EXPECT_TRUE(FindFrame(*db_, kId, 5, 100, &span).IsCorruption());
}

TEST_F(FrameIndexTest, AnEntryPastTheDataIsCorrupt) {
  Stage(kId, {{0, 0}, {100, 80}});
  FrameSpan span;
  EXPECT_TRUE(FindFrame(*db_, kId, 150, 60, &span).IsCorruption());
}

TEST_F(FrameIndexTest, DropRemovesOnlyThatUpload) {
  Stage(kId, {{0, 0}, {1000, 300}});
  Stage(kOther, {{0, 0}, {10, 5}});
  StateBatch batch;
  ASSERT_TRUE(StageDropFrames(*db_, kId, &batch).ok());
  ASSERT_TRUE(db_->Write(batch).ok());
  FrameSpan span;
  EXPECT_TRUE(FindFrame(*db_, kId, 0, 100, &span).IsCorruption());
  EXPECT_EQ(Find(kOther, 12, 50).start.offset, 10u);
}

TEST_F(FrameIndexTest, KeysSortByOffset) {
  EXPECT_LT(FrameKey(kId, 255), FrameKey(kId, 256));
  EXPECT_LT(FrameKey(kId, 1ull << 32), FrameKey(kId, (1ull << 32) + 1));
  EXPECT_EQ(FrameKey(kId, 0).size(), kId.size() + 8);
}

}  // namespace
}  // namespace tuskd::store
