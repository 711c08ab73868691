#include "tests/store/doubles/memory_state_store.h"

#include <vector>

namespace tuskd::store::testing {

Status MemoryStateStore::Get(Family family, std::string_view key, std::string* value) const {
  std::lock_guard lock(contents_->mu);
  const Table& table = contents_->tables[static_cast<size_t>(family)];
  auto it = table.find(key);
  if (it == table.end()) return Status::NotFound(std::string(key));
  *value = it->second;
  return Status::Ok();
}

Status MemoryStateStore::Write(const StateBatch& batch) {
  std::lock_guard lock(contents_->mu);
  if (contents_->failing_writes > 0) {
    --contents_->failing_writes;
    return Status::IOError("memory state store: injected write failure");
  }
  for (const StateBatch::Op& op : batch.ops()) {
    Table& table = contents_->tables[static_cast<size_t>(op.family)];
    if (op.kind == StateBatch::Op::Kind::kPut) {
      table[op.key] = op.value;
    } else {
      table.erase(op.key);
    }
  }
  return Status::Ok();
}

Status MemoryStateStore::Scan(Family family, std::string_view prefix, std::string_view from,
                              const ScanVisitor& visit) const {
  // A copy, so the visitor may write (as the expiry sweep does) without deadlocking.
  std::vector<std::pair<std::string, std::string>> entries;
  {
    std::lock_guard lock(contents_->mu);
    const Table& table = contents_->tables[static_cast<size_t>(family)];
    for (auto it = table.lower_bound(from > prefix ? from : prefix);
         it != table.end() && it->first.starts_with(prefix); ++it) {
      entries.emplace_back(it->first, it->second);
    }
  }
  for (const auto& [key, value] : entries) {
    if (!visit(key, value)) break;
  }
  return Status::Ok();
}

Status MemoryStateStore::FindLastAtOrBefore(Family family, std::string_view prefix,
                                            std::string_view key, std::string* found_key,
                                            std::string* value) const {
  std::lock_guard lock(contents_->mu);
  const Table& table = contents_->tables[static_cast<size_t>(family)];
  auto it = table.upper_bound(key);
  if (it == table.begin()) return Status::NotFound("nothing at or below");
  --it;
  if (!it->first.starts_with(prefix)) return Status::NotFound("nothing at or below");
  *found_key = it->first;
  *value = it->second;
  return Status::Ok();
}

void MemoryStateStore::FailWrites(int count) {
  std::lock_guard lock(contents_->mu);
  contents_->failing_writes = count;
}

std::unique_ptr<MemoryStateStore> MemoryStateStore::Share() const {
  auto shared = std::make_unique<MemoryStateStore>();
  shared->contents_ = contents_;
  return shared;
}

}  // namespace tuskd::store::testing
