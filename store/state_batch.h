// StateBatch: the writes of one state change (a commit, a creation, a retirement), applied all
// or nothing by StateStore::Write. A plain value, independent of the backend; the typed helpers
// are the key layouts of docs/storage-format.md, so every writer encodes keys the same way.
// Not thread-safe: one thread fills a batch.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/state_family.h"
#include "store/upload_record.h"

namespace tuskd::store {

class StateBatch {
 public:
  struct Op {
    enum class Kind { kPut, kDelete };
    Kind kind;
    Family family;
    std::string key;
    std::string value;  // empty for kDelete
  };

  void Put(Family family, std::string_view key, std::string_view value);
  void Delete(Family family, std::string_view key);

  void PutRecord(const UploadRecord& record);
  void PutHashState(const std::string& id, const std::string& blob);
  void DeleteHashState(const std::string& id);
  // Moves the upload's expiry entry from `before` to `after` (either may be absent).
  void MoveExpiry(const std::string& id, std::optional<int64_t> before,
                  std::optional<int64_t> after);
  void DeleteExpiryKey(std::string_view key);

  // In the order they were staged; a later op on the same key wins.
  const std::vector<Op>& ops() const { return ops_; }
  bool empty() const { return ops_.empty(); }

 private:
  std::vector<Op> ops_;
};

}  // namespace tuskd::store
