#include "server/handlers/upload_lease.h"

#include <chrono>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace tuskd::server {

namespace asio = boost::asio;

namespace {
// The holder needs one commit (a data sync and a batch) to let go; poll at a pace that adds
// little to that.
constexpr auto kPollInterval = std::chrono::milliseconds(5);
}  // namespace

asio::awaitable<std::optional<store::UploadLockTable::Lease>> AcquireLease(Exchange& exchange,
                                                                           const std::string& id) {
  auto& locks = exchange.services().store.locks();
  auto deadline = std::chrono::steady_clock::now() + exchange.services().config.lock_timeout;
  asio::steady_timer timer(co_await asio::this_coro::executor);
  for (;;) {
    if (auto lease = locks.TryAcquire(id, exchange.HandoverCallback())) co_return lease;
    // Past the deadline (at once with --lock-timeout 0) the holder is left alone: a request
    // that will be refused anyway must not end one that is working.
    if (std::chrono::steady_clock::now() >= deadline) co_return std::nullopt;
    locks.RequestStop(id);
    timer.expires_after(kPollInterval);
    co_await timer.async_wait(asio::use_awaitable);
  }
}

asio::awaitable<bool> WaitForRelease(Exchange& exchange, const std::string& id) {
  auto& locks = exchange.services().store.locks();
  if (!locks.IsHeld(id)) co_return true;
  auto deadline = std::chrono::steady_clock::now() + exchange.services().config.lock_timeout;
  asio::steady_timer timer(co_await asio::this_coro::executor);
  locks.RequestStop(id);
  while (locks.IsHeld(id)) {
    if (std::chrono::steady_clock::now() >= deadline) co_return false;
    timer.expires_after(kPollInterval);
    co_await timer.async_wait(asio::use_awaitable);
  }
  co_return true;
}

}  // namespace tuskd::server
