// UploadWriter (store/upload_writer.h): steps 7 and 8 of the PATCH in docs/architecture.md.
// A compressed upload's bytes go through a FrameEncoder; every commit ends the open frame, and
// inside a long body a frame also ends once it holds kTargetFrameBytes, so that ranged reads
// and a failed append have a nearby frame boundary to go back to.
#include "compress/compression_choice.h"
#include "store/state_store.h"
#include "store/upload_store.h"

namespace tuskd::store {

UploadWriter::UploadWriter(UploadStore* store, UploadRecord record, RollingSha256 hash,
                           std::unique_ptr<DataAppender> data)
    : store_(store),
      committed_(std::move(record)),
      committed_hash_(hash),
      hash_(hash),
      data_(std::move(data)),
      compression_(committed_.compression),
      sniff_first_piece_(committed_.compression_auto && committed_.offset == 0),
      frame_end_{0, committed_.data_length, hash} {}

UploadWriter::~UploadWriter() = default;

uint64_t UploadWriter::offset() const { return committed_.offset + pending_; }

uint64_t UploadWriter::pending_bytes() const { return pending_; }

std::optional<uint64_t> UploadWriter::length() const {
  return pending_length_ ? pending_length_ : committed_.length;
}

Status UploadWriter::Append(std::span<const char> bytes) {
  if (!failed_.ok()) return failed_;
  if (std::optional<uint64_t> limit = length(); limit && bytes.size() > *limit - offset()) {
    return Status::Invalid("append past the upload's length");
  }
  if (sniff_first_piece_ && offset() == 0 && !bytes.empty()) {
    sniff_first_piece_ = false;  // one look, at the upload's first bytes
    if (compress::HasIncompressibleMagic(bytes)) compression_ = compress::Compression::kNone;
  }
  return compressed() ? AppendCompressed(bytes) : AppendRaw(bytes);
}

Status UploadWriter::AppendRaw(std::span<const char> bytes) {
  const uint64_t before = data_->Size();
  if (Status written = data_->Append(bytes); !written.ok()) {
    // The file may hold a prefix of `bytes`; cut it so file, hash and offset stay in step.
    if (Status cut = data_->Truncate(before); !cut.ok()) failed_ = cut;
    return written;
  }
  hash_.Update(bytes);
  pending_ += bytes.size();
  return Status::Ok();
}

Status UploadWriter::AppendCompressed(std::span<const char> bytes) {
  if (bytes.empty()) return Status::Ok();  // would open a frame with nothing in it
  if (!encoder_)
    encoder_ = std::make_unique<compress::FrameEncoder>(store_->options_.compression_level);
  if (encoder_->frame_bytes() >= kTargetFrameBytes && new_frame_count_ < kMaxPendingFrames) {
    if (Status ended = encoder_->EndFrame(data_.get()); !ended.ok()) {
      return RewindToFrameEnd(ended);
    }
    frame_end_ = {pending_, data_->Size(), hash_};
  }
  if (!encoder_->frame_open()) {
    // Room is guaranteed: frames end early only while there is, and a commit empties the array.
    new_frames_[new_frame_count_++] = {offset(), data_->Size()};
  }
  if (Status written = encoder_->Write(bytes, data_.get()); !written.ok()) {
    return RewindToFrameEnd(written);
  }
  hash_.Update(bytes);
  pending_ += bytes.size();
  return Status::Ok();
}

Status UploadWriter::RewindToFrameEnd(Status cause) {
  // zstd cannot take input back, so the open frame goes whole: file, hash and offset return to
  // the last frame end, which is a valid place for the next frame to begin.
  encoder_->Reset();
  while (new_frame_count_ > 0 &&
         new_frames_[new_frame_count_ - 1].data_offset >= frame_end_.data_length) {
    --new_frame_count_;
  }
  if (Status cut = data_->Truncate(frame_end_.data_length); !cut.ok()) {
    failed_ = cut;
    return cause;
  }
  hash_ = frame_end_.hash;
  pending_ = frame_end_.pending;
  return cause;
}

Status UploadWriter::SetLength(uint64_t length) {
  if (this->length()) return Status::Invalid("the upload's length is already set");
  if (length < offset()) return Status::Invalid("length is below the upload's offset");
  pending_length_ = length;
  return Status::Ok();
}

UploadRecord UploadWriter::NextRecord(int64_t now) const {
  UploadRecord next = committed_;
  next.offset += pending_;
  next.data_length = data_->Size();
  next.updated_at = now;
  if (pending_length_) next.length = pending_length_;
  if (next.offset > 0) {
    // The compression of an upload is settled by its first committed bytes.
    next.compression = compression_;
    next.compression_auto = false;
  }
  if (next.length && next.offset == *next.length) {
    next.state = UploadState::kComplete;
    next.sha256 = hash_.HexDigest();
    next.expires_at.reset();
  } else if (store_->options_.expiration_seconds > 0) {
    next.expires_at = now + store_->options_.expiration_seconds;
  } else {
    next.expires_at.reset();
  }
  return next;
}

Status UploadWriter::Commit(int64_t now) {
  if (!failed_.ok()) return failed_;
  if (pending_ == 0 && !pending_length_) return Status::Ok();
  if (encoder_ && encoder_->frame_open()) {
    // A commit point is a frame boundary: truncation there (rollback, recovery) stays valid.
    if (Status ended = encoder_->EndFrame(data_.get()); !ended.ok()) {
      failed_ = ended;
      return ended;
    }
  }
  StateBatch batch;
  // Data first: the batch below makes the new offset visible, so the bytes under it must
  // already be durable (invariant I1).
  if (Status synced = data_->Sync(&batch); !synced.ok()) {
    failed_ = synced;  // retrying fdatasync after a failure can report success over lost data
    return synced;
  }
  UploadRecord next = NextRecord(now);
  // Completion joins the prediction queue in this same batch (I7); it also marks the record.
  // Partial uploads (concatenation) are pieces of a file: their final upload is predicted.
  std::unique_lock<std::mutex> staged;
  if (next.complete() && !next.partial()) {
    staged = store_->pipeline_->StageCompletion(&next, &batch);
  }
  StageCommit(next, &batch);
  Status written = store_->state_->Write(batch);
  if (staged.owns_lock()) {
    staged.unlock();
    store_->pipeline_->NotifyQueued();
  }
  if (!written.ok()) {
    failed_ = written;
    return written;
  }
  store_->CountStored(&committed_, &next);
  // The finals waiting on a part hear of its completion, and of its length once known (their
  // sum may now pass the maximum size: the joiner checks).
  bool part_changed =
      next.partial() && (next.complete() || (committed_.deferred() && !next.deferred()));
  AdoptCommitted(std::move(next));
  if (part_changed) store_->NotifyPartChanged(committed_.id);
  return Status::Ok();
}

void UploadWriter::StageCommit(const UploadRecord& next, StateBatch* batch) const {
  batch->PutRecord(next);
  if (next.complete()) {
    batch->DeleteHashState(next.id);  // nothing will resume a complete upload
  } else {
    batch->PutHashState(next.id, hash_.Serialize());
  }
  batch->MoveExpiry(next.id, committed_.expires_at, next.expires_at);
  for (size_t i = 0; i < new_frame_count_; ++i) StageFrameStart(batch, next.id, new_frames_[i]);
}

void UploadWriter::AdoptCommitted(UploadRecord next) {
  committed_ = std::move(next);
  committed_hash_ = hash_;
  pending_ = 0;
  pending_length_.reset();
  new_frame_count_ = 0;
  frame_end_ = {0, committed_.data_length, hash_};
}

Status UploadWriter::Rollback() {
  // Everything up to committed_.data_length was synced by an earlier commit; only the tail goes.
  if (Status cut = data_->Truncate(committed_.data_length); !cut.ok()) {
    failed_ = cut;
    return cut;
  }
  hash_ = committed_hash_;
  pending_ = 0;
  pending_length_.reset();
  failed_ = Status::Ok();
  if (encoder_) encoder_->Reset();
  new_frame_count_ = 0;
  frame_end_ = {0, committed_.data_length, committed_hash_};
  compression_ = committed_.compression;
  sniff_first_piece_ = committed_.compression_auto && committed_.offset == 0;
  return Status::Ok();
}

}  // namespace tuskd::store
