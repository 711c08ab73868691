#include "store/upload_store.h"

#include <stdexcept>

#include "base/log.h"
#include "store/compressed_reader.h"
#include "store/concat_waits.h"
#include "store/local/local_data_store.h"
#include "store/rocksdb/rocks_state_store.h"
#include "store/rolling_sha256.h"
#include "store/upload_id.h"

namespace tuskd::store {
namespace {

bool Finished(UploadState state) {
  return state == UploadState::kTerminated || state == UploadState::kExpired;
}

Status ValidateSpec(const NewUpload& spec) {
  if ((spec.concat == ConcatKind::kFinal) != !spec.concat_parts.empty()) {
    return Status::Invalid("a final upload, and only a final upload, names parts");
  }
  if (spec.concat == ConcatKind::kFinal && spec.length) {
    return Status::Invalid("a final upload takes its length from its parts");
  }
  return Status::Ok();
}

// Resolves `auto` by the declared media type; the first piece may still turn it off.
void ChooseCompression(const NewUpload& spec, UploadRecord* record) {
  using compress::Compression;
  switch (spec.compression) {
    case compress::CompressionMode::kNone:
      record->compression = Compression::kNone;
      break;
    case compress::CompressionMode::kZstd:
      record->compression = Compression::kZstd;
      break;
    case compress::CompressionMode::kAuto: {
      bool skip = compress::IsIncompressibleMediaType(compress::DeclaredMediaType(spec.metadata));
      record->compression = skip ? Compression::kNone : Compression::kZstd;
      record->compression_auto = !skip;
      break;
    }
  }
}

}  // namespace

UploadStore::UploadStore(const StoreOptions& options, std::unique_ptr<StateStore> state,
                         std::unique_ptr<DataStore> data)
    : options_(options), state_(std::move(state)), data_(std::move(data)) {
  pipeline_ = std::make_unique<CompletionPipeline>(state_.get());
}

UploadStore::~UploadStore() = default;

Status UploadStore::Open(const StoreOptions& options, std::unique_ptr<UploadStore>* out) {
  if (options.data_dir.empty()) return Status::Invalid("store: data_dir is empty");
  if (options.fs == nullptr) return Status::Invalid("store: no file system");
  for (const char* sub : {"/uploads", "/db"}) {
    if (Status made = options.fs->CreateDirs(options.data_dir + sub); !made.ok()) return made;
  }
  std::unique_ptr<RocksStateStore> state;
  if (Status opened = RocksStateStore::Open(options.data_dir + "/db", &state); !opened.ok()) {
    return opened;
  }
  auto data = std::make_unique<LocalDataStore>(options.fs, options.data_dir + "/uploads");
  return Open(options, std::move(state), std::move(data), out);
}

Status UploadStore::Open(const StoreOptions& options, std::unique_ptr<StateStore> state,
                         std::unique_ptr<DataStore> data, std::unique_ptr<UploadStore>* out) {
  if (!state || !data) return Status::Invalid("store: a state store and a data store are needed");
  std::unique_ptr<UploadStore> store(new UploadStore(options, std::move(state), std::move(data)));
  if (Status recovered = store->Recover(); !recovered.ok()) return recovered;
  *out = std::move(store);
  return Status::Ok();
}

Status UploadStore::NewRecord(const NewUpload& spec, int64_t now, UploadRecord* record,
                              std::vector<std::string>* waiting_on) const {
  if (Status valid = ValidateSpec(spec); !valid.ok()) return valid;
  try {
    record->id = NewUploadId();
  } catch (const std::runtime_error& e) {
    return Status::IOError(e.what());
  }
  record->length = spec.length;
  record->metadata_raw = spec.metadata_raw;
  record->metadata = spec.metadata;
  record->created_at = record->updated_at = now;
  record->concat = spec.concat;
  ChooseCompression(spec, record);
  if (record->final_upload()) {
    if (Status prepared = PrepareFinal(spec, record, waiting_on); !prepared.ok()) return prepared;
  }
  if (record->length == 0u) {
    record->state = UploadState::kComplete;  // nothing will ever be appended
    record->sha256 = RollingSha256().HexDigest();
  } else if (options_.expiration_seconds > 0 && !record->final_upload()) {
    record->expires_at = now + options_.expiration_seconds;
  }
  return Status::Ok();
}

std::string UploadStore::DataPath(const std::string& id) const { return data_->Location(id); }

Status UploadStore::Create(const NewUpload& spec, int64_t now, UploadRecord* out) {
  UploadRecord record;
  std::vector<std::string> waiting_on;
  if (Status made = NewRecord(spec, now, &record, &waiting_on); !made.ok()) return made;

  // The data object exists (durably) before the record that names it.
  if (Status made = data_->Create(record.id); !made.ok()) return made;

  StateBatch batch;
  std::unique_lock<std::mutex> staged;  // a 0-byte upload completes here
  // Partial uploads are pieces of a file, not files: no prediction for them.
  if (record.complete() && !record.partial()) {
    staged = pipeline_->StageCompletion(&record, &batch);
  }
  for (const std::string& part_id : waiting_on) StageConcatWait(&batch, part_id, record.id);
  batch.PutRecord(record);
  if (record.state == UploadState::kReceiving) {
    batch.PutHashState(record.id, RollingSha256().Serialize());
  }
  batch.MoveExpiry(record.id, std::nullopt, record.expires_at);
  Status status = state_->Write(batch);
  if (staged.owns_lock()) {
    staged.unlock();
    pipeline_->NotifyQueued();
  }
  if (!status.ok()) {
    // An orphan object is harmless (recovery removes it); try anyway.
    if (Status removed = data_->Remove(record.id); !removed.ok()) {
      Log(LogLevel::kWarn, kStoreLog, removed.ToString() + " (recovery retries)",
          {{"upload_id", record.id}});
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
  return state_->GetRecord(id, out);
}

Status UploadStore::OpenWriter(const std::string& id, std::unique_ptr<UploadWriter>* out) {
  UploadRecord record;
  if (Status found = Get(id, &record); !found.ok()) return found;
  if (!locks_.IsHeld(id)) return Status::Invalid("OpenWriter without the upload's lease");
  if (record.state != UploadState::kReceiving) {
    return Status::Invalid("upload " + id + " is " + std::string(ToString(record.state)));
  }
  RollingSha256 hash;
  std::unique_ptr<DataAppender> data;
  if (Status opened = OpenForAppendAt(record, &hash, &data); !opened.ok()) return opened;
  out->reset(new UploadWriter(this, std::move(record), hash, std::move(data)));
  return Status::Ok();
}

Status UploadStore::OpenForAppendAt(const UploadRecord& record, RollingSha256* hash,
                                    std::unique_ptr<DataAppender>* data) {
  const std::string& id = record.id;
  std::string blob;
  Status status = state_->Get(Family::kHashState, id, &blob);
  if (status.IsNotFound()) return Status::Corruption("upload " + id + " has no hash state");
  if (!status.ok()) return status;
  if (status = RollingSha256::Deserialize(blob, record.offset, hash); !status.ok()) {
    return Status::Corruption("upload " + id + ": " + status.message());
  }
  return data_->OpenAppender(id, record.data_length, data);
}

Status UploadStore::OpenReader(const std::string& id, std::unique_ptr<UploadReader>* out) const {
  UploadRecord record;
  if (Status found = Get(id, &record); !found.ok()) return found;
  if (Finished(record.state)) {
    return Status::NotFound("upload " + id + " is " + std::string(ToString(record.state)));
  }
  std::unique_ptr<DataReader> data;
  if (Status opened = data_->OpenReader(id, record.data_length, &data); !opened.ok()) {
    return opened;
  }
  if (record.compressed()) {
    auto compressed = std::make_unique<CompressedReader>(state_.get(), id, std::move(data),
                                                         record.offset, record.data_length);
    out->reset(new UploadReader(std::move(compressed), record.offset));
  } else {
    out->reset(new UploadReader(std::move(data), record.offset));
  }
  return Status::Ok();
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
  return state_->Scan(Family::kUploads, "", "",
                      [out](std::string_view key, std::string_view value) {
                        std::optional<UploadRecord> record = ParseRecord(value);
                        if (record) {
                          out->push_back(std::move(*record));
                        } else {
                          Log(LogLevel::kWarn, kStoreLog,
                              "list: record " + std::string(key) + " does not parse; skipped");
                        }
                        return true;
                      });
}

}  // namespace tuskd::store
