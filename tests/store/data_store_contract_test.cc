// The DataStore contract (store/data_store.h), run against every implementation: local files
// (through the fault-injection file system, so a crash is a real loss of unsynced bytes) and
// the in-memory double today, object storage when it comes. Created objects survive a crash;
// only synced bytes do; appenders open at the committed length and cut the tail; readers never
// pass the committed length; Remove is idempotent; Recover trims and reports short objects.
#include <gtest/gtest.h>

#include <memory>
#include <set>
#include <string>

#include "base/status.h"
#include "store/data_store.h"
#include "store/local/local_data_store.h"
#include "tests/common/bytes.h"
#include "tests/common/fault_injection_file_system.h"
#include "tests/common/scoped_temp_dir.h"
#include "tests/store/doubles/memory_data_store.h"

namespace tuskd::store {
namespace {

const std::string kId = "0123456789abcdef0123456789abcdef";
const std::string kOther = "fedcba9876543210fedcba9876543210";

class DataStoreContractTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == "local") {
      ASSERT_TRUE(fs_.CreateDirs(dir_.path() + "/uploads").ok());
      data_ = std::make_unique<LocalDataStore>(&fs_, dir_.path() + "/uploads");
    } else {
      memory_ = std::make_unique<testing::MemoryDataStore>();
      data_ = memory_->Share();
    }
  }
  // Power loss: everything not synced is gone. No appender may be open.
  void Crash() {
    if (memory_) {
      memory_->Crash();
    } else {
      ASSERT_TRUE(fs_.Crash().ok());
    }
  }
  std::string ReadAll(const std::string& id, uint64_t committed) {
    std::unique_ptr<DataReader> reader;
    Status opened = data_->OpenReader(id, committed, &reader);
    EXPECT_TRUE(opened.ok()) << opened.ToString();
    if (!opened.ok()) return {};
    std::string out;
    char buffer[5];
    size_t read = 0;
    for (uint64_t at = 0; data_ && reader->ReadAt(at, buffer, &read).ok() && read > 0; at += read) {
      out.append(buffer, read);
    }
    return out;
  }
  std::unique_ptr<DataAppender> Appender(const std::string& id, uint64_t committed) {
    std::unique_ptr<DataAppender> appender;
    Status opened = data_->OpenAppender(id, committed, &appender);
    EXPECT_TRUE(opened.ok()) << opened.ToString();
    return appender;
  }

  ScopedTempDir dir_;
  FaultInjectionFileSystem fs_;
  std::unique_ptr<testing::MemoryDataStore> memory_;
  std::unique_ptr<DataStore> data_;
};

TEST_P(DataStoreContractTest, OnlySyncedBytesSurviveACrashAndCreateIsDurable) {
  ASSERT_TRUE(data_->Create(kId).ok());
  ASSERT_TRUE(data_->Create(kOther).ok());
  {
    auto appender = Appender(kId, 0);
    ASSERT_TRUE(appender->Append(Bytes("durable")).ok());
    StateBatch commit;
    ASSERT_TRUE(appender->Sync(&commit).ok());
    ASSERT_TRUE(appender->Append(Bytes(" lost")).ok());
    EXPECT_EQ(appender->Size(), 12u);
  }
  Crash();
  EXPECT_EQ(ReadAll(kId, 7), "durable");
  EXPECT_EQ(ReadAll(kOther, 0), "");  // created, never written: still there
  std::set<std::string> ids;
  ASSERT_TRUE(data_->ForEachObject([&](const std::string& id) { ids.insert(id); }).ok());
  EXPECT_EQ(ids, (std::set<std::string>{kId, kOther}));
}

TEST_P(DataStoreContractTest, AnAppenderOpensAtTheCommittedLengthAndCutsTheTail) {
  ASSERT_TRUE(data_->Create(kId).ok());
  {
    auto appender = Appender(kId, 0);
    ASSERT_TRUE(appender->Append(Bytes("committed+tail")).ok());
    StateBatch commit;
    ASSERT_TRUE(appender->Sync(&commit).ok());
  }
  {
    auto appender = Appender(kId, 9);  // the record says 9: "+tail" was never committed
    EXPECT_EQ(appender->Size(), 9u);
    ASSERT_TRUE(appender->Append(Bytes("!")).ok());
    ASSERT_TRUE(appender->Truncate(9).ok());  // what a failed append does
    ASSERT_TRUE(appender->Append(Bytes("?")).ok());
    StateBatch commit;
    ASSERT_TRUE(appender->Sync(&commit).ok());
  }
  EXPECT_EQ(ReadAll(kId, 10), "committed?");
  std::unique_ptr<DataAppender> appender;
  EXPECT_TRUE(data_->OpenAppender(kId, 11, &appender).IsCorruption());  // shorter than recorded
  // An object that is gone counts as empty: refused when bytes were committed to it, made
  // again when none were (nothing is lost either way).
  EXPECT_TRUE(data_->OpenAppender(kOther, 1, &appender).IsCorruption());
  ASSERT_TRUE(data_->OpenAppender(kOther, 0, &appender).ok());
  EXPECT_EQ(appender->Size(), 0u);
}

TEST_P(DataStoreContractTest, ReadersStopAtTheCommittedLength) {
  ASSERT_TRUE(data_->Create(kId).ok());
  auto appender = Appender(kId, 0);
  ASSERT_TRUE(appender->Append(Bytes("0123456789")).ok());
  StateBatch commit;
  ASSERT_TRUE(appender->Sync(&commit).ok());
  EXPECT_EQ(ReadAll(kId, 4), "0123");  // bytes past it may belong to a request in flight
  std::unique_ptr<DataReader> reader;
  ASSERT_TRUE(data_->OpenReader(kId, 4, &reader).ok());
  EXPECT_EQ(reader->Size(), 4u);
  char buffer[8];
  size_t read = 9;
  ASSERT_TRUE(reader->ReadAt(2, buffer, &read).ok());
  EXPECT_EQ(std::string(buffer, read), "23");
  ASSERT_TRUE(reader->ReadAt(4, buffer, &read).ok());
  EXPECT_EQ(read, 0u);
  EXPECT_TRUE(data_->OpenReader(kId, 11, &reader).IsCorruption());
  EXPECT_TRUE(data_->OpenReader(kOther, 0, &reader).IsNotFound());
}

TEST_P(DataStoreContractTest, RemoveIsIdempotentAndRecoverTrimsOrReports) {
  ASSERT_TRUE(data_->Create(kId).ok());
  {
    auto appender = Appender(kId, 0);
    ASSERT_TRUE(appender->Append(Bytes("abcdef")).ok());
    StateBatch commit;
    ASSERT_TRUE(appender->Sync(&commit).ok());
  }
  ASSERT_TRUE(data_->Recover(kId, 3).ok());
  EXPECT_EQ(ReadAll(kId, 3), "abc");
  EXPECT_TRUE(data_->Recover(kId, 5).IsCorruption());
  EXPECT_TRUE(data_->Recover(kOther, 0).IsNotFound());
  ASSERT_TRUE(data_->Remove(kId).ok());
  ASSERT_TRUE(data_->Remove(kId).ok());
  std::unique_ptr<DataReader> reader;
  EXPECT_TRUE(data_->OpenReader(kId, 0, &reader).IsNotFound());
  EXPECT_FALSE(data_->Location(kOther).empty());
}

INSTANTIATE_TEST_SUITE_P(Backends, DataStoreContractTest, ::testing::Values("local", "memory"),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           return info.param;
                         });

}  // namespace
}  // namespace tuskd::store
