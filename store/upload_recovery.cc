// Recovery at open (invariant I3): the state store is the truth; the data objects are brought
// in line with it before any request is served. Nothing is in flight while it runs.
#include "base/log.h"
#include "store/upload_store.h"

namespace tuskd::store {
namespace {

// Problems that must not stop the server are reported; tuskctl verify finds the same records.
void LogProblem(const std::string& what, const nlohmann::json& fields = nullptr) {
  Log(LogLevel::kWarn, kStoreLog, what, fields);
}

}  // namespace

Status UploadStore::Recover() {
  Status scanned =
      state_->Scan(Family::kUploads, "", "", [this](std::string_view key, std::string_view value) {
        std::optional<UploadRecord> record = ParseRecord(value);
        if (!record || record->id != key) {
          LogProblem("recovery: record " + std::string(key) + " does not parse; left as is");
        } else if (record->state == UploadState::kReceiving) {
          RecoverData(*record);
          CountStored(nullptr, &*record);
        } else if (record->state == UploadState::kComplete) {
          CountStored(nullptr, &*record);
        } else if (Status removed = data_->Remove(record->id); !removed.ok()) {
          // Terminate and the sweep remove the data after their batch; this finishes a removal
          // that a crash interrupted.
          LogProblem("recovery: " + removed.ToString());
        }
        return true;
      });
  if (!scanned.ok()) return scanned;
  return RemoveOrphanObjects();
}

Status UploadStore::RemoveOrphanObjects() {
  // Create makes the object before the batch that names it; a crash (or a failed batch whose
  // clean-up failed too) between the two leaves an object no record knows: garbage.
  return data_->ForEachObject([this](const std::string& id) {
    UploadRecord record;
    if (!state_->GetRecord(id, &record).IsNotFound()) return;
    if (Status removed = data_->Remove(id); !removed.ok()) {
      LogProblem("recovery: " + removed.ToString());
    } else {
      LogProblem("recovery: removed data file " + id + ", which no upload record names");
    }
  });
}

void UploadStore::RecoverData(const UploadRecord& record) {
  // Bytes past the committed data length were never acknowledged; dropping them keeps the
  // data in step with the saved hash state.
  Status status = data_->Recover(record.id, record.data_length);
  if (status.IsCorruption()) {
    LogProblem("recovery: " + status.message(), {{"upload_id", record.id}});
  } else if (!status.ok()) {
    LogProblem("recovery: upload " + record.id + ": " + status.ToString(),
               {{"upload_id", record.id}});
  }
}

}  // namespace tuskd::store
