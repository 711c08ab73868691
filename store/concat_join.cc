// Concatenation in the store (UploadStore, declared in store/upload_store.h): creating a final
// upload over its parts, and joining the parts' bytes into it once they are all complete.
// The final gets its own copy of the bytes, so parts can be reused, deleted or expire without
// touching it, and GET, ranges, predictors and tuskctl verify treat it as any upload.
#include <algorithm>
#include <memory>

#include "base/length_limit.h"
#include "base/log.h"
#include "compress/frame_decoder.h"
#include "store/concat_waits.h"
#include "store/rolling_sha256.h"
#include "store/upload_id.h"
#include "store/upload_store.h"

namespace tuskd::store {
namespace {

constexpr size_t kCopyBytes = 128u << 10;

// Problems the caller cannot act on; warnings, because the final is retried or abandoned cleanly.
void LogProblem(const std::string& what, const nlohmann::json& fields = nullptr) {
  Log(LogLevel::kWarn, kStoreLog, what, fields);
}

bool Gone(UploadState state) {
  return state == UploadState::kTerminated || state == UploadState::kExpired;
}

}  // namespace

Status UploadStore::PrepareFinal(const NewUpload& spec, UploadRecord* record,
                                 std::vector<std::string>* waiting_on) const {
  uint64_t sum = 0;
  bool lengths_known = true;
  bool ready = true;
  for (const std::string& part_id : spec.concat_parts) {
    UploadRecord part;
    Status found = Get(part_id, &part);
    if (found.IsNotFound()) return Status::Invalid("part " + part_id + " does not exist");
    if (!found.ok()) return found;
    if (!part.partial()) return Status::Invalid("part " + part_id + " is not partial");
    if (Gone(part.state)) {
      return Status::Invalid("part " + part_id + " is " + std::string(ToString(part.state)));
    }
    if (!part.complete()) ready = false;
    if (part.length) {
      sum += *part.length;
    } else {
      lengths_known = false;
    }
  }
  if (lengths_known) record->length = sum;
  // A final that must wait is found from every part: from one still receiving when it
  // completes, and from any when it goes away (the final can then never be whole).
  if (!ready) {
    for (const std::string& part_id : spec.concat_parts) waiting_on->push_back(part_id);
  }
  record->concat_parts = spec.concat_parts;
  // Decided when the parts are joined: compressed exactly when every part is.
  record->compression = compress::Compression::kNone;
  record->compression_auto = false;
  return Status::Ok();
}

void UploadStore::SetFinalListener(std::function<void(const std::string&)> listener) {
  final_listener_ = std::move(listener);
}

void UploadStore::NotifyPartChanged(const std::string& part_id) {
  if (!final_listener_) return;
  std::vector<std::string> finals;
  if (Status found = FinalsWaitingOn(*state_, part_id, &finals); !found.ok()) {
    LogProblem("waking the finals of part " + part_id + ": " + found.ToString());
    return;
  }
  for (const std::string& final_id : finals) final_listener_(final_id);
}

Status UploadStore::ListUnjoinedFinals(std::vector<std::string>* ids) const {
  ids->clear();
  std::vector<UploadRecord> records;
  if (Status listed = ListUploads(&records); !listed.ok()) return listed;
  for (const UploadRecord& record : records) {
    if (record.final_upload() && record.state == UploadState::kReceiving) {
      ids->push_back(record.id);
    }
  }
  return Status::Ok();
}

Status UploadStore::AssembleFinal(const std::string& id, const UploadLockTable::Lease& lease,
                                  int64_t now, AssemblyResult* result) {
  UploadRecord record;
  if (Status found = Get(id, &record); !found.ok()) return found;
  if (!record.final_upload()) return Status::Invalid("upload " + id + " is not a final upload");
  if (!locks_.IsHeld(id)) return Status::Invalid("AssembleFinal without the upload's lease");
  if (record.complete()) {
    *result = AssemblyResult::kComplete;
    return Status::Ok();
  }
  if (Gone(record.state)) {
    *result = AssemblyResult::kAbandoned;
    return Status::Ok();
  }
  std::vector<UploadRecord> parts;
  bool waiting = false;
  uint64_t known_sum = 0;  // saturates at the limit, so that it cannot wrap
  const uint64_t limit = options_.max_size > 0 ? options_.max_size : kMaxUploadLength;
  for (const std::string& part_id : record.concat_parts) {
    UploadRecord part;
    Status found = Get(part_id, &part);
    if (found.IsNotFound() || (found.ok() && Gone(part.state))) {
      // The final can never be whole: it goes too, so its client sees 410 instead of waiting.
      LogProblem("final upload " + id + " abandoned: part " + part_id + " is gone",
                 {{"upload_id", id}, {"part_id", part_id}});
      *result = AssemblyResult::kAbandoned;
      return Retire(std::move(record), UploadState::kTerminated, now, std::nullopt);
    }
    if (!found.ok()) return found;
    if (part.length) known_sum += std::min(*part.length, limit + 1 - known_sum);
    if (known_sum > limit) {
      // Deferred parts learned their lengths after the final was accepted: it would pass the
      // maximum size (one part named many times multiplies its bytes), so it is never joined.
      LogProblem("final upload " + id + " abandoned: its parts add up to more than " +
                     std::to_string(limit) + " bytes",
                 {{"upload_id", id}, {"max_size", limit}});
      *result = AssemblyResult::kAbandoned;
      return Retire(std::move(record), UploadState::kTerminated, now, std::nullopt);
    }
    if (!part.complete()) waiting = true;
    parts.push_back(std::move(part));
  }
  if (waiting) {
    *result = AssemblyResult::kWaiting;
    return Status::Ok();
  }
  return JoinParts(std::move(record), parts, lease, now, result);
}

Status UploadStore::JoinParts(UploadRecord record, const std::vector<UploadRecord>& parts,
                              const UploadLockTable::Lease& lease, int64_t now,
                              AssemblyResult* result) {
  const std::string id = record.id;
  uint64_t total = 0;
  bool all_compressed = true;
  for (const UploadRecord& part : parts) {
    total += part.offset;
    all_compressed = all_compressed && part.compressed();
  }
  if (record.length && *record.length != total) {
    return Status::Corruption("final upload " + id + " has length " +
                              std::to_string(*record.length) + " but its parts hold " +
                              std::to_string(total));
  }
  if (record.offset == 0) {
    record.compression =
        all_compressed ? compress::Compression::kZstd : compress::Compression::kNone;
  }
  RollingSha256 hash;
  std::unique_ptr<DataAppender> data;
  if (Status opened = OpenForAppendAt(record, &hash, &data); !opened.ok()) return opened;

  uint64_t base = 0;
  for (const UploadRecord& part : parts) {
    const uint64_t end = base + part.offset;
    if (end <= record.offset) {  // joined before a stop or a crash
      base = end;
      continue;
    }
    if (base != record.offset) {
      return Status::Corruption("final upload " + id + ": offset " + std::to_string(record.offset) +
                                " is not at a part boundary");
    }
    std::vector<FrameStart> frames;
    bool stopped = false;
    Status status = CopyPart(part, record.compression, data.get(), &hash, &frames, lease, &stopped);
    if (status.ok() && !stopped) {
      status = CommitJoinedPart(&record, base, end, frames, hash, data.get(), now);
    }
    if (!status.ok() || stopped) {
      // Back to the last part boundary, where the next attempt starts.
      if (Status cut = data->Truncate(record.data_length); !cut.ok()) {
        LogProblem(cut.ToString(), {{"upload_id", record.id}});
      }
      if (!status.ok()) return status;
      *result = AssemblyResult::kStopped;
      return Status::Ok();
    }
    base = end;
  }
  if (Status completed = CompleteFinal(std::move(record), parts, total, hash, now);
      !completed.ok()) {
    return completed;
  }
  *result = AssemblyResult::kComplete;
  if (options_.remove_parts_after_concat) RemoveJoinedParts(parts, now);
  return Status::Ok();
}

Status UploadStore::CommitJoinedPart(UploadRecord* record, uint64_t part_base, uint64_t end,
                                     const std::vector<FrameStart>& frames,
                                     const RollingSha256& hash, DataAppender* data, int64_t now) {
  StateBatch batch;
  if (Status synced = data->Sync(&batch); !synced.ok()) return synced;
  UploadRecord next = *record;
  next.offset = end;
  next.data_length = data->Size();
  next.updated_at = now;
  for (const FrameStart& frame : frames) {
    StageFrameStart(&batch, next.id,
                    {part_base + frame.offset, record->data_length + frame.data_offset});
  }
  batch.PutRecord(next);
  batch.PutHashState(next.id, hash.Serialize());
  if (Status written = state_->Write(batch); !written.ok()) return written;
  CountStored(record, &next);
  *record = std::move(next);
  return Status::Ok();
}

Status UploadStore::CompleteFinal(UploadRecord record, const std::vector<UploadRecord>& parts,
                                  uint64_t total, const RollingSha256& hash, int64_t now) {
  // Every byte is in and durable: complete it, in the batch that also queues its prediction.
  UploadRecord next = record;
  next.length = total;
  next.state = UploadState::kComplete;
  next.sha256 = hash.HexDigest();
  next.updated_at = now;
  StateBatch batch;
  std::unique_lock<std::mutex> staged = pipeline_->StageCompletion(&next, &batch);
  batch.PutRecord(next);
  batch.DeleteHashState(next.id);
  for (const UploadRecord& part : parts) StageDropConcatWait(&batch, part.id, next.id);
  Status status = state_->Write(batch);
  staged.unlock();
  if (!status.ok()) return status;
  pipeline_->NotifyQueued();
  return Status::Ok();
}

Status UploadStore::CopyPart(const UploadRecord& part, compress::Compression compression,
                             DataAppender* data, RollingSha256* hash,
                             std::vector<FrameStart>* frames, const UploadLockTable::Lease& lease,
                             bool* stopped) const {
  if (compression == compress::Compression::kZstd) {
    return CopyFrames(part, data, hash, frames, lease, stopped);
  }
  return CopyDecoded(part, data, hash, lease, stopped);
}

Status UploadStore::CopyFrames(const UploadRecord& part, DataAppender* data, RollingSha256* hash,
                               std::vector<FrameStart>* frames, const UploadLockTable::Lease& lease,
                               bool* stopped) const {
  // Frames are independent, so the part's frames are valid frames of the final as they are.
  if (Status listed = ListFrames(*state_, part.id, frames); !listed.ok()) return listed;
  if (part.offset > 0 && (frames->empty() || frames->front() != FrameStart{0, 0})) {
    return Status::Corruption("part " + part.id + ": frame index does not start at 0");
  }
  std::unique_ptr<DataReader> source;
  if (Status opened = data_->OpenReader(part.id, part.data_length, &source); !opened.ok()) {
    return opened;
  }
  std::unique_ptr<char[]> buffer(new char[kCopyBytes]);
  std::span<char> piece(buffer.get(), kCopyBytes);
  // The raw copy is decoded on the way, so one read of each part also yields its SHA-256.
  compress::FrameDecoder decoder;
  const compress::FrameDecoder::Sink to_hash = [hash](std::span<const char> bytes) {
    hash->Update(bytes);
  };
  for (uint64_t at = 0; at < part.data_length;) {
    if (lease.stop_requested()) {
      *stopped = true;
      return Status::Ok();
    }
    size_t read = 0;
    if (Status got = source->ReadAt(at, piece, &read); !got.ok()) return got;
    if (read == 0) return Status::Corruption("part " + part.id + ": data file ends early");
    if (Status fed = decoder.Feed(piece.first(read), to_hash); !fed.ok()) {
      return Status::Corruption("part " + part.id + ": " + fed.message());
    }
    if (Status written = data->Append(piece.first(read)); !written.ok()) return written;
    at += read;
  }
  if (!decoder.at_frame_end()) {
    return Status::Corruption("part " + part.id + ": data ends inside a zstd frame");
  }
  return Status::Ok();
}

Status UploadStore::CopyDecoded(const UploadRecord& part, DataAppender* data, RollingSha256* hash,
                                const UploadLockTable::Lease& lease, bool* stopped) const {
  std::unique_ptr<UploadReader> reader;
  if (Status opened = OpenReader(part.id, &reader); !opened.ok()) return opened;
  std::unique_ptr<char[]> buffer(new char[kCopyBytes]);
  std::span<char> piece(buffer.get(), kCopyBytes);
  for (uint64_t at = 0; at < part.offset;) {
    if (lease.stop_requested()) {
      *stopped = true;
      return Status::Ok();
    }
    size_t read = 0;
    if (Status got = reader->Read(at, piece, &read); !got.ok()) return got;
    if (read == 0) return Status::Corruption("part " + part.id + ": data ends early");
    hash->Update(piece.first(read));
    if (Status written = data->Append(piece.first(read)); !written.ok()) return written;
    at += read;
  }
  return Status::Ok();
}

void UploadStore::RemoveJoinedParts(const std::vector<UploadRecord>& parts, int64_t now) {
  for (const UploadRecord& part : parts) {
    std::vector<std::string> waiting;
    if (!FinalsWaitingOn(*state_, part.id, &waiting).ok() || !waiting.empty()) continue;
    // A part in use right now (a HEAD, another final joining it) stays; it is only space.
    std::optional<UploadLockTable::Lease> part_lease = locks_.TryAcquire(part.id, [] {});
    if (!part_lease) continue;
    UploadRecord current;
    if (!Get(part.id, &current).ok() || Gone(current.state)) continue;
    if (Status retired = Retire(std::move(current), UploadState::kTerminated, now, std::nullopt);
        !retired.ok()) {
      LogProblem("removing joined part " + part.id + ": " + retired.ToString(),
                 {{"upload_id", part.id}});
    }
  }
}

}  // namespace tuskd::store
