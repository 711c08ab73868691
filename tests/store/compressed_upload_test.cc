// Compressed uploads end to end through the store: UploadWriter with zstd frames, recovery,
// rollback, the frame index and UploadReader's ranged reads.
#include <gtest/gtest.h>
#include <zstd.h>

#include <algorithm>
#include <cerrno>
#include <random>

#include "store/frame_index.h"
#include "store/upload_store.h"
#include "tests/common/test_content.h"
#include "tests/store/store_test_util.h"

namespace tuskd::store {
namespace {

size_t CountFrames(const std::string& compressed) {
  size_t frames = 0;
  for (size_t at = 0; at < compressed.size(); ++frames) {
    size_t size = ZSTD_findFrameCompressedSize(compressed.data() + at, compressed.size() - at);
    if (ZSTD_isError(size)) return SIZE_MAX;
    at += size;
  }
  return frames;
}

class CompressedUploadTest : public StoreTest {
 protected:
  UploadRecord Create(std::optional<uint64_t> length, const std::string& compression = "zstd",
                      std::vector<std::pair<std::string, std::string>> metadata = {}) {
    NewUpload spec;
    spec.length = length;
    spec.compression = *compress::CompressionModeFromString(compression);
    spec.metadata = std::move(metadata);
    UploadRecord record;
    Status status = store_->Create(spec, 1000, &record);
    EXPECT_TRUE(status.ok()) << status.ToString();
    return record;
  }

  // Takes the lease and opens a writer on `id` (kept in writer_ until Close()).
  void Open(const std::string& id) {
    writer_.reset();
    lease_.reset();
    lease_ = store_->locks().TryAcquire(id, [] {});
    ASSERT_TRUE(lease_.has_value());
    Status status = store_->OpenWriter(id, &writer_);
    ASSERT_TRUE(status.ok()) << status.ToString();
  }
  void Close() {
    writer_.reset();
    lease_.reset();
  }
  // Appends `data` in pieces of `piece` bytes.
  void Append(std::string_view data, size_t piece = 256 << 10) {
    for (size_t at = 0; at < data.size(); at += piece) {
      Status status = writer_->Append(Bytes(data.substr(at, piece)));
      ASSERT_TRUE(status.ok()) << status.ToString();
    }
  }
  void Commit() {
    Status status = writer_->Commit(2000);
    ASSERT_TRUE(status.ok()) << status.ToString();
  }
  // Opens a writer, appends `data`, commits and closes.
  void AppendCommitted(const std::string& id, std::string_view data, size_t piece = 256 << 10) {
    Open(id);
    Append(data, piece);
    Commit();
    Close();
  }

  std::unique_ptr<UploadReader> Reader(const std::string& id) {
    std::unique_ptr<UploadReader> reader;
    Status status = store_->OpenReader(id, &reader);
    EXPECT_TRUE(status.ok()) << status.ToString();
    return reader;
  }
  // `count` bytes at `offset` through `reader`, in as many reads as it takes.
  std::string ReadRange(UploadReader& reader, uint64_t offset, size_t count) {
    std::string out;
    std::string buf(std::min<size_t>(count, 100000) + 1, '\0');
    while (out.size() < count) {
      size_t want = std::min(buf.size(), count - out.size());
      size_t read = 0;
      Status status = reader.Read(offset + out.size(), {buf.data(), want}, &read);
      EXPECT_TRUE(status.ok()) << status.ToString();
      if (!status.ok() || read == 0) break;
      out.append(buf.data(), read);
    }
    return out;
  }
  std::string ReadAll(const std::string& id) {
    auto reader = Reader(id);
    return reader ? ReadRange(*reader, 0, reader->size()) : "";
  }
  size_t FrameIndexEntries(const std::string& id) {
    size_t count = 0;
    WithClosedDb([&](RocksStateStore& db) {
      std::vector<std::string> keys;
      EXPECT_TRUE(db.ListKeys(Family::kFrames, id, &keys).ok());
      count = keys.size();
    });
    OpenStore();
    return count;
  }

