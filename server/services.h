// What every connection shares: configuration, the tus policy, the store, the blocking pool,
// metrics, the final-upload assembler and the registry of live connections. Owned by Server;
// outlives all connections.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <unordered_map>

#include "protocol/decisions.h"
#include "server/blocking_pool.h"
#include "server/metrics.h"
#include "server/server_config.h"
#include "store/final_assembler.h"
#include "store/upload_store.h"

namespace tuskd::server {

class Connection;

// Live connections, so shutdown can ask each to end. Thread-safe.
class ConnectionRegistry {
 public:
  uint64_t Add(std::weak_ptr<Connection> connection);
  void Remove(uint64_t key);
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

struct ServerContext {
  const ServerConfig& config;
  protocol::ServerPolicy policy;
  store::UploadStore& store;
  BlockingPool& pool;
  Metrics& metrics;
  store::FinalAssembler& assembler;  // joins final uploads whose parts finish later
  ConnectionRegistry connections;
  std::atomic<bool> shutting_down{false};
};

}  // namespace tuskd::server
