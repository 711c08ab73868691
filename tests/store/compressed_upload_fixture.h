// A store with helpers for compressed uploads: create with a compression mode, write and
// commit in pieces, read ranges back, count frames and frame index entries. Shared by the
// compressed-upload tests.
#pragma once

#include <gtest/gtest.h>
#include <zstd.h>

#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "store/upload_store.h"
#include "tests/store/store_test_util.h"

namespace tuskd::store {

inline size_t CountFrames(const std::string& compressed) {
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

}  // namespace tuskd::store
