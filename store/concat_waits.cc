#include "store/concat_waits.h"

#include <memory>

namespace tuskd::store {
namespace {

constexpr std::string_view kPrefix = "concat-wait/";

std::string PartPrefix(std::string_view part_id) {
  std::string key(kPrefix);
  key.append(part_id);
  key.push_back('/');
  return key;
}

}  // namespace

void StageConcatWait(StateBatch* batch, std::string_view part_id, std::string_view final_id) {
  batch->Put(Family::kMeta, PartPrefix(part_id).append(final_id), "");
}

void StageDropConcatWait(StateBatch* batch, std::string_view part_id, std::string_view final_id) {
  batch->Delete(Family::kMeta, PartPrefix(part_id).append(final_id));
}

Status FinalsWaitingOn(const StateDb& db, std::string_view part_id,
                       std::vector<std::string>* finals) {
  finals->clear();
  const std::string prefix = PartPrefix(part_id);
  std::unique_ptr<rocksdb::Iterator> it = db.NewIterator(Family::kMeta);
  for (it->Seek(prefix); it->Valid(); it->Next()) {
    std::string_view key = it->key().ToStringView();
    if (key.substr(0, prefix.size()) != prefix) break;
    finals->emplace_back(key.substr(prefix.size()));
  }
  return FromRocks(it->status(), "scan of the concatenation waits");
}

}  // namespace tuskd::store
