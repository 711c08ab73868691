// CrashPoints: the write and sync points of a test run, numbered as they happen, and a crash at
// one of them. Every fault-injecting file system of a test (the data files' and RocksDB's)
// reports each write, sync, truncation, creation, removal, rename and directory sync here
// before doing it; once the armed point is reached that operation and every later one fails
// with EIO, as if the process had died there, so nothing after it reaches the disk. The test
// then drops what was never synced (the file systems' Crash) and reopens. Thread-safe: RocksDB
// reports from its background threads too.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>

namespace tuskd {

class CrashPoints {
 public:
  // Crash at the `n`th point from now on (1-based); 0 counts points and never crashes.
  void Arm(uint64_t n);
  // Called before each write or sync point, naming it for failure messages. False when the
  // process is "dead": the caller fails the operation without doing any of it.
  bool Pass(const char* what, const std::string& path);
  // The points passed since Arm, including the one that crashed.
  uint64_t count() const;
  bool crashed() const;
  // "sync of db/000004.log" for the point that crashed; empty before a crash.
  std::string crash_site() const;
  // Back to a live process that counts points (after the reopen's crash recovery, say).
  void Revive();

 private:
  mutable std::mutex mu_;
  uint64_t armed_ = 0;
  uint64_t count_ = 0;
  bool crashed_ = false;
  std::string crash_site_;
};

}  // namespace tuskd
