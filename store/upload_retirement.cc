// Retirement: termination (DELETE) and expiry. A retired upload keeps its record as a
// tombstone (410 for later requests) and loses its data, its hash state and its index entries,
// all in one batch; the data object is removed after the batch, so a crash in between leaves
// an object that recovery removes, never a live record without its data.
#include "base/log.h"
#include "store/concat_waits.h"
#include "store/expiry_index.h"
#include "store/upload_store.h"

namespace tuskd::store {
namespace {

bool Finished(UploadState state) {
  return state == UploadState::kTerminated || state == UploadState::kExpired;
}

bool Live(UploadState state) {
  return state == UploadState::kReceiving || state == UploadState::kComplete;
}

void LogProblem(const std::string& what, const nlohmann::json& fields = nullptr) {
  Log(LogLevel::kWarn, kStoreLog, what, fields);
}

}  // namespace

Status UploadStore::Terminate(const std::string& id, int64_t now) {
  UploadRecord record;
  if (Status found = Get(id, &record); !found.ok()) return found;
  if (!locks_.IsHeld(id)) return Status::Invalid("Terminate without the upload's lease");
  if (Finished(record.state)) return Status::Ok();
  return Retire(std::move(record), UploadState::kTerminated, now, std::nullopt);
}

Status UploadStore::Retire(UploadRecord record, UploadState state, int64_t now,
                           std::optional<std::string> expiry_key) {
  StateBatch batch;
  if (record.compressed()) {
    if (Status staged = StageDropFrames(*state_, record.id, &batch); !staged.ok()) return staged;
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
  if (record.final_upload()) {
    for (const std::string& part_id : record.concat_parts) {
      StageDropConcatWait(&batch, part_id, record.id);
    }
  }
  if (Status written = state_->Write(batch); !written.ok()) return written;
  if (Live(before.state)) CountStored(&before, nullptr);
  if (record.partial()) NotifyPartChanged(record.id);
  if (Status removed = data_->Remove(record.id); !removed.ok()) {
    LogProblem(removed.ToString() + " (recovery retries)", {{"upload_id", record.id}});
  }
  return Status::Ok();
}

Status UploadStore::ForEachDueExpiry(
    int64_t now,
    const std::function<Status(const std::string& key, std::string id, int64_t expires_at)>& visit)
    const {
  Status failure;
  Status scanned =
      state_->Scan(Family::kExpiry, "", "", [&](std::string_view key, std::string_view) {
        int64_t expires_at = 0;
        std::string id;
        if (!ParseExpiryKey(key, &expires_at, &id)) return true;
        if (expires_at > now) return false;  // keys are in time order
        failure = visit(std::string(key), std::move(id), expires_at);
        return failure.ok();
      });
  return failure.ok() ? scanned : failure;
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
    StateBatch batch;  // a stale index entry: drop it
    batch.DeleteExpiryKey(key);
    return state_->Write(batch);
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

}  // namespace tuskd::store
