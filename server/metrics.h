// Process-wide counters served as Prometheus text on GET /metrics. Lock-free atomics; safe to
// bump from any thread.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <string>

#include "store/upload_store.h"

namespace tuskd::server {

class Metrics {
 public:
  void CountRequest(int status);
  void AddBytesReceived(uint64_t n) { bytes_received_.fetch_add(n, std::memory_order_relaxed); }
  void AddBytesSent(uint64_t n) { bytes_sent_.fetch_add(n, std::memory_order_relaxed); }
  void CountCreated() { uploads_created_.fetch_add(1, std::memory_order_relaxed); }
  void CountCompleted() { uploads_completed_.fetch_add(1, std::memory_order_relaxed); }
  void CountCommit() { commits_.fetch_add(1, std::memory_order_relaxed); }
  void CountExpired(uint64_t n) { uploads_expired_.fetch_add(n, std::memory_order_relaxed); }
  void CountTlsHandshakeFailure() { tls_failures_.fetch_add(1, std::memory_order_relaxed); }
  void ConnectionOpened() { connections_.fetch_add(1, std::memory_order_relaxed); }
  void ConnectionClosed() { connections_.fetch_sub(1, std::memory_order_relaxed); }
  int64_t open_connections() const { return connections_.load(std::memory_order_relaxed); }

  // The counters, plus gauges of what the store holds (`storage`: logical and stored bytes of
  // live uploads, which differ when compression is on).
  std::string Render(const store::StorageTotals& storage) const;

 private:
  // Status classes 1xx..5xx plus the tus-specific 460, counted by exact code below 600.
  std::array<std::atomic<uint64_t>, 600> responses_{};
  std::atomic<uint64_t> bytes_received_{0};
  std::atomic<uint64_t> bytes_sent_{0};
  std::atomic<uint64_t> uploads_created_{0};
  std::atomic<uint64_t> uploads_completed_{0};
  std::atomic<uint64_t> uploads_expired_{0};
  std::atomic<uint64_t> commits_{0};
  std::atomic<uint64_t> tls_failures_{0};
  std::atomic<int64_t> connections_{0};
};

}  // namespace tuskd::server
