// One writer per upload (invariant I5). A request that writes or deletes an upload holds its
// lease; a newer request for the same upload asks the holder to stop (the holder commits what it
// has and ends), then takes the lease. Thread-safe.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

namespace tuskd::store {

class UploadLockTable {
 public:
  // Held while a request owns an upload; releases on destruction. Move-only.
  class Lease {
   public:
    Lease() = default;
    Lease(Lease&& other) noexcept;
    Lease& operator=(Lease&& other) noexcept;
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    ~Lease();
    bool held() const { return table_ != nullptr; }
    // The holder checks this between body pieces: true once a newer request asked it to stop.
    bool stop_requested() const;

   private:
    friend class UploadLockTable;
    Lease(UploadLockTable* table, std::string id, uint64_t generation);
    UploadLockTable* table_ = nullptr;
    std::string id_;
    uint64_t generation_ = 0;
  };

  UploadLockTable() = default;
  ~UploadLockTable();  // every Lease must be gone (checked by an assert in debug builds)
  UploadLockTable(const UploadLockTable&) = delete;
  UploadLockTable& operator=(const UploadLockTable&) = delete;

  // Takes the lease if nobody holds it; nullopt otherwise. `on_stop_request` is what
  // RequestStop will call (from another thread) to wake the holder; it must be thread-safe and
  // must not block. It runs outside the table's mutex and may run just after the lease is
  // released, so it must capture what it touches by value (e.g. a weak_ptr), not a raw pointer.
  // Every Lease must be destroyed before the table.
  std::optional<Lease> TryAcquire(const std::string& id, std::function<void()> on_stop_request);
  // Asks the current holder of `id` to let go: sets its stop flag and calls its callback once.
  // False when nobody holds it.
  bool RequestStop(const std::string& id);
  bool IsHeld(const std::string& id) const;

 private:
  struct Holder {
    uint64_t generation;
    bool stop_requested = false;
    std::function<void()> on_stop_request;
  };
  void Release(const std::string& id, uint64_t generation);
  bool StopRequested(const std::string& id, uint64_t generation) const;

  mutable std::mutex mu_;
  std::map<std::string, Holder> holders_;
  uint64_t next_generation_ = 1;
};

}  // namespace tuskd::store
