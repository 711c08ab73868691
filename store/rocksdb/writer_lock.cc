#include "store/rocksdb/writer_lock.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

namespace tuskd::store {
namespace {

// RocksDB's PosixFileSystem::LockFile locks the whole file for writing with F_SETLK.
struct flock WholeFileWriteLock() {
  struct flock lock = {};
  lock.l_type = F_WRLCK;
  lock.l_whence = SEEK_SET;
  lock.l_start = 0;
  lock.l_len = 0;
  return lock;
}

std::string LockPath(const std::string& db_path) { return db_path + "/LOCK"; }

}  // namespace

std::optional<pid_t> StateDbWriterPid(const std::string& db_path) {
  int fd = ::open(LockPath(db_path).c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  struct flock probe = WholeFileWriteLock();
  int result = ::fcntl(fd, F_GETLK, &probe);
  ::close(fd);  // this process holds no lock on the file, so closing drops nothing
  if (result != 0 || probe.l_type == F_UNLCK) return std::nullopt;
  return probe.l_pid;
}

Status StateDbWriterLock::Acquire(const std::string& db_path,
                                  std::unique_ptr<StateDbWriterLock>* out, pid_t* holder) {
  *holder = 0;
  int fd = ::open(LockPath(db_path).c_str(), O_RDWR | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return Status::NotFound("no state DB in " + db_path);
    return Status::FromErrno(errno, "open " + LockPath(db_path));
  }
  struct flock lock = WholeFileWriteLock();
  if (::fcntl(fd, F_SETLK, &lock) != 0) {
    int err = errno;
    if (err == EACCES || err == EAGAIN) {
      struct flock probe = WholeFileWriteLock();
      if (::fcntl(fd, F_GETLK, &probe) == 0 && probe.l_type != F_UNLCK) *holder = probe.l_pid;
      ::close(fd);
      return Status::Busy("the state DB in " + db_path + " is open for writing by process " +
                          std::to_string(*holder));
    }
    ::close(fd);
    return Status::FromErrno(err, "lock " + LockPath(db_path));
  }
  out->reset(new StateDbWriterLock(fd));
  return Status::Ok();
}

StateDbWriterLock::~StateDbWriterLock() { ::close(fd_); }

}  // namespace tuskd::store
