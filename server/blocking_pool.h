// A small thread pool for work that blocks on the disk (fdatasync, synced RocksDB batches, file
// removal), so that one slow sync never stalls the io threads. A coroutine awaits Run(f): f runs
// on a pool thread and the coroutine resumes on its own executor with f's result.
// Thread-safe.
#pragma once

#include <type_traits>
#include <utility>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace tuskd::server {

class BlockingPool {
 public:
  explicit BlockingPool(unsigned threads) : pool_(threads) {}
  BlockingPool(const BlockingPool&) = delete;
  BlockingPool& operator=(const BlockingPool&) = delete;

  template <class F>
  boost::asio::awaitable<std::invoke_result_t<F>> Run(F f) {
    using Result = std::invoke_result_t<F>;
    co_return co_await boost::asio::co_spawn(
        pool_.get_executor(),
        [f = std::move(f)]() mutable -> boost::asio::awaitable<Result> { co_return f(); },
        boost::asio::use_awaitable);
  }

  void Join() { pool_.join(); }

 private:
  boost::asio::thread_pool pool_;
};

}  // namespace tuskd::server
