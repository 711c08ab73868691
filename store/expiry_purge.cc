#include "store/expiry_purge.h"

namespace tuskd::store {

Status PurgeExpired(UploadStore& store, int64_t now, bool dry_run, std::vector<std::string>* ids) {
  std::vector<std::string> due;
  if (Status listed = store.ListExpired(now, &due); !listed.ok()) return listed;
  ids->clear();
  if (dry_run) {
    *ids = std::move(due);
    return Status::Ok();
  }
  size_t count = 0;
  if (Status swept = store.SweepExpired(now, &count); !swept.ok()) return swept;
  // The sweep uses the same `now`, so it expires exactly the due uploads, less any that a
  // request leased in between; reading each back reports what really happened.
  for (std::string& id : due) {
    UploadRecord record;
    if (store.Get(id, &record).ok() && record.state == UploadState::kExpired) {
      ids->push_back(std::move(id));
    }
  }
  return Status::Ok();
}

}  // namespace tuskd::store
