#include "server/connection_registry.h"

namespace tuskd::server {

uint64_t ConnectionRegistry::Add(std::weak_ptr<Connection> connection) {
  std::lock_guard lock(mu_);
  uint64_t key = next_++;
  live_.emplace(key, std::move(connection));
  return key;
}

void ConnectionRegistry::Remove(uint64_t key) {
  std::lock_guard lock(mu_);
  live_.erase(key);
}

size_t ConnectionRegistry::size() const {
  std::lock_guard lock(mu_);
  return live_.size();
}

}  // namespace tuskd::server
