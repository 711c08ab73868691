// Concatenation in the store (UploadStore, declared in store/upload_store.h): creating a final
// upload over its parts, and joining the parts' bytes into it once they are all complete.
// The final gets its own copy of the bytes, so parts can be reused, deleted or expire without
// touching it, and GET, ranges, predictors and tuskctl verify treat it as any upload.
#include <algorithm>
#include <memory>

#include "base/log.h"
#include "compress/frame_decoder.h"
#include "store/compressed_reader.h"
#include "store/concat_waits.h"
#include "store/state_db.h"
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
    if (part.concat != "partial") return Status::Invalid("part " + part_id + " is not partial");
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
  record->compression = "none";
  record->compression_auto = false;
  return Status::Ok();
}

void UploadStore::SetFinalListener(std::function<void(const std::string&)> listener) {
  final_listener_ = std::move(listener);
}

void UploadStore::NotifyPartChanged(const std::string& part_id) {
  if (!final_listener_) return;
  std::vector<std::string> finals;
  if (Status found = FinalsWaitingOn(*db_, part_id, &finals); !found.ok()) {
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
    if (record.concat == "final" && record.state == UploadState::kReceiving) {
      ids->push_back(record.id);
    }
  }
  return Status::Ok();
}

Status UploadStore::AssembleFinal(const std::string& id, const UploadLockTable::Lease& lease,
                                  int64_t now, AssemblyResult* result) {
  UploadRecord record;
  if (Status found = Get(id, &record); !found.ok()) return found;
  if (record.concat != "final") return Status::Invalid("upload " + id + " is not a final upload");
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
    if (!part.complete()) {
      *result = AssemblyResult::kWaiting;
      return Status::Ok();
    }
    parts.push_back(std::move(part));
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
    all_compressed = all_compressed && part.compression == "zstd";
  }
  if (record.length && *record.length != total) {
    return Status::Corruption("final upload " + id + " has length " +
                              std::to_string(*record.length) + " but its parts hold " +
                              std::to_string(total));
  }
  if (record.offset == 0) record.compression = all_compressed ? "zstd" : "none";

  RollingSha256 hash;
  std::unique_ptr<DataFile> file;
  Status status = OpenForAppendAt(record, &hash, &file);
  if (!status.ok()) return status;

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
    status = CopyPart(part, record.compression, file.get(), &hash, &frames, lease, &stopped);
    if (status.ok() && !stopped) status = file->Sync();
    if (!status.ok() || stopped) {
      // Back to the last part boundary, where the next attempt starts.
      if (Status cut = file->Truncate(record.data_length); !cut.ok()) {
        LogProblem(cut.ToString(), {{"upload_id", record.id}});
      }
      if (!status.ok()) return status;
      *result = AssemblyResult::kStopped;
      return Status::Ok();
    }
    UploadRecord next = record;
    next.offset = end;
    next.data_length = file->Size();
    next.updated_at = now;
    StateBatch batch = db_->NewBatch();
    for (const FrameStart& frame : frames) {
      StageFrameStart(&batch, id, {base + frame.offset, record.data_length + frame.data_offset});
    }
    batch.PutRecord(next);
    batch.PutHashState(id, hash.Serialize());
    if (status = db_->Write(&batch); !status.ok()) return status;
    CountStored(&record, &next);
    record = std::move(next);
    base = end;
  }

  // Every byte is in and durable: complete it, in the batch that also queues its prediction.
  UploadRecord next = record;
  next.length = total;
  next.state = UploadState::kComplete;
  next.sha256 = hash.HexDigest();
  next.updated_at = now;
  StateBatch batch = db_->NewBatch();
  std::unique_lock<std::mutex> staged = pipeline_->StageCompletion(&next, &batch);
  batch.PutRecord(next);
  batch.DeleteHashState(id);
  for (const UploadRecord& part : parts) StageDropConcatWait(&batch, part.id, id);
  status = db_->Write(&batch);
  staged.unlock();
  if (!status.ok()) return status;
  pipeline_->NotifyQueued();
  *result = AssemblyResult::kComplete;
  if (options_.remove_parts_after_concat) RemoveJoinedParts(parts, now);
  return Status::Ok();
}

Status UploadStore::CopyPart(const UploadRecord& part, const std::string& compression,
                             DataFile* file, RollingSha256* hash, std::vector<FrameStart>* frames,
                             const UploadLockTable::Lease& lease, bool* stopped) const {
  std::unique_ptr<char[]> buffer(new char[kCopyBytes]);
  std::span<char> piece(buffer.get(), kCopyBytes);
  if (compression == "zstd") {
    // Frames are independent, so the part's frames are valid frames of the final as they are.
    if (Status listed = ListFrames(*db_, part.id, frames); !listed.ok()) return listed;
    if (part.offset > 0 && (frames->empty() || frames->front() != FrameStart{0, 0})) {
      return Status::Corruption("part " + part.id + ": frame index does not start at 0");
    }
    std::unique_ptr<DataFile> source;
    if (Status opened = options_.fs->OpenForRead(DataPath(part.id), &source); !opened.ok()) {
      return opened;
    }
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
      size_t want = static_cast<size_t>(std::min<uint64_t>(kCopyBytes, part.data_length - at));
      if (Status got = source->ReadAt(at, piece.first(want), &read); !got.ok()) return got;
      if (read == 0) return Status::Corruption("part " + part.id + ": data file ends early");
      if (Status fed = decoder.Feed(piece.first(read), to_hash); !fed.ok()) {
        return Status::Corruption("part " + part.id + ": " + fed.message());
      }
      if (Status written = file->Append(piece.first(read)); !written.ok()) return written;
      at += read;
    }
    if (!decoder.at_frame_end()) {
      return Status::Corruption("part " + part.id + ": data ends inside a zstd frame");
    }
    return Status::Ok();
  }
  std::unique_ptr<UploadReader> reader;
  if (Status opened = OpenReader(part.id, &reader); !opened.ok()) return opened;
  for (uint64_t at = 0; at < part.offset;) {
    if (lease.stop_requested()) {
      *stopped = true;
      return Status::Ok();
    }
    size_t read = 0;
    if (Status got = reader->Read(at, piece, &read); !got.ok()) return got;
    if (read == 0) return Status::Corruption("part " + part.id + ": data ends early");
    hash->Update(piece.first(read));
    if (Status written = file->Append(piece.first(read)); !written.ok()) return written;
    at += read;
  }
  return Status::Ok();
}

void UploadStore::RemoveJoinedParts(const std::vector<UploadRecord>& parts, int64_t now) {
  for (const UploadRecord& part : parts) {
    std::vector<std::string> waiting;
    if (!FinalsWaitingOn(*db_, part.id, &waiting).ok() || !waiting.empty()) continue;
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
