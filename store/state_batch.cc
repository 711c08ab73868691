#include "store/state_batch.h"

#include "store/expiry_index.h"

namespace tuskd::store {

void StateBatch::Put(Family family, std::string_view key, std::string_view value) {
  ops_.push_back({Op::Kind::kPut, family, std::string(key), std::string(value)});
}

void StateBatch::Delete(Family family, std::string_view key) {
  ops_.push_back({Op::Kind::kDelete, family, std::string(key), {}});
}

void StateBatch::PutRecord(const UploadRecord& record) {
  Put(Family::kUploads, record.id, SerializeRecord(record));
}

void StateBatch::PutHashState(const std::string& id, const std::string& blob) {
  Put(Family::kHashState, id, blob);
}

void StateBatch::DeleteHashState(const std::string& id) { Delete(Family::kHashState, id); }

void StateBatch::MoveExpiry(const std::string& id, std::optional<int64_t> before,
                            std::optional<int64_t> after) {
  if (before == after) return;
  if (before) Delete(Family::kExpiry, ExpiryKey(*before, id));
  if (after) Put(Family::kExpiry, ExpiryKey(*after, id), "");
}

void StateBatch::DeleteExpiryKey(std::string_view key) { Delete(Family::kExpiry, key); }

}  // namespace tuskd::store
