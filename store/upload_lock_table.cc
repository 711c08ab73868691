#include "store/upload_lock_table.h"

#include <cassert>
#include <utility>

namespace tuskd::store {

UploadLockTable::Lease::Lease(UploadLockTable* table, std::string id, uint64_t generation)
    : table_(table), id_(std::move(id)), generation_(generation) {}

UploadLockTable::Lease::Lease(Lease&& other) noexcept
    : table_(std::exchange(other.table_, nullptr)),
      id_(std::move(other.id_)),
      generation_(other.generation_) {}

UploadLockTable::Lease& UploadLockTable::Lease::operator=(Lease&& other) noexcept {
  if (this != &other) {
    if (table_ != nullptr) table_->Release(id_, generation_);
    table_ = std::exchange(other.table_, nullptr);
    id_ = std::move(other.id_);
    generation_ = other.generation_;
  }
  return *this;
}

UploadLockTable::Lease::~Lease() {
  if (table_ != nullptr) table_->Release(id_, generation_);
}

bool UploadLockTable::Lease::stop_requested() const {
  return table_ != nullptr && table_->StopRequested(id_, generation_);
}

UploadLockTable::~UploadLockTable() {
  // A Lease that outlives its table would lock a destroyed mutex on release.
  assert(holders_.empty() && "UploadLockTable destroyed while a Lease is held");
}

std::optional<UploadLockTable::Lease> UploadLockTable::TryAcquire(
    const std::string& id, std::function<void()> on_stop_request) {
  std::lock_guard<std::mutex> lock(mu_);
  if (holders_.count(id) != 0) return std::nullopt;
  uint64_t generation = next_generation_++;
  holders_.emplace(id, Holder{generation, false, std::move(on_stop_request)});
  return Lease(this, id, generation);
}

bool UploadLockTable::RequestStop(const std::string& id) {
  std::function<void()> wake;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = holders_.find(id);
    if (it == holders_.end()) return false;
    if (!it->second.stop_requested) {
      it->second.stop_requested = true;
      wake = it->second.on_stop_request;
    }
  }
  // Outside the mutex: the callback may post to another thread, which may release the lease
  // (and so take mu_) before this returns.
  if (wake) wake();
  return true;
}

bool UploadLockTable::IsHeld(const std::string& id) const {
  std::lock_guard<std::mutex> lock(mu_);
  return holders_.count(id) != 0;
}

void UploadLockTable::Release(const std::string& id, uint64_t generation) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = holders_.find(id);
  // The generation check is defensive: only the lease that took this entry may erase it.
  if (it != holders_.end() && it->second.generation == generation) holders_.erase(it);
}

bool UploadLockTable::StopRequested(const std::string& id, uint64_t generation) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = holders_.find(id);
  return it != holders_.end() && it->second.generation == generation && it->second.stop_requested;
}

}  // namespace tuskd::store
