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

Status FinalsWaitingOn(const StateStore& state, std::string_view part_id,
                       std::vector<std::string>* finals) {
  finals->clear();
  const std::string prefix = PartPrefix(part_id);
  return state.Scan(Family::kMeta, prefix, prefix, [&](std::string_view key, std::string_view) {
    finals->emplace_back(key.substr(prefix.size()));
    return true;
  });
}

}  // namespace tuskd::store
