#include "store/upload_store.h"

#include <stdexcept>

#include "base/log.h"
#include "store/compressed_reader.h"
#include "store/concat_waits.h"
#include "store/state_db.h"
#include "store/upload_id.h"

namespace tuskd::store {
namespace {

// Recovery and sweep problems that must not stop the server are reported here; tuskctl verify
// finds the same records later. Warnings: the server carries on.
void LogProblem(const std::string& what, const nlohmann::json& fields = nullptr) {
  Log(LogLevel::kWarn, kStoreLog, what, fields);
}

bool Finished(UploadState state) {
  return state == UploadState::kTerminated || state == UploadState::kExpired;
}

Status ValidateSpec(const NewUpload& spec) {
  if (spec.concat != "" && spec.concat != "partial" && spec.concat != "final") {
    return Status::Invalid("unknown concat kind '" + spec.concat + "'");
  }
  if ((spec.concat == "final") != !spec.concat_parts.empty()) {
    return Status::Invalid("a final upload, and only a final upload, names parts");
  }
  if (spec.concat == "final" && spec.length) {
    return Status::Invalid("a final upload takes its length from its parts");
  }
  if (!compress::CompressionModeFromString(spec.compression)) {
    return Status::Invalid("unknown compression '" + spec.compression + "'");
  }
  return Status::Ok();
}

// Resolves `auto` by the declared media type; the first piece may still turn it off.
void ChooseCompression(const NewUpload& spec, UploadRecord* record) {
  switch (*compress::CompressionModeFromString(spec.compression)) {
    case compress::CompressionMode::kNone:
      record->compression = "none";
      break;
    case compress::CompressionMode::kZstd:
      record->compression = "zstd";
      break;
    case compress::CompressionMode::kAuto: {
      bool skip = compress::IsIncompressibleMediaType(compress::DeclaredMediaType(spec.metadata));
      record->compression = skip ? "none" : "zstd";
      record->compression_auto = !skip;
      break;
    }
  }
}

bool Live(UploadState state) {
  return state == UploadState::kReceiving || state == UploadState::kComplete;
}

}  // namespace

UploadStore::UploadStore(const StoreOptions& options) : options_(options) {}

UploadStore::~UploadStore() = default;

Status UploadStore::Open(const StoreOptions& options, std::unique_ptr<UploadStore>* out) {
  if (options.data_dir.empty()) return Status::Invalid("store: data_dir is empty");
  if (options.fs == nullptr) return Status::Invalid("store: no file system");
  std::unique_ptr<UploadStore> store(new UploadStore(options));
  for (const char* sub : {"/uploads", "/db"}) {
    if (Status made = options.fs->CreateDirs(options.data_dir + sub); !made.ok()) return made;
  }
  if (Status opened = StateDb::Open(options.data_dir + "/db", &store->db_); !opened.ok()) {
    return opened;
  }
  store->pipeline_ = std::make_unique<CompletionPipeline>(store->db_.get());
  if (Status recovered = store->Recover(); !recovered.ok()) return recovered;
  *out = std::move(store);
  return Status::Ok();
}

std::string UploadStore::DataPath(const std::string& id) const {
  return options_.data_dir + "/uploads/" + id;
}

Status UploadStore::Recover() {
  auto it = db_->NewIterator(Family::kUploads);
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    std::optional<UploadRecord> record = ParseRecord(it->value().ToStringView());
    if (!record || record->id != it->key().ToStringView()) {
      LogProblem("recovery: record " + it->key().ToString() + " does not parse; left as is");
    } else if (record->state == UploadState::kReceiving) {
      RecoverDataFile(*record);
      CountStored(nullptr, &*record);
    } else if (record->state == UploadState::kComplete) {
      CountStored(nullptr, &*record);
    } else if (Finished(record->state)) {
      // Terminate and the sweep remove the file after their batch; finish a removal that a
      // crash interrupted.
      if (Status removed = options_.fs->Remove(DataPath(record->id)); !removed.ok()) {
        LogProblem("recovery: " + removed.ToString());
      }
    }
  }
  if (Status scanned = FromRocks(it->status(), "recovery scan of uploads"); !scanned.ok()) {
    return scanned;
  }
  return RemoveOrphanFiles();
}

