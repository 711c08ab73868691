// Compressed uploads end to end through the store: UploadWriter with zstd frames, the frame
// index and UploadReader's ranged reads. Failures are in compressed_upload_failure_test.cc,
// the choice of compression in compression_choice_store_test.cc.
#include <gtest/gtest.h>
#include <zstd.h>

#include <algorithm>
#include <cerrno>
#include <random>
#include <string>

#include "store/frame_index.h"
#include "store/upload_store.h"
#include "tests/common/test_content.h"
#include "tests/store/compressed_upload_fixture.h"

namespace tuskd::store {
namespace {

TEST_F(CompressedUploadTest, RoundTripsManySizesAndSplitPoints) {
  std::mt19937 rng(42);
  for (size_t size : {1ul, 17ul, 4096ul, 131077ul, (1ul << 20) + 3, (9ul << 20) + 1}) {
    for (bool text : {true, false}) {
      SCOPED_TRACE("size " + std::to_string(size) + (text ? " text" : " random"));
      std::string data = text ? TextContent(size, size) : RandomContent(size, size);
      UploadRecord record = Create(data.size());
      Open(record.id);
      size_t commits = 0;
      for (size_t at = 0; at < data.size();) {
        size_t piece = std::min<size_t>(1 + rng() % (300 << 10), data.size() - at);
        ASSERT_TRUE(writer_->Append(Bytes(std::string_view(data).substr(at, piece))).ok());
        at += piece;
        if (rng() % 5 == 0 && at < data.size()) {
          Commit();
          ++commits;
        }
      }
      Commit();
      Close();
      UploadRecord read = GetRecord(record.id);
      EXPECT_TRUE(read.complete());
      EXPECT_EQ(read.compression, compress::Compression::kZstd);
      EXPECT_EQ(read.offset, data.size());
      EXPECT_EQ(read.sha256, OneShotSha256Hex(data));
      const std::string file = ReadDataFile(record.id);
      EXPECT_EQ(file.size(), read.data_length);
      EXPECT_GE(CountFrames(file), commits + 1);
      if (text && size > 4096) {
        EXPECT_LT(read.data_length, data.size() / 3);
      }
      EXPECT_TRUE(SameBytes(DecodeFrames(file), data));
      EXPECT_TRUE(SameBytes(ReadAll(record.id), data));
    }
  }
}

TEST_F(CompressedUploadTest, RangeReadsAtFrameBoundariesAndInsideFrames) {
  // Commits of 1000, 70000, 1 and 300000 bytes around a 5 MiB body, which a frame end splits
  // at 4 MiB: six frames.
  std::string data = TextContent(1000 + 70000 + 1 + (5 << 20) + 7 + 300000, 5);
  std::vector<uint64_t> commits = {1000, 71000, 71001, 71001 + (5 << 20) + 7, data.size()};
  std::vector<uint64_t> frame_starts = {
      0, 1000, 71000, 71001, 71001 + (4 << 20), 71001 + (5 << 20) + 7};
  UploadRecord record = Create(data.size());
  for (size_t i = 0, at = 0; i < commits.size(); at = commits[i++]) {
    AppendCommitted(record.id, std::string_view(data).substr(at, commits[i] - at));
  }
  const std::string file = ReadDataFile(record.id);
  EXPECT_EQ(CountFrames(file), frame_starts.size());
  EXPECT_EQ(FrameIndexEntries(record.id), frame_starts.size());

  std::vector<uint64_t> offsets = {data.size() - 1, data.size() / 2, 123456, 4 << 20};
  for (uint64_t start : frame_starts) {
    for (int64_t delta : {-1, 0, 1, 500}) {
      int64_t offset = static_cast<int64_t>(start) + delta;
      if (offset >= 0 && offset < static_cast<int64_t>(data.size())) offsets.push_back(offset);
    }
  }
  auto shared = Reader(record.id);  // one reader through every jump: back, forward, repeat
  std::mt19937 rng(7);
  std::shuffle(offsets.begin(), offsets.end(), rng);
  for (uint64_t offset : offsets) {
    for (size_t count : {1ul, 100ul, 200000ul}) {
      size_t n = std::min<size_t>(count, data.size() - offset);
      std::string expected = data.substr(offset, n);
      EXPECT_TRUE(SameBytes(ReadRange(*Reader(record.id), offset, n), expected))
          << offset << "+" << n;
      EXPECT_TRUE(SameBytes(ReadRange(*shared, offset, n), expected))
          << offset << "+" << n << " (shared)";
    }
  }
}

TEST_F(CompressedUploadTest, APartialSocketWriteStepsBackCheaply) {
  std::string data = TextContent(3 << 20, 3);
  UploadRecord record = Create(data.size());
  AppendCommitted(record.id, data);
  auto reader = Reader(record.id);
  // What RespondWithFile does: read a piece, send part of it, read again from where it stopped.
  uint64_t position = 0;
  std::string sent;
  std::mt19937 rng(3);
  while (position < data.size()) {
    std::string piece =
        ReadRange(*reader, position, std::min<size_t>(256 << 10, data.size() - position));
    size_t taken = 1 + rng() % piece.size();
    sent.append(piece, 0, taken);
    position += taken;
  }
  EXPECT_TRUE(SameBytes(sent, data));
}

TEST_F(CompressedUploadTest, AReaderStopsAtTheCommittedOffset) {
  std::string data = TextContent(400000, 8);
  UploadRecord record = Create(std::nullopt);
  AppendCommitted(record.id, std::string_view(data).substr(0, 100000));
  Open(record.id);
  Append(std::string_view(data).substr(100000, 200000));
  ASSERT_TRUE(writer_->Commit(3000).ok());
  Append(std::string_view(data).substr(300000));  // pending: a reader must not see it
  auto reader = Reader(record.id);
  EXPECT_EQ(reader->size(), 300000u);
  EXPECT_TRUE(SameBytes(ReadRange(*reader, 0, 400000), data.substr(0, 300000)));
  EXPECT_TRUE(SameBytes(ReadRange(*reader, 250000, 100), data.substr(250000, 100)));
}

TEST_F(CompressedUploadTest, EmptyCompressedUploadReadsNothing) {
  UploadRecord record = Create(0);
  EXPECT_TRUE(record.complete());
  auto reader = Reader(record.id);
  EXPECT_EQ(reader->size(), 0u);
  EXPECT_TRUE(SameBytes(ReadRange(*reader, 0, 10), ""));
}

TEST_F(CompressedUploadTest, TotalsCountStoredAndLogicalBytes) {
  EXPECT_EQ(store_->storage_totals().logical_bytes, 0u);
  std::string data = TextContent(1 << 20, 5);
  UploadRecord zstd = Create(data.size());
  UploadRecord raw = Create(std::nullopt, "none");
  AppendCommitted(zstd.id, data);
  AppendCommitted(raw.id, std::string_view(data).substr(0, 1000));
  const uint64_t stored = GetRecord(zstd.id).data_length;
  StorageTotals totals = store_->storage_totals();
  EXPECT_EQ(totals.logical_bytes, data.size() + 1000);
  EXPECT_EQ(totals.stored_bytes, stored + 1000);
  ReopenStore();  // recovery counts them again
  totals = store_->storage_totals();
  EXPECT_EQ(totals.logical_bytes, data.size() + 1000);
  EXPECT_EQ(totals.stored_bytes, stored + 1000);
  {
    auto lease = store_->locks().TryAcquire(zstd.id, [] {});
    ASSERT_TRUE(store_->Terminate(zstd.id, 3000).ok());
  }
  totals = store_->storage_totals();
  EXPECT_EQ(totals.logical_bytes, 1000u);
  EXPECT_EQ(totals.stored_bytes, 1000u);
  EXPECT_EQ(FrameIndexEntries(zstd.id), 0u);  // termination drops the index
}

}  // namespace
}  // namespace tuskd::store
