// A WAL sync that fails (RocksDB under the store, through FaultInjectionRocksFs): the commit
// that needed it is not acknowledged, and after a restart the upload stands at its last
// acknowledged offset with its bytes and resumes to a byte-exact end (I1, I3).
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "tests/common/bytes.h"
#include "tests/common/one_shot_sha256.h"
#include "tests/store/crash_rig.h"
#include "tests/store/crash_scenarios.h"

namespace tuskd::store {
namespace {

class WalFaultTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(rig_.Open().ok()); }

  std::string Create(uint64_t length) {
    NewUpload spec;
    spec.length = length;
    UploadRecord record;
    EXPECT_TRUE(rig_.store().Create(spec, 1000, &record).ok());
    return record.id;
  }

  Status AppendAndCommit(const std::string& id, std::string_view bytes) {
    auto lease = rig_.store().locks().TryAcquire(id, [] {});
    std::unique_ptr<UploadWriter> writer;
    if (Status opened = rig_.store().OpenWriter(id, &writer); !opened.ok()) return opened;
    if (Status appended = writer->Append(Bytes(bytes)); !appended.ok()) return appended;
    return writer->Commit(2000);
  }

  UploadRecord Get(const std::string& id) {
    UploadRecord record;
    EXPECT_TRUE(rig_.store().Get(id, &record).ok());
    return record;
  }

  CrashRig rig_;
  const std::string content_ = SweepContent(30, 1);
};

TEST_F(WalFaultTest, AFailedWalSyncAcknowledgesNothingAndTheUploadResumesAfterARestart) {
  std::string id = Create(content_.size());
  ASSERT_TRUE(AppendAndCommit(id, content_.substr(0, 10)).ok());
  rig_.rocks_fs().FailNextWalSync();
  EXPECT_FALSE(AppendAndCommit(id, content_.substr(10, 10)).ok());

  ASSERT_TRUE(rig_.CrashAndReopen().ok());
  EXPECT_EQ(Get(id).offset, 10u);
  ASSERT_TRUE(AppendAndCommit(id, content_.substr(10)).ok());
  UploadRecord done = Get(id);
  EXPECT_TRUE(done.complete());
  EXPECT_EQ(done.sha256, OneShotSha256Hex(content_));
}

TEST_F(WalFaultTest, AfterAFailedWalSyncNothingLaterIsLostOrCorrupted) {
  std::string failed = Create(content_.size());
  std::string other = Create(content_.size());
  rig_.rocks_fs().FailNextWalSync();
  EXPECT_FALSE(AppendAndCommit(failed, content_.substr(0, 10)).ok());
  // RocksDB (7.8) refuses every write once a WAL sync failed, until the DB is reopened: the
  // log it would append to is no longer known to be on disk. Whatever it answers, nothing it
  // acknowledges may be lost.
  Status later = AppendAndCommit(other, content_.substr(0, 10));

  ASSERT_TRUE(rig_.CrashAndReopen().ok());
  EXPECT_EQ(Get(failed).offset, 0u);
  EXPECT_EQ(Get(other).offset, later.ok() ? 10u : 0u);
  ASSERT_TRUE(AppendAndCommit(other, content_.substr(Get(other).offset)).ok());
  EXPECT_EQ(Get(other).sha256, OneShotSha256Hex(content_));
}

}  // namespace
}  // namespace tuskd::store
