// The services every connection and handler shares: configuration, the tus policy derived from
// it, the store, the blocking pool, metrics, the concatenation joiner, the registry of live
// connections and the shutdown flag. Owned by Server, which outlives every connection; tests
// build one around a store of their own (tests/server/handlers/). The members are thread-safe
// (or read-only after start-up) and may be used from any thread.
#pragma once

#include <atomic>

#include "protocol/decisions.h"
#include "server/blocking_pool.h"
#include "server/connection_registry.h"
#include "server/metrics.h"
#include "server/server_config.h"
#include "store/concat_joiner.h"
#include "store/upload_store.h"

namespace tuskd::server {

struct Services {
  const ServerConfig& config;
  protocol::ServerPolicy policy;  // PolicyFor(config)
  store::UploadStore& store;
  BlockingPool& pool;  // where blocking store calls run (server/handlers/store_calls.h)
  Metrics& metrics;
  store::ConcatJoiner& joiner;  // joins final uploads whose parts finish later
  ConnectionRegistry connections;
  std::atomic<bool> shutting_down{false};
};

// What this server offers clients, from its flags: --max-size, expiration, the checksum
// algorithms base/ can compute (and the trailer form), concatenation.
protocol::ServerPolicy PolicyFor(const ServerConfig& config);

}  // namespace tuskd::server
