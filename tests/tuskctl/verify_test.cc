// tuskctl verify against damaged data dirs: a flipped byte, a truncated or missing file, bytes
// past a complete upload, damaged zstd frames and an unreadable record must each fail the run
// (exit code 1) and name the upload; intact ones still pass.
#include <gtest/gtest.h>
#include <zstd.h>

#include <filesystem>
#include <fstream>

#include "store/rocksdb/rocks_state_store.h"
#include "tests/tuskctl/tuskctl_test_util.h"

namespace tuskd::tuskctl::testing {
namespace {

using nlohmann::json;

class VerifyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    DirectStore store(dir_.path());
    complete_id_ = store.Create(content_.size(), "whole.bin", now_ - 100);
    store.Append(complete_id_, content_, now_ - 90);
    receiving_id_ = store.Create(500 << 10, "part.bin", now_ - 80);
    store.Append(receiving_id_, std::string_view(content_).substr(0, 60000), now_ - 70);
    store.Append(receiving_id_, std::string_view(content_).substr(60000, 40000), now_ - 60);
  }

  std::string DataPath(const std::string& id) const { return dir_.path() + "/uploads/" + id; }

  void FlipByte(const std::string& id, size_t at) {
    std::fstream file(DataPath(id), std::ios::in | std::ios::out | std::ios::binary);
    file.seekg(at);
    char byte = 0;
    file.read(&byte, 1);
    byte ^= 0x01;
    file.seekp(at);
    file.write(&byte, 1);
  }

  void AppendToFile(const std::string& id, const std::string& bytes) {
    std::ofstream(DataPath(id), std::ios::app | std::ios::binary) << bytes;
  }

  // The verify --all reports by id.
  std::map<std::string, json> Reports(RunResult* result) {
    *result = RunTuskctl(dir_.path(), {"verify", "--all", "--json"});
    std::map<std::string, json> reports;
    for (const json& report : JsonLines(result->out)) reports[report["id"]] = report;
    return reports;
  }

  std::string Problems(const json& report) { return report["problems"].dump(); }

  TempDir dir_;
  int64_t now_ = UnixNow();
  std::string content_ = TestBytes(200 << 10, 7);
  std::string complete_id_, receiving_id_;
};

