// The live connections of the process, so that shutdown can ask each to end. A connection adds
// itself when it starts and removes itself when it ends; the registry holds weak pointers only,
// so it never keeps a connection alive. Thread-safe: connections of every io thread share it.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <unordered_map>

namespace tuskd::server {

class Connection;

class ConnectionRegistry {
 public:
  ConnectionRegistry() = default;
  ConnectionRegistry(const ConnectionRegistry&) = delete;
  ConnectionRegistry& operator=(const ConnectionRegistry&) = delete;

  // Returns the key to Remove it by.
  uint64_t Add(std::weak_ptr<Connection> connection);
  void Remove(uint64_t key);
  // Calls f(Connection&) for each connection still alive, under the registry's lock: f must
  // not block or call back into the registry (Connection::Interrupt only posts).
  template <class F>
  void ForEach(F f) {
    std::lock_guard lock(mu_);
    for (auto& [key, weak] : live_) {
      if (auto c = weak.lock()) f(*c);
    }
  }
  size_t size() const;

 private:
  mutable std::mutex mu_;
  uint64_t next_ = 1;
  std::unordered_map<uint64_t, std::weak_ptr<Connection>> live_;
};

}  // namespace tuskd::server
