// Who has a state DB open for writing, seen from outside RocksDB. A read-write RocksDB instance
// holds a POSIX record lock (fcntl) on <db>/LOCK for as long as it is open, and the kernel drops
// that lock when its process dies, even on kill -9; so the lock, not a pid file, tells a tool
// whether tuskd (or anything else) is writing. Used by tuskctl to pick a secondary or a
// point-in-time open, and to keep the single-writer rule when it writes itself.
// Thread-compatible: a StateDbWriterLock belongs to one thread.
#pragma once

#include <sys/types.h>

#include <memory>
#include <optional>
#include <string>

#include "base/status.h"

namespace tuskd::store {

// The process holding the write lock on the DB in `db_path`; nullopt when nobody does (or
// there is no DB). The pid is 0 when the holder lives in another pid namespace. Never takes
// the lock, so it cannot disturb the holder.
std::optional<pid_t> StateDbWriterPid(const std::string& db_path);

// Takes <db>/LOCK exactly as RocksDB does, so that no other process can open the DB read-write
// between this check and this process's own UploadStore::Open (which then succeeds: POSIX
// record locks belong to the process). Because closing any descriptor of the file drops all of
// the process's locks on it, RocksDB's included, the StateDbWriterLock must outlive every
// store opened under it.
class StateDbWriterLock {
 public:
  // Busy, with *holder set, when another process has the DB open read-write; NotFound when
  // `db_path` holds no DB (the lock file is never created here).
  static Status Acquire(const std::string& db_path, std::unique_ptr<StateDbWriterLock>* out,
                        pid_t* holder);
  ~StateDbWriterLock();
  StateDbWriterLock(const StateDbWriterLock&) = delete;
  StateDbWriterLock& operator=(const StateDbWriterLock&) = delete;

 private:
  explicit StateDbWriterLock(int fd) : fd_(fd) {}
  int fd_;
};

}  // namespace tuskd::store