TEST_F(VerifyTest, FlippedByteInACompleteUploadIsCaughtAndNamed) {
  FlipByte(complete_id_, 12345);
  RunResult result = RunTuskctl(dir_.path(), {"verify", "--all"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.out.find("FAIL  " + complete_id_), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("does not match the record's final sha256"), std::string::npos);
  EXPECT_NE(result.out.find("ok    " + receiving_id_), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("1 failed"), std::string::npos);

  auto reports = Reports(&result);
  EXPECT_FALSE(reports[complete_id_]["ok"].get<bool>());
  EXPECT_TRUE(reports[receiving_id_]["ok"].get<bool>());
  // A single healthy upload still verifies.
  EXPECT_EQ(RunTuskctl(dir_.path(), {"verify", receiving_id_}).exit_code, 0);
  EXPECT_EQ(RunTuskctl(dir_.path(), {"verify", complete_id_.substr(0, 6)}).exit_code, 1);
}

TEST_F(VerifyTest, FlippedByteInAReceivingUploadDisagreesWithItsHashState) {
  FlipByte(receiving_id_, 99999);  // the last committed byte
  RunResult result;
  auto reports = Reports(&result);
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_FALSE(reports[receiving_id_]["ok"].get<bool>());
  EXPECT_NE(Problems(reports[receiving_id_]).find("saved hash state"), std::string::npos);
  EXPECT_TRUE(reports[complete_id_]["ok"].get<bool>());
}

TEST_F(VerifyTest, TruncatedAndMissingFilesAreCaught) {
  std::filesystem::resize_file(DataPath(receiving_id_), 50000);
  std::filesystem::remove(DataPath(complete_id_));
  RunResult result;
  auto reports = Reports(&result);
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(Problems(reports[receiving_id_]).find("data file is 50000 bytes"), std::string::npos)
      << Problems(reports[receiving_id_]);
  EXPECT_NE(Problems(reports[complete_id_]).find("missing"), std::string::npos);
}

TEST_F(VerifyTest, AnUncommittedTailIsANoteButExtraBytesOnACompleteUploadFail) {
  AppendToFile(receiving_id_, "tail that no commit covers");
  RunResult result;
  auto reports = Reports(&result);
  EXPECT_EQ(result.exit_code, 0) << result.out;
  EXPECT_EQ(reports[receiving_id_]["notes"].size(), 1u);

  AppendToFile(complete_id_, "x");
  reports = Reports(&result);
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(Problems(reports[complete_id_]).find("1 bytes past the committed length"),
            std::string::npos);
}

// The record and frames are made by hand, as the compressing writer lays them out (one frame
// per commit). The last frame decodes to exactly one zstd output block (128 KiB): verify once
// took its end for the middle of a frame.
TEST_F(VerifyTest, ZstdFramesAreDecodedAndCheckedAndDamageIsCaught) {
  std::string first = TestBytes(70000, 11), second = TestBytes(128 << 10, 12);
  auto compress = [](const std::string& data) {
    std::string frame(ZSTD_compressBound(data.size()), '\0');
    frame.resize(ZSTD_compress(frame.data(), frame.size(), data.data(), data.size(), 1));
    return frame;
  };
  std::string frames = compress(first) + compress(second);
  store::UploadRecord record;
  record.id = "0123456789abcdef0123456789abcdef";
  record.length = record.offset = first.size() + second.size();
  record.data_length = frames.size();
  record.created_at = record.updated_at = now_;
  record.state = store::UploadState::kComplete;
  record.compression = compress::Compression::kZstd;
  record.sha256 = Sha256Hex(first + second);
  auto put = [&](const store::UploadRecord& r) {
    std::unique_ptr<store::RocksStateStore> db;
    ASSERT_TRUE(store::RocksStateStore::Open(dir_.path() + "/db", &db).ok());
    store::StateBatch batch;
    batch.PutRecord(r);
    ASSERT_TRUE(db->Write(batch).ok());
  };
  put(record);
  std::ofstream(DataPath(record.id), std::ios::binary) << frames;

  RunResult result = RunTuskctl(dir_.path(), {"verify", record.id, "--json"});
  EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
  auto reports = JsonLines(result.out);
  ASSERT_EQ(reports.size(), 1u);
  EXPECT_EQ(reports[0]["bytes_checked"], first.size() + second.size());
  json shown = JsonLines(RunTuskctl(dir_.path(), {"show", record.id, "--json"}).out).at(0);
  EXPECT_EQ(shown["compression"], "zstd");
  EXPECT_EQ(shown["data_file"]["size"], frames.size());

  // A record that commits only part of the last frame.
  record.data_length = frames.size() - 10;
  put(record);
  result = RunTuskctl(dir_.path(), {"verify", record.id});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.out.find("inside a zstd frame"), std::string::npos) << result.out;

  // A damaged frame.
  record.data_length = frames.size();
  put(record);
  std::string damaged = frames;
  damaged[frames.size() / 3] ^= 0x5a;
  std::ofstream(DataPath(record.id), std::ios::binary | std::ios::trunc) << damaged;
  result = RunTuskctl(dir_.path(), {"verify", record.id});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.out.find("FAIL  " + record.id), std::string::npos) << result.out;
}

TEST_F(VerifyTest, AnUnreadableRecordFailsTheRunByItsKey) {
  {
    std::unique_ptr<store::RocksStateStore> db;
    ASSERT_TRUE(store::RocksStateStore::Open(dir_.path() + "/db", &db).ok());
    store::StateBatch batch;
    batch.Put(store::Family::kUploads, "fedcba9876543210fedcba9876543210", "{not json");
    ASSERT_TRUE(db->Write(batch).ok());
  }
  RunResult result = RunTuskctl(dir_.path(), {"verify", "--all"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.out.find("FAIL  fedcba9876543210fedcba9876543210"), std::string::npos)
      << result.out;
  EXPECT_NE(result.out.find("does not parse"), std::string::npos);
  RunResult listed = RunTuskctl(dir_.path(), {"list", "--json"});
  EXPECT_EQ(listed.exit_code, 0);
  EXPECT_EQ(JsonLines(listed.out).size(), 2u);
  EXPECT_NE(listed.err.find("fedcba9876543210fedcba9876543210"), std::string::npos);
}

}  // namespace
}  // namespace tuskd::tuskctl::testing