Status UploadStore::RemoveOrphanFiles() {
  // Create makes the file before the batch that names it; a crash (or a failed batch whose
  // clean-up failed too) between the two leaves a file no record knows. Nothing is in flight
  // during recovery, so such a file is garbage.
  const std::string dir = options_.data_dir + "/uploads";
  return options_.fs->ForEachFile(dir, [&](const std::string& name) {
    if (!IsValidUploadId(name)) return;  // not ours: leave it to whoever put it there
    UploadRecord record;
    if (!db_->GetRecord(name, &record).IsNotFound()) return;
    if (Status removed = options_.fs->Remove(dir + "/" + name); !removed.ok()) {
      LogProblem("recovery: " + removed.ToString());
    } else {
      LogProblem("recovery: removed data file " + name + ", which no upload record names");
    }
  });
}

void UploadStore::RecoverDataFile(const UploadRecord& record) {
  // Invariant I3: bytes past the committed data length were never acknowledged; dropping them
  // keeps the file in step with the saved hash state.
  const std::string path = DataPath(record.id);
  uint64_t size = 0;
  Status status = options_.fs->FileSize(path, &size);
  if (!status.ok()) {
    LogProblem("recovery: upload " + record.id + ": " + status.ToString(),
               {{"upload_id", record.id}});
  } else if (size < record.data_length) {
    LogProblem("recovery: upload " + record.id + ": data file has " + std::to_string(size) +
                   " bytes, record says " + std::to_string(record.data_length),
               {{"upload_id", record.id}});
  } else if (size > record.data_length) {
    status = options_.fs->Truncate(path, record.data_length);
    if (!status.ok()) LogProblem("recovery: " + status.ToString(), {{"upload_id", record.id}});
  }
}

Status UploadStore::Create(const NewUpload& spec, int64_t now, UploadRecord* out) {
  if (Status valid = ValidateSpec(spec); !valid.ok()) return valid;
  UploadRecord record;
  try {
    record.id = NewUploadId();
  } catch (const std::runtime_error& e) {
    return Status::IOError(e.what());
  }
  record.length = spec.length;
  record.metadata_raw = spec.metadata_raw;
  record.metadata = spec.metadata;
  record.created_at = record.updated_at = now;
  record.concat = spec.concat;
  ChooseCompression(spec, &record);
  std::vector<std::string> waiting_on;
  if (spec.concat == "final") {
    if (Status prepared = PrepareFinal(spec, &record, &waiting_on); !prepared.ok()) {
      return prepared;
    }
  }
  if (record.length == 0u) {
    record.state = UploadState::kComplete;  // nothing will ever be appended
    record.sha256 = RollingSha256().HexDigest();
  } else if (options_.expiration_seconds > 0 && record.concat != "final") {
    record.expires_at = now + options_.expiration_seconds;
  }

  // The file exists (and its directory entry is durable) before the record that names it.
  std::unique_ptr<DataFile> file;
  Status status = options_.fs->OpenForAppend(DataPath(record.id), &file);
  if (status.ok()) status = options_.fs->SyncDir(options_.data_dir + "/uploads");
  if (!status.ok()) return status;
  file.reset();

  StateBatch batch = db_->NewBatch();
  std::unique_lock<std::mutex> staged;  // a 0-byte upload completes here
  // Partial uploads are pieces of a file, not files: no prediction for them.
  if (record.complete() && record.concat != "partial") {
    staged = pipeline_->StageCompletion(&record, &batch);
  }
  for (const std::string& part_id : waiting_on) StageConcatWait(&batch, part_id, record.id);
  batch.PutRecord(record);
  if (record.state == UploadState::kReceiving) {
    batch.PutHashState(record.id, RollingSha256().Serialize());
  }
  batch.MoveExpiry(record.id, std::nullopt, record.expires_at);
  status = db_->Write(&batch);
  if (staged.owns_lock()) {
    staged.unlock();
    pipeline_->NotifyQueued();
  }
  if (!status.ok()) {
    // An orphan file is harmless (recovery removes it); try anyway.
    if (Status removed = options_.fs->Remove(DataPath(record.id)); !removed.ok()) {
      LogProblem(removed.ToString() + " (recovery retries)", {{"upload_id", record.id}});
    }
    return status;
  }
  // A part may have completed between PrepareFinal's look and this batch, before its waiting
  // entry existed: one look after the batch closes that gap.
  if (!waiting_on.empty() && final_listener_) final_listener_(record.id);
  *out = std::move(record);
  return Status::Ok();
}

Status UploadStore::Get(const std::string& id, UploadRecord* out) const {
  if (!IsValidUploadId(id)) return Status::NotFound("invalid upload id");
  return db_->GetRecord(id, out);
}

