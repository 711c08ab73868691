#include "predict/child_process.h"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <utility>

#include "base/errno_text.h"

namespace tuskd::predict {
namespace {

constexpr size_t kPipeChunk = size_t{64} * 1024;

// Writing to a pipe whose reader has exited raises SIGPIPE, which by default kills the whole
// server. Blocking it in this thread makes write() return EPIPE instead, whatever the
// process-wide disposition; a SIGPIPE our writes left pending is discarded before unblocking.
class ScopedSigpipeBlock {
 public:
  ScopedSigpipeBlock() {
    sigemptyset(&pipe_set_);
    sigaddset(&pipe_set_, SIGPIPE);
    sigset_t pending;
    sigpending(&pending);
    was_pending_ = sigismember(&pending, SIGPIPE) == 1;
    pthread_sigmask(SIG_BLOCK, &pipe_set_, &old_mask_);
  }
  ~ScopedSigpipeBlock() {
    sigset_t pending;
    if (!was_pending_ && sigpending(&pending) == 0 && sigismember(&pending, SIGPIPE) == 1) {
      const timespec zero{};
      sigtimedwait(&pipe_set_, nullptr, &zero);
    }
    pthread_sigmask(SIG_SETMASK, &old_mask_, nullptr);
  }
  ScopedSigpipeBlock(const ScopedSigpipeBlock&) = delete;
  ScopedSigpipeBlock& operator=(const ScopedSigpipeBlock&) = delete;

