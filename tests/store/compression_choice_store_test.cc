// How the store settles an upload's compression: --compression auto by declared type and by
// the first piece's magic bytes, mixed uploads in one store, and a record naming a compression
// this build does not know.
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

}  // namespace
}  // namespace tuskd::store
