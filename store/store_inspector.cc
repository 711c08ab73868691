#include "store/store_inspector.h"

#include <sys/stat.h>

#include <cerrno>

#include "store/rocksdb/rocks_state_store.h"
#include "store/rocksdb/writer_lock.h"
#include "store/upload_id.h"

namespace tuskd::store {

using nlohmann::json;

namespace {
constexpr size_t kMinPrefix = 4;
}  // namespace

StoreInspector::~StoreInspector() {
  pipeline_.reset();  // refers to db_
  db_.reset();
}

Status StoreInspector::Open(const std::string& data_dir, Mode mode,
                            std::unique_ptr<StoreInspector>* out) {
  const std::string db_path = data_dir + "/db";
  // A read-only open beside a writer is undefined in RocksDB, so any sign of one (now or, for
  // kSecondary, later) means a secondary.
  bool live = mode == Mode::kSecondary || StateDbWriterPid(db_path).has_value();
  std::unique_ptr<StoreInspector> inspector(new StoreInspector());
  inspector->data_dir_ = data_dir;
  inspector->live_ = live;
  Status opened = RocksStateStore::OpenReadOnly(
      db_path, live ? ReadOnlyMode::kSecondary : ReadOnlyMode::kPointInTime, &inspector->db_);
  if (!opened.ok()) return opened;
  inspector->pipeline_ = std::make_unique<CompletionPipeline>(inspector->db_.get());
  *out = std::move(inspector);
  return Status::Ok();
}

Status StoreInspector::Refresh() { return db_->CatchUp(); }

Status StoreInspector::ListUploads(std::vector<UploadRecord>* out,
                                   std::vector<std::string>* unreadable) const {
  out->clear();
  return db_->Scan(Family::kUploads, "", "", [&](std::string_view key, std::string_view value) {
    std::optional<UploadRecord> record = ParseRecord(value);
    if (record && record->id == key) {
      out->push_back(std::move(*record));
    } else if (unreadable != nullptr) {
      unreadable->emplace_back(key);
    }
    return true;
  });
}

Status StoreInspector::GetUpload(const std::string& id, UploadRecord* out) const {
  if (!IsValidUploadId(id)) return Status::NotFound("invalid upload id '" + id + "'");
  return db_->GetRecord(id, out);
}

Status StoreInspector::ResolveId(const std::string& id_or_prefix, std::string* id) const {
  if (IsValidUploadId(id_or_prefix)) {
    *id = id_or_prefix;
    return Status::Ok();
  }
  if (id_or_prefix.size() < kMinPrefix || id_or_prefix.size() > kUploadIdLength) {
    return Status::NotFound("no upload " + id_or_prefix);
  }
  std::vector<std::string> matches;
  if (Status scanned = db_->ListKeys(Family::kUploads, id_or_prefix, &matches); !scanned.ok()) {
    return scanned;
  }
  if (matches.empty()) return Status::NotFound("no upload " + id_or_prefix);
  if (matches.size() > 1) {
    return Status::Invalid("'" + id_or_prefix + "' matches " + std::to_string(matches.size()) +
                           " uploads; give more of the id");
  }
  *id = matches.front();
  return Status::Ok();
}

Status StoreInspector::GetHashState(const std::string& id, std::string* blob) const {
  return db_->Get(Family::kHashState, id, blob);
}

Status StoreInspector::ListPredictions(std::vector<json>* out) const {
  out->clear();
  return db_->Scan(Family::kPredictions, "", "", [out](std::string_view, std::string_view value) {
    json parsed = json::parse(value, nullptr, /*allow_exceptions=*/false);
    if (parsed.is_object()) out->push_back(std::move(parsed));
    return true;
  });
}

Status StoreInspector::PredictionFor(const std::string& sha256, PredictionStatus* out) const {
  return pipeline_->StatusFor(sha256, out);
}

Status StoreInspector::ListJobs(std::vector<PredictionJob>* out) const {
  return pipeline_->ListJobs(out);
}

Status StoreInspector::DataFileSize(const std::string& id, uint64_t* size) const {
  if (!IsValidUploadId(id)) return Status::NotFound("invalid upload id '" + id + "'");
  struct stat info;
  if (::stat(DataPath(id).c_str(), &info) != 0) {
    return Status::FromErrno(errno, "stat " + DataPath(id));
  }
  *size = static_cast<uint64_t>(info.st_size);
  return Status::Ok();
}

std::string StoreInspector::DataPath(const std::string& id) const {
  return data_dir_ + "/uploads/" + id;
}

}  // namespace tuskd::store