Status UploadStore::OpenWriter(const std::string& id, std::unique_ptr<UploadWriter>* out) {
  UploadRecord record;
  if (Status found = Get(id, &record); !found.ok()) return found;
  if (!locks_.IsHeld(id)) return Status::Invalid("OpenWriter without the upload's lease");
  if (record.state != UploadState::kReceiving) {
    return Status::Invalid("upload " + id + " is " + std::string(ToString(record.state)));
  }
  if (record.compression != "none" && record.compression != "zstd") {
    return Status::Invalid("upload " + id + " has unknown compression '" + record.compression +
                           "'");
  }
  RollingSha256 hash;
  std::unique_ptr<DataFile> file;
  if (Status opened = OpenForAppendAt(record, &hash, &file); !opened.ok()) return opened;
  out->reset(new UploadWriter(this, std::move(record), hash, std::move(file)));
  return Status::Ok();
}

Status UploadStore::OpenForAppendAt(const UploadRecord& record, RollingSha256* hash,
                                    std::unique_ptr<DataFile>* file) {
  const std::string& id = record.id;
  std::string blob;
  Status status = db_->Get(Family::kHashState, id, &blob);
  if (status.IsNotFound()) return Status::Corruption("upload " + id + " has no hash state");
  if (!status.ok()) return status;
  if (status = RollingSha256::Deserialize(blob, record.offset, hash); !status.ok()) {
    return Status::Corruption("upload " + id + ": " + status.message());
  }
  if (status = options_.fs->OpenForAppend(DataPath(id), file); !status.ok()) return status;
  if ((*file)->Size() > record.data_length) {
    // A tail from a request that failed before its commit (or crashed) is not part of the upload.
    if (status = (*file)->Truncate(record.data_length); !status.ok()) return status;
  } else if ((*file)->Size() < record.data_length) {
    return Status::Corruption("upload " + id + ": data file has " +
                              std::to_string((*file)->Size()) + " bytes, record says " +
                              std::to_string(record.data_length));
  }
  return Status::Ok();
}

Status UploadStore::OpenReader(const std::string& id, std::unique_ptr<UploadReader>* out) const {
  UploadRecord record;
  if (Status found = Get(id, &record); !found.ok()) return found;
  if (Finished(record.state)) {
    return Status::NotFound("upload " + id + " is " + std::string(ToString(record.state)));
  }
  if (record.compression != "none" && record.compression != "zstd") {
    return Status::Invalid("upload " + id + " has unknown compression '" + record.compression +
                           "'");
  }
  std::unique_ptr<DataFile> file;
  if (Status opened = options_.fs->OpenForRead(DataPath(id), &file); !opened.ok()) return opened;
  if (file->Size() < record.data_length) {
    return Status::Corruption("upload " + id + ": data file is shorter than its record");
  }
  if (record.compression == "zstd") {
    auto compressed = std::make_unique<CompressedReader>(db_.get(), id, std::move(file),
                                                         record.offset, record.data_length);
    out->reset(new UploadReader(std::move(compressed), record.offset));
  } else {
    out->reset(new UploadReader(std::move(file), record.offset));
  }
  return Status::Ok();
}

Status UploadStore::Terminate(const std::string& id, int64_t now) {
  UploadRecord record;
  if (Status found = Get(id, &record); !found.ok()) return found;
  if (!locks_.IsHeld(id)) return Status::Invalid("Terminate without the upload's lease");
  if (Finished(record.state)) return Status::Ok();
  return Retire(std::move(record), UploadState::kTerminated, now, std::nullopt);
}

Status UploadStore::Retire(UploadRecord record, UploadState state, int64_t now,
                           std::optional<std::string> expiry_key) {
  StateBatch batch = db_->NewBatch();
  if (record.compression == "zstd") {
    if (Status staged = StageDropFrames(*db_, record.id, &batch); !staged.ok()) return staged;
  }
  const UploadRecord before = record;
  if (expiry_key) {
    batch.DeleteExpiryKey(*expiry_key);
  } else {
    batch.MoveExpiry(record.id, record.expires_at, std::nullopt);
  }
  record.state = state;
  record.expires_at.reset();
  record.updated_at = now;
  batch.PutRecord(record);
  batch.DeleteHashState(record.id);
  if (record.concat == "final") {
    for (const std::string& part_id : record.concat_parts) {
      StageDropConcatWait(&batch, part_id, record.id);
    }
  }
  if (Status written = db_->Write(&batch); !written.ok()) return written;
  if (Live(before.state)) CountStored(&before, nullptr);
  if (record.concat == "partial") NotifyPartChanged(record.id);
  // After the batch: a crash here leaves a file that recovery removes, never a live record
  // without its file.
  if (Status removed = options_.fs->Remove(DataPath(record.id)); !removed.ok()) {
    LogProblem(removed.ToString() + " (recovery retries)", {{"upload_id", record.id}});
  }
  return Status::Ok();
}