  std::optional<UploadLockTable::Lease> lease_;
  std::unique_ptr<UploadWriter> writer_;
};

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

TEST_F(CompressedUploadTest, AnInterruptedPatchKeepsItsBytes) {
  std::string data = TextContent(3 << 20, 9);
  UploadRecord record = Create(data.size());
  // A body cut after 1 MiB + 5: the receiver commits what arrived (I2).
  Open(record.id);
  Append(std::string_view(data).substr(0, (1 << 20) + 5));
  Commit();
  Close();
  UploadRecord cut = GetRecord(record.id);
  EXPECT_EQ(cut.offset, (1u << 20) + 5);
  EXPECT_LT(cut.data_length, cut.offset);
  EXPECT_TRUE(SameBytes(ReadAll(record.id), data.substr(0, cut.offset)));
  AppendCommitted(record.id, std::string_view(data).substr(cut.offset));
  EXPECT_TRUE(SameBytes(ReadAll(record.id), data));
  EXPECT_EQ(GetRecord(record.id).sha256, OneShotSha256Hex(data));
}

TEST_F(CompressedUploadTest, KillMidFrameRecoversToTheLastCommitAndResumes) {
  std::string data = TextContent(600000, 1) + RandomContent(2 << 20, 2);
  UploadRecord record = Create(data.size());
  AppendCommitted(record.id, std::string_view(data).substr(0, 600000));
  const uint64_t committed = GetRecord(record.id).data_length;
  // The next body dies mid-frame: compressed bytes reached the file, no commit, no frame end.
  Open(record.id);
  Append(std::string_view(data).substr(600000, 1 << 20));
  Close();
  CloseStore();
  EXPECT_GT(ReadDataFile(record.id).size(), committed);
  OpenStore();  // recovery
  EXPECT_EQ(ReadDataFile(record.id).size(), committed);
  EXPECT_EQ(GetRecord(record.id).offset, 600000u);
  EXPECT_TRUE(SameBytes(ReadAll(record.id), data.substr(0, 600000)));
  AppendCommitted(record.id, std::string_view(data).substr(600000));
  EXPECT_TRUE(SameBytes(ReadAll(record.id), data));
  EXPECT_TRUE(SameBytes(DecodeFrames(ReadDataFile(record.id)), data));
  EXPECT_EQ(GetRecord(record.id).sha256, OneShotSha256Hex(data));
}

TEST_F(CompressedUploadTest, PowerLossMidFrameKeepsTheCommittedFrames) {
  std::string data = TextContent(2 << 20, 4);
  UploadRecord record = Create(data.size());
  AppendCommitted(record.id, std::string_view(data).substr(0, 700000));
  Open(record.id);
  Append(std::string_view(data).substr(700000, 900000));
  Close();
  CloseStore();
  ASSERT_TRUE(fs_.Crash().ok());
  OpenStore();
  EXPECT_TRUE(SameBytes(ReadAll(record.id), data.substr(0, 700000)));
  AppendCommitted(record.id, std::string_view(data).substr(700000));
  EXPECT_TRUE(SameBytes(ReadAll(record.id), data));
}

TEST_F(CompressedUploadTest, ChecksumRollbackDropsTheFrame) {
  std::string a = TextContent(50000, 1), b = TextContent(500000, 2), c = TextContent(70000, 3);
  UploadRecord record = Create(std::nullopt);
  AppendCommitted(record.id, a);
  const uint64_t committed = GetRecord(record.id).data_length;
  Open(record.id);
  Append(b);  // the body whose Upload-Checksum does not match: 460
  ASSERT_TRUE(writer_->Rollback().ok());
  EXPECT_EQ(ReadDataFile(record.id).size(), committed);
  EXPECT_EQ(writer_->offset(), a.size());
  Append(c);
  Commit();
  Close();
  EXPECT_TRUE(SameBytes(ReadAll(record.id), a + c));
  EXPECT_TRUE(SameBytes(DecodeFrames(ReadDataFile(record.id)), a + c));
  EXPECT_EQ(FrameIndexEntries(record.id), 2u);
}

TEST_F(CompressedUploadTest, AFailedSyncRollsBackToTheLastCommit) {
  std::string a = TextContent(80000, 1), b = TextContent(90000, 2);
  UploadRecord record = Create(std::nullopt);
  AppendCommitted(record.id, a);
  Open(record.id);
  Append(b);
  fs_.FailNextSync(EIO);
  EXPECT_FALSE(writer_->Commit(3000).ok());
  ASSERT_TRUE(writer_->Rollback().ok());
  Append(b);
  Commit();
  Close();
  EXPECT_TRUE(SameBytes(ReadAll(record.id), a + b));
}

TEST_F(CompressedUploadTest, AFailedAppendRewindsToTheLastFrameEnd) {
  std::string a = TextContent(10000, 1);
  std::string b = RandomContent(6 << 20, 2);
  UploadRecord record = Create(a.size() + b.size());
  AppendCommitted(record.id, a);
  Open(record.id);
  Append(std::string_view(b).substr(0, 5 << 20));  // a frame ended at 4 MiB
  fs_.FailAppendPast(fs_.SyncedLength(DataPath(record.id)).value_or(0) + (5 << 20) + 10, ENOSPC);
  Status failed = writer_->Append(Bytes(std::string_view(b).substr(5 << 20, 256 << 10)));
  EXPECT_TRUE(failed.IsNoSpace()) << failed.ToString();
  EXPECT_EQ(writer_->offset(), a.size() + (4 << 20));
  EXPECT_EQ(writer_->hash().bytes_hashed(), a.size() + (4 << 20));
  Commit();
  EXPECT_EQ(GetRecord(record.id).offset, a.size() + (4 << 20));
  Append(std::string_view(b).substr(4 << 20));
  Commit();
  Close();
  EXPECT_TRUE(SameBytes(ReadAll(record.id), a + b));
  EXPECT_EQ(GetRecord(record.id).sha256, OneShotSha256Hex(a + b));
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

TEST_F(CompressedUploadTest, MixedUploadsInOneStore) {
  std::string data = TextContent(500000, 6);
  UploadRecord raw = Create(data.size(), "none");
  UploadRecord zstd = Create(data.size(), "zstd");
  UploadRecord automatic = Create(data.size(), "auto", {{"filetype", "text/plain"}});
  for (const UploadRecord* r : {&raw, &zstd, &automatic}) AppendCommitted(r->id, data, 65536);
  EXPECT_EQ(GetRecord(raw.id).data_length, data.size());
  EXPECT_TRUE(SameBytes(ReadDataFile(raw.id), data));
  for (const UploadRecord* r : {&raw, &zstd, &automatic}) {
    EXPECT_TRUE(SameBytes(ReadAll(r->id), data));
    EXPECT_EQ(GetRecord(r->id).sha256, OneShotSha256Hex(data));
  }
  for (const UploadRecord* r : {&zstd, &automatic}) {
    UploadRecord read = GetRecord(r->id);
    EXPECT_EQ(read.compression, compress::Compression::kZstd);
    EXPECT_FALSE(read.compression_auto);
    EXPECT_LT(read.data_length, data.size() / 3);
  }
}

TEST_F(CompressedUploadTest, AutoSkipsDeclaredCompressedTypes) {
  UploadRecord jpeg = Create(100, "auto", {{"filetype", "image/jpeg"}});
  EXPECT_EQ(jpeg.compression, compress::Compression::kNone);
  EXPECT_FALSE(jpeg.compression_auto);
  UploadRecord flac = Create(100, "auto", {{"filename", "a.flac"}, {"filetype", "audio/flac"}});
  EXPECT_EQ(flac.compression, compress::Compression::kNone);
  UploadRecord text = Create(100, "auto", {{"filetype", "text/plain"}});
  EXPECT_EQ(text.compression, compress::Compression::kZstd);
  EXPECT_TRUE(text.compression_auto);
  EXPECT_TRUE(GetRecord(text.id).compression_auto);  // stored, so a restart keeps it
  UploadRecord forced = Create(100, "zstd", {{"filetype", "image/jpeg"}});
  EXPECT_EQ(forced.compression, compress::Compression::kZstd);
  EXPECT_FALSE(forced.compression_auto);
}

TEST_F(CompressedUploadTest, AutoSkipsContentWithCompressedMagic) {
  std::string gzip = std::string("\x1F\x8B\x08\x00", 4) + RandomContent(300000, 1);
  UploadRecord record = Create(gzip.size(), "auto");
  ASSERT_EQ(record.compression, compress::Compression::kZstd);
  AppendCommitted(record.id, gzip);
  UploadRecord read = GetRecord(record.id);
  EXPECT_EQ(read.compression, compress::Compression::kNone);
  EXPECT_FALSE(read.compression_auto);
  EXPECT_EQ(read.data_length, gzip.size());
  EXPECT_TRUE(SameBytes(ReadDataFile(record.id), gzip));
  EXPECT_TRUE(SameBytes(ReadAll(record.id), gzip));
}

TEST_F(CompressedUploadTest, AutoDecidesOnTheFirstCommittedPieceOnly) {
  std::string text = TextContent(200000, 2);
  std::string zip = std::string("PK\x03\x04", 4) + TextContent(1000, 3);
  UploadRecord record = Create(std::nullopt, "auto");
  Open(record.id);
  ASSERT_TRUE(writer_->SetLength(text.size() + zip.size()).ok());
  Commit();  // a length alone decides nothing
  EXPECT_TRUE(GetRecord(record.id).compression_auto);
  Append(zip);
  EXPECT_FALSE(writer_->compressed());
  ASSERT_TRUE(writer_->Rollback().ok());  // 460: the upload is empty again
  EXPECT_TRUE(writer_->compressed());
  Append(text);
  EXPECT_TRUE(writer_->compressed());
  Commit();
  Append(zip);  // magic bytes later in the upload change nothing
  Commit();
  Close();
  UploadRecord read = GetRecord(record.id);
  EXPECT_EQ(read.compression, compress::Compression::kZstd);
  EXPECT_FALSE(read.compression_auto);
  EXPECT_TRUE(SameBytes(ReadAll(record.id), text + zip));
}

TEST_F(CompressedUploadTest, UnknownCompressionIsRefused) {
  // The enum cannot ask for an unknown compression; a record can still name one (written by a
  // newer build, or damaged): it must be refused, never served as raw bytes.
  UploadRecord record = Create(10);
  std::string json = SerializeRecord(record);
  json.replace(json.find("\"zstd\""), 6, "\"brotli\"");
  WithClosedDb([&](RocksStateStore& db) {
    StateBatch batch;
    batch.Put(Family::kUploads, record.id, json);
    ASSERT_TRUE(db.Write(batch).ok());
  });
  OpenStore();
  UploadRecord read;
  EXPECT_TRUE(store_->Get(record.id, &read).IsCorruption());
  std::unique_ptr<UploadReader> reader;
  EXPECT_FALSE(store_->OpenReader(record.id, &reader).ok());
}

TEST_F(CompressedUploadTest, EmptyCompressedUploadReadsNothing) {
  UploadRecord record = Create(0);
  EXPECT_TRUE(record.complete());
  auto reader = Reader(record.id);
  EXPECT_EQ(reader->size(), 0u);
  EXPECT_TRUE(SameBytes(ReadRange(*reader, 0, 10), ""));
}

TEST_F(CompressedUploadTest, CorruptDataIsReportedNotReturned) {
  std::string data = TextContent(300000, 4);
  UploadRecord record = Create(data.size());
  AppendCommitted(record.id, data);
  {
    std::string file = ReadDataFile(record.id);
    file[file.size() / 2] ^= 0x55;
    std::ofstream out(DataPath(record.id), std::ios::binary | std::ios::trunc);
    out << file;
  }
  auto reader = Reader(record.id);
  std::string buf(1 << 20, '\0');
  Status status;
  for (uint64_t offset = 0; status.ok() && offset < data.size();) {
    size_t read = 0;
    status = reader->Read(offset, {buf.data(), buf.size()}, &read);
    if (read == 0) break;
    offset += read;
  }
  EXPECT_TRUE(status.IsCorruption()) << status.ToString();
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
