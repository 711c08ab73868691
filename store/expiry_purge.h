// Purging expired uploads with a report of which ones: what `tuskctl purge-expired` asks for,
// through tuskd's admin endpoint while tuskd runs, or directly on a stopped store. The periodic
// sweep (UploadStore::SweepExpired) only counts; people want names. Thread-safe, as
// UploadStore is.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/status.h"
#include "store/upload_store.h"

namespace tuskd::store {

// Lists the uploads due for expiry at `now` (UploadStore::ListExpired) and, unless `dry_run`,
// expires them. *ids: the uploads that are expired now (for a dry run: would be). An upload
// that a request leases meanwhile is skipped, as by the sweep.
Status PurgeExpired(UploadStore& store, int64_t now, bool dry_run, std::vector<std::string>* ids);

}  // namespace tuskd::store
