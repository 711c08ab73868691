#include "store/upload_lock_table.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <thread>

namespace tuskd::store {
namespace {

TEST(UploadLockTableTest, SecondAcquireFailsUntilRelease) {
  UploadLockTable table;
  {
    auto lease = table.TryAcquire("a", [] {});
    ASSERT_TRUE(lease.has_value());
    EXPECT_TRUE(lease->held());
    EXPECT_TRUE(table.IsHeld("a"));
    EXPECT_FALSE(table.TryAcquire("a", [] {}).has_value());
    EXPECT_TRUE(table.TryAcquire("b", [] {}).has_value());  // other uploads are independent
  }
  EXPECT_FALSE(table.IsHeld("a"));  // released by the destructor
  EXPECT_TRUE(table.TryAcquire("a", [] {}).has_value());
}

TEST(UploadLockTableTest, RequestStopSetsTheFlagAndCallsTheCallbackOnce) {
  UploadLockTable table;
  int calls = 0;
  auto lease = table.TryAcquire("a", [&calls] { ++calls; });
  ASSERT_TRUE(lease.has_value());
  EXPECT_FALSE(lease->stop_requested());
  EXPECT_TRUE(table.RequestStop("a"));
  EXPECT_TRUE(lease->stop_requested());
  EXPECT_EQ(calls, 1);
  EXPECT_TRUE(table.RequestStop("a"));
  EXPECT_EQ(calls, 1);
  EXPECT_TRUE(table.IsHeld("a"));  // asking is not taking
  EXPECT_FALSE(table.RequestStop("nobody"));
}

TEST(UploadLockTableTest, CallbackRunsOutsideTheTableMutex) {
  UploadLockTable table;
  bool held_seen = false;
  auto lease = table.TryAcquire("a", [&] { held_seen = table.IsHeld("a"); });  // would deadlock
  ASSERT_TRUE(table.RequestStop("a"));
  EXPECT_TRUE(held_seen);
}

TEST(UploadLockTableTest, MovedLeaseKeepsTheLock) {
  UploadLockTable table;
  auto first = table.TryAcquire("a", [] {});
  ASSERT_TRUE(first.has_value());
  UploadLockTable::Lease moved = std::move(*first);
  EXPECT_FALSE(first->held());
  EXPECT_TRUE(moved.held());
  first.reset();  // destroying the moved-from lease releases nothing
  EXPECT_TRUE(table.IsHeld("a"));
  table.RequestStop("a");
  EXPECT_TRUE(moved.stop_requested());

  UploadLockTable::Lease assigned;
  EXPECT_FALSE(assigned.held());
  EXPECT_FALSE(assigned.stop_requested());
  assigned = std::move(moved);
  EXPECT_TRUE(table.IsHeld("a"));
  auto other = table.TryAcquire("b", [] {});
  assigned = std::move(*other);  // releases "a", now holds "b"
  EXPECT_FALSE(table.IsHeld("a"));
  EXPECT_TRUE(table.IsHeld("b"));
}

TEST(UploadLockTableTest, NewHolderDoesNotInheritTheStopFlag) {
  UploadLockTable table;
  {
    auto old = table.TryAcquire("a", [] {});
    table.RequestStop("a");
  }
  auto fresh = table.TryAcquire("a", [] {});
  ASSERT_TRUE(fresh.has_value());
  EXPECT_FALSE(fresh->stop_requested());
}

// The I5 hand-over: a holder busy in another thread is asked to stop, lets go, and the new
// request takes the lease.
TEST(UploadLockTableTest, HolderOnAnotherThreadHandsOver) {
  UploadLockTable table;
  std::mutex mu;
  std::condition_variable cv;
  bool woken = false;
  std::atomic<bool> acquired{false};
  std::thread holder([&] {
    auto lease = table.TryAcquire("a", [&] {
      std::lock_guard<std::mutex> lock(mu);
      woken = true;
      cv.notify_one();
    });
    acquired = true;
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock, [&] { return woken; });
    EXPECT_TRUE(lease->stop_requested());
  });  // lease released as the thread ends
  while (!acquired) std::this_thread::yield();
  ASSERT_TRUE(table.RequestStop("a"));
  std::optional<UploadLockTable::Lease> mine;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (!(mine = table.TryAcquire("a", [] {})) && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  holder.join();
  EXPECT_TRUE(mine.has_value());
}

}  // namespace
}  // namespace tuskd::store
