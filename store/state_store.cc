#include "store/state_store.h"

#include <optional>
#include <vector>

namespace tuskd::store {

Status StateStore::GetRecord(const std::string& id, UploadRecord* out) const {
  std::string bytes;
  Status status = Get(Family::kUploads, id, &bytes);
  if (status.IsNotFound()) return Status::NotFound("upload " + id);
  if (!status.ok()) return status;
  std::optional<UploadRecord> record = ParseRecord(bytes);
  if (!record || record->id != id) {
    return Status::Corruption("upload record " + id + " does not parse");
  }
  *out = std::move(*record);
  return Status::Ok();
}

Status StateStore::ListKeys(Family family, std::string_view prefix,
                            std::vector<std::string>* keys) const {
  keys->clear();
  return Scan(family, prefix, prefix, [keys](std::string_view key, std::string_view) {
    keys->emplace_back(key);
    return true;
  });
}

}  // namespace tuskd::store
