// UploadWriter: appends body bytes to one upload (the PATCH path of docs/architecture.md).
// Append writes through to the data object (compressing into the open zstd frame for a
// compressed upload) and updates the rolling SHA-256; Commit makes everything appended durable
// and visible (end of the frame, data Sync, then one atomic state batch with offset, data
// length, hash state, new frame index entries, updated/expires). Commit blocks on disk: run it
// off the io threads. Append compresses: for a compressed upload it costs CPU time too
// (compressed()). Made by UploadStore::OpenWriter for the holder of the upload's lease. Not
// thread-safe, but may move between threads.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>

#include "base/status.h"
#include "compress/compression.h"
#include "compress/frame_encoder.h"
#include "store/data_appender.h"
#include "store/frame_index.h"
#include "store/rolling_sha256.h"
#include "store/upload_record.h"

namespace tuskd::store {

class UploadStore;

class UploadWriter {
 public:
  ~UploadWriter();
  UploadWriter(const UploadWriter&) = delete;
  UploadWriter& operator=(const UploadWriter&) = delete;

  // On failure the data is cut back to its length before this call, so the uncommitted state
  // stays consistent (NoSpace for ENOSPC); for a compressed upload, back to the end of the last
  // whole frame instead, dropping the pending bytes of the open frame too (offset() says where
  // the writer stands; at most kTargetFrameBytes plus one piece are lost). Invalid, writing
  // nothing, when the bytes would run past a known length. Allocates nothing on success,
  // except the compression context at a compressed upload's first Append.
  Status Append(std::span<const char> bytes);
  // Declares a deferred length (Invalid if one is set or it is below offset()); takes effect at
  // the next Commit.
  Status SetLength(uint64_t length);
  // Durable commit of everything appended. When offset reaches length, the upload completes:
  // state complete, sha256 set, expiry and hash state removed. A no-op when nothing changed.
  // On failure committed() is unchanged and the writer refuses Append and Commit (returning
  // the same error) until Rollback: a retried fdatasync can report success over lost pages.
  Status Commit(int64_t now);
  // Drops everything appended since the last commit (data cut, hash restored) and clears a
  // failure left by Append or Commit.
  Status Rollback();

  uint64_t offset() const;         // committed + pending
  uint64_t pending_bytes() const;  // appended since the last commit
  // Whether Append compresses, as decided so far (`auto` may still turn it off at the first
  // piece of an empty upload).
  bool compressed() const { return compression_ == compress::Compression::kZstd; }
  const UploadRecord& committed() const { return committed_; }
  const RollingSha256& hash() const { return hash_; }

 private:
  friend class UploadStore;
  UploadWriter(UploadStore* store, UploadRecord record, RollingSha256 hash,
               std::unique_ptr<DataAppender> data);
  std::optional<uint64_t> length() const;  // pending or committed
  UploadRecord NextRecord(int64_t now) const;
  Status AppendRaw(std::span<const char> bytes);
  Status AppendCompressed(std::span<const char> bytes);
  // After a failed compressed append: back to the last frame end (data, hash, offset).
  Status RewindToFrameEnd(Status cause);
  // The state batch of a commit that makes `next` visible.
  void StageCommit(const UploadRecord& next, StateBatch* batch) const;
  // After a commit was written: the writer starts afresh from `next`.
  void AdoptCommitted(UploadRecord next);
  // A writer state at a frame boundary: where a failed compressed append returns to.
  struct FrameMark {
    uint64_t pending = 0;
    uint64_t data_length = 0;
    RollingSha256 hash;
  };

  UploadStore* store_;
  UploadRecord committed_;
  RollingSha256 committed_hash_;
  RollingSha256 hash_;
  std::unique_ptr<DataAppender> data_;
  uint64_t pending_ = 0;
  std::optional<uint64_t> pending_length_;
  Status failed_;  // set by a failure that leaves the data in an unknown state
  // Compression: the current decision, the encoder (made at the first compressed Append), the
  // frames begun since the last commit (their index entries go in its batch) and the last
  // frame end.
  compress::Compression compression_;
  bool sniff_first_piece_ = false;
  std::unique_ptr<compress::FrameEncoder> encoder_;
  std::array<FrameStart, kMaxPendingFrames> new_frames_{};
  size_t new_frame_count_ = 0;
  FrameMark frame_end_;
};

}  // namespace tuskd::store
