#include "store/schema_version.h"

#include <charconv>
#include <string>

namespace tuskd::store {
namespace {

constexpr char kSchemaKey[] = "schema_version";

}  // namespace

Status CheckSchemaVersion(StateStore& state, bool stamp) {
  std::string value;
  Status found = state.Get(Family::kMeta, kSchemaKey, &value);
  if (found.IsNotFound() && !stamp) return Status::Ok();  // nothing to check, or to write
  if (found.IsNotFound()) {
    StateBatch batch;
    batch.Put(Family::kMeta, kSchemaKey, std::to_string(kSchemaVersion));
    return state.Write(batch);
  }
  if (!found.ok()) return found;
  int version = 0;
  auto [end, err] = std::from_chars(value.data(), value.data() + value.size(), version);
  if (err != std::errc() || end != value.data() + value.size()) {
    return Status::Corruption("meta schema_version is not a number: '" + value + "'");
  }
  if (version > kSchemaVersion) {
    return Status::Invalid("state DB has schema version " + value + ", newer than this build's " +
                           std::to_string(kSchemaVersion));
  }
  return Status::Ok();
}

}  // namespace tuskd::store