Status UploadStore::ForEachDueExpiry(
    int64_t now,
    const std::function<Status(const std::string& key, std::string id, int64_t expires_at)>& visit)
    const {
  auto it = db_->NewIterator(Family::kExpiry);
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    int64_t expires_at = 0;
    std::string id;
    if (!ParseExpiryKey(it->key().ToStringView(), &expires_at, &id)) continue;
    if (expires_at > now) break;  // keys are in time order
    if (Status status = visit(it->key().ToString(), std::move(id), expires_at); !status.ok()) {
      return status;
    }
  }
  return FromRocks(it->status(), "expiry scan");
}

bool UploadStore::IsExpirable(const UploadRecord& record, int64_t key_time) {
  return record.state == UploadState::kReceiving && record.expires_at == key_time;
}

Status UploadStore::SweepExpired(int64_t now, size_t* count) {
  *count = 0;
  return ForEachDueExpiry(now, [&](const std::string& key, std::string id, int64_t expires_at) {
    bool expired = false;
    Status status = ExpireOne(key, id, expires_at, now, &expired);
    if (expired) ++*count;
    return status;
  });
}

Status UploadStore::ExpireOne(const std::string& key, const std::string& id, int64_t key_time,
                              int64_t now, bool* expired) {
  // Taking the lease (not just testing it) keeps a request from opening a writer mid-sweep.
  std::optional<UploadLockTable::Lease> lease = locks_.TryAcquire(id, [] {});
  if (!lease) return Status::Ok();  // in use: not idle, whatever the index says
  UploadRecord record;
  Status status = Get(id, &record);
  bool current = status.ok() && IsExpirable(record, key_time);
  if (!current) {
    if (status.IsCorruption()) {
      LogProblem("sweep: " + status.ToString());
      return Status::Ok();
    }
    if (!status.ok() && !status.IsNotFound()) return status;
    StateBatch batch = db_->NewBatch();  // a stale index entry: drop it
    batch.DeleteExpiryKey(key);
    return db_->Write(&batch);
  }
  if (status = Retire(std::move(record), UploadState::kExpired, now, key); !status.ok()) {
    return status;
  }
  *expired = true;
  return Status::Ok();
}

Status UploadStore::ListExpired(int64_t now, std::vector<std::string>* ids) const {
  ids->clear();
  // The same tests as ExpireOne, so a dry run names exactly what a sweep would expire.
  return ForEachDueExpiry(now, [&](const std::string&, std::string id, int64_t expires_at) {
    UploadRecord record;
    if (Get(id, &record).ok() && IsExpirable(record, expires_at) && !locks_.IsHeld(id)) {
      ids->push_back(std::move(id));
    }
    return Status::Ok();
  });
}

void UploadStore::CountStored(const UploadRecord* before, const UploadRecord* after) {
  // Unsigned wrap-around makes a negative step an ordinary addition.
  uint64_t logical = (after ? after->offset : 0) - (before ? before->offset : 0);
  uint64_t stored = (after ? after->data_length : 0) - (before ? before->data_length : 0);
  logical_bytes_.fetch_add(logical, std::memory_order_relaxed);
  stored_bytes_.fetch_add(stored, std::memory_order_relaxed);
}

StorageTotals UploadStore::storage_totals() const {
  return {logical_bytes_.load(std::memory_order_relaxed),
          stored_bytes_.load(std::memory_order_relaxed)};
}

Status UploadStore::ListUploads(std::vector<UploadRecord>* out) const {
  out->clear();
  auto it = db_->NewIterator(Family::kUploads);
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    std::optional<UploadRecord> record = ParseRecord(it->value().ToStringView());
    if (record) {
      out->push_back(std::move(*record));
    } else {
      LogProblem("list: record " + it->key().ToString() + " does not parse; skipped");
    }
  }
  return FromRocks(it->status(), "scan of uploads");
}

}  // namespace tuskd::store