 private:
  sigset_t pipe_set_;
  sigset_t old_mask_;
  bool was_pending_ = false;
};

struct Pipe {
  UniqueFd read, write;
};

// O_CLOEXEC: another thread spawning at the same moment must not inherit our pipe ends.
// Returns false with errno set.
bool MakePipe(Pipe* ends) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return false;
  ends->read.Reset(fds[0]);
  ends->write.Reset(fds[1]);
  return true;
}

std::vector<char*> CStrings(std::vector<std::string>& strings) {
  std::vector<char*> out;
  out.reserve(strings.size() + 1);
  for (std::string& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

// posix_spawn's attributes: a new process group (so a timeout can kill the program's children
// too), default signal handling and an empty signal mask (the server may ignore or block
// signals).
void SetSpawnAttributes(posix_spawnattr_t* attr) {
  sigset_t signals;
  sigemptyset(&signals);
  posix_spawnattr_setsigmask(attr, &signals);
  sigfillset(&signals);
  posix_spawnattr_setsigdefault(attr, &signals);
  posix_spawnattr_setpgroup(attr, 0);
  posix_spawnattr_setflags(attr,
                           POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
}

}  // namespace

// The state of one Communicate: the upload bytes on their way to stdin, and whether the child
// has been seen to exit.
class ChildProcess::Pump {
 public:
  Pump(ChildProcess* child, const StdinSource* source, const Limits& limits, Output* output)
      : child_(child), source_(source), limits_(limits), output_(output), buffer_(kPipeChunk) {}

  End Run(Clock::time_point deadline);

 private:
  // Refills the stdin buffer from the source when it is empty; at the source's end, closes
  // stdin so the program sees EOF. Returns false if the source said stop.
  bool FillStdinBuffer();
  void WriteStdin();
  // Reads what is there; returns false if that took `sink` past `cap`.
  bool ReadOutput(UniqueFd* fd, std::string* sink, size_t cap);
  // True once the child has exited, without reaping it (WNOWAIT) so its pid stays reserved.
  bool ChildExited() const;
  End Fail(std::string message) {
    output_->error = std::move(message);
    return End::kPollFailed;
  }

  ChildProcess* child_;
  const StdinSource* source_;
  const Limits limits_;
  Output* output_;
  std::vector<char> buffer_;  // stdin bytes on their way to the child
  size_t buffered_begin_ = 0, buffered_end_ = 0;
  bool source_done_ = false;
  bool exited_ = false;
  char scratch_[16 * 1024];
};

ChildProcess::End ChildProcess::Pump::Run(Clock::time_point deadline) {
  while (true) {
    if (!exited_ && ChildExited()) {
      exited_ = true;
      child_->KillGroup();  // leftovers in its group would hold the output pipes open
    }
    if (exited_ && !child_->stdout_.valid() && !child_->stderr_.valid()) return End::kExited;
    if (!FillStdinBuffer()) return End::kStdinFailed;
    auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) return End::kTimedOut;
    // Without a pidfd an exit is only noticed by polling waitid, so wake up now and then.
    if (!child_->pidfd_.valid() && !exited_) left = std::min<decltype(left)>(left, 10);

    pollfd fds[4];
    nfds_t n = 0;
    auto watch = [&](const UniqueFd& fd, short events) -> pollfd* {
      if (!fd.valid()) return nullptr;
      fds[n] = {fd.get(), events, 0};
      return &fds[n++];
    };
    pollfd* in = buffered_end_ > buffered_begin_ ? watch(child_->stdin_, POLLOUT) : nullptr;
    pollfd* out = watch(child_->stdout_, POLLIN);
    pollfd* err = watch(child_->stderr_, POLLIN);
    if (!exited_) watch(child_->pidfd_, POLLIN);
    if (poll(fds, n, static_cast<int>(left)) < 0 && errno != EINTR) {
      return Fail("poll: " + ErrnoText(errno));
    }
    if (in != nullptr && in->revents != 0) WriteStdin();
    if (out != nullptr && out->revents != 0 &&
        !ReadOutput(&child_->stdout_, &output_->stdout_text, limits_.max_stdout)) {
      return End::kStdoutTooLarge;
    }
    if (err != nullptr && err->revents != 0 &&
        !ReadOutput(&child_->stderr_, &output_->stderr_text, limits_.max_stderr)) {
      output_->stderr_truncated = true;  // keep draining, so the program never blocks on stderr
    }
  }
}

bool ChildProcess::Pump::FillStdinBuffer() {
  if (!child_->stdin_.valid() || buffered_end_ > buffered_begin_ || source_done_) return true;
  size_t n = 0;
  if (!(*source_)(buffer_, &n)) return false;
  n = std::min(n, buffer_.size());
  buffered_begin_ = 0;
  buffered_end_ = n;
  if (n == 0) {
    source_done_ = true;
    child_->stdin_.Reset();
  }
  return true;
}

void ChildProcess::Pump::WriteStdin() {
  ssize_t n = write(child_->stdin_.get(), buffer_.data() + buffered_begin_,
                    buffered_end_ - buffered_begin_);
  if (n >= 0) {
    buffered_begin_ += static_cast<size_t>(n);
  } else if (errno != EAGAIN && errno != EINTR) {
    // EPIPE: the program stopped reading, which it may. Stop feeding it.
    child_->stdin_.Reset();
    source_done_ = true;
  }
}

bool ChildProcess::Pump::ReadOutput(UniqueFd* fd, std::string* sink, size_t cap) {
  ssize_t n = read(fd->get(), scratch_, sizeof(scratch_));
  if (n < 0 && (errno == EAGAIN || errno == EINTR)) return true;
  if (n <= 0) {
    fd->Reset();  // EOF (or an error, which we treat alike)
    return true;
  }
  size_t room = cap - std::min(cap, sink->size());
  sink->append(scratch_, std::min(room, static_cast<size_t>(n)));
  return static_cast<size_t>(n) <= room;
}

bool ChildProcess::Pump::ChildExited() const {
  siginfo_t info{};
  if (waitid(P_PID, child_->pid_, &info, WEXITED | WNOHANG | WNOWAIT) != 0) return true;
  return info.si_pid == child_->pid_;
}

std::unique_ptr<ChildProcess> ChildProcess::Spawn(const std::string& program,
                                                  std::vector<std::string> argv,
                                                  std::vector<std::string> env, int* error) {
  Pipe in, out, err;
  if (!MakePipe(&in) || !MakePipe(&out) || !MakePipe(&err)) {
    *error = errno;
    return nullptr;
  }

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in.read.get(), STDIN_FILENO);  // dup2 drops CLOEXEC
  posix_spawn_file_actions_adddup2(&actions, out.write.get(), STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, err.write.get(), STDERR_FILENO);
#if defined(__GLIBC__) && (__GLIBC__ > 2 || __GLIBC_MINOR__ >= 34)
  posix_spawn_file_actions_addclosefrom_np(&actions, 3);  // listening sockets, DB files ...
#endif
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  SetSpawnAttributes(&attr);
  std::vector<char*> c_argv = CStrings(argv);
  std::vector<char*> c_env = CStrings(env);
  std::unique_ptr<ChildProcess> child(new ChildProcess());
  int rc = posix_spawn(&child->pid_, program.c_str(), &actions, &attr, c_argv.data(), c_env.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) {
    child->reaped_ = true;  // nothing ran (glibc reaps a child whose exec failed)
    *error = rc;
    return nullptr;
  }

#ifdef SYS_pidfd_open
  child->pidfd_.Reset(static_cast<int>(syscall(SYS_pidfd_open, child->pid_, 0)));
#endif
  for (UniqueFd* fd : {&in.write, &out.read, &err.read}) {
    fcntl(fd->get(), F_SETFL, fcntl(fd->get(), F_GETFL) | O_NONBLOCK);
  }
  child->stdin_ = std::move(in.write);
  child->stdout_ = std::move(out.read);
  child->stderr_ = std::move(err.read);
  return child;
}

ChildProcess::~ChildProcess() {
  if (!reaped_) KillAndReap();
}

ChildProcess::End ChildProcess::Communicate(const StdinSource& source, Clock::time_point deadline,
                                            const Limits& limits, Output* output) {
  ScopedSigpipeBlock no_sigpipe;
  Pump pump(this, &source, limits, output);
  return pump.Run(deadline);
}

// Only valid before the child is reaped: until then its pid (and so its group id) cannot be
// reused by an unrelated process. The direct kill covers a child that left its group.
void ChildProcess::KillGroup() const {
  kill(-pid_, SIGKILL);
  kill(pid_, SIGKILL);
}

int ChildProcess::KillAndReap() {
  KillGroup();
  int status = 0;
  while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  reaped_ = true;
  return status;
}

}  // namespace tuskd::predict
