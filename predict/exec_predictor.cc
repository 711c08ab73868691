#include "predict/exec_predictor.h"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>  // also declares environ (_GNU_SOURCE)

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string_view>
#include <utility>
#include <vector>

#include "base/log.h"
#include "predict/utf8.h"

namespace tuskd::predict {
namespace {

using Clock = std::chrono::steady_clock;

constexpr size_t kPipeChunk = size_t{64} * 1024;

class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(UniqueFd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept {
    Reset(std::exchange(other.fd_, -1));
    return *this;
  }
  ~UniqueFd() { Reset(); }
  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  void Reset(int fd = -1) {
    if (fd_ >= 0) close(fd_);
    fd_ = fd;
  }

 private:
  int fd_ = -1;
};

std::string ErrnoText(int err) {
  char buffer[128];
  return strerror_r(err, buffer, sizeof(buffer));  // GNU strerror_r: returns the message
}

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

struct Child {
  pid_t pid = -1;
  UniqueFd pidfd;  // readable once the child exits; invalid if the kernel lacks pidfd_open
  UniqueFd stdin_fd, stdout_fd, stderr_fd;  // our non-blocking ends
};

// Our environment minus any TUSKD_* values we set, plus the upload's.
std::vector<std::string> ChildEnvironment(const PredictionInput& input) {
  std::vector<std::string> env;
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
    std::string_view text(*entry);
    if (text.starts_with("TUSKD_UPLOAD_ID=") || text.starts_with("TUSKD_SHA256=") ||
        text.starts_with("TUSKD_SIZE=")) {
      continue;
    }
    env.emplace_back(text);
  }
  env.push_back("TUSKD_UPLOAD_ID=" + input.upload_id);
  env.push_back("TUSKD_SHA256=" + input.sha256_hex);
  env.push_back("TUSKD_SIZE=" + std::to_string(input.size));
  return env;
}

std::vector<char*> CStrings(std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (std::string& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

// posix_spawn with stdin/stdout/stderr on fresh pipes, a new process group (so a timeout can
// kill the program's children too), default signal handling and an empty signal mask (the
// server may ignore or block signals), and every other descriptor closed. Returns 0 or errno.
int SpawnChild(const std::string& program, std::vector<std::string> argv,
               std::vector<std::string> env, Child* child) {
  int in[2], out[2], err[2];
  // O_CLOEXEC: another thread spawning at the same moment must not inherit our pipe ends.
  if (pipe2(in, O_CLOEXEC) != 0) return errno;
  UniqueFd in_r(in[0]), in_w(in[1]);
  if (pipe2(out, O_CLOEXEC) != 0) return errno;
  UniqueFd out_r(out[0]), out_w(out[1]);
  if (pipe2(err, O_CLOEXEC) != 0) return errno;
  UniqueFd err_r(err[0]), err_w(err[1]);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in_r.get(), STDIN_FILENO);  // dup2 drops CLOEXEC
  posix_spawn_file_actions_adddup2(&actions, out_w.get(), STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, err_w.get(), STDERR_FILENO);
#if defined(__GLIBC__) && (__GLIBC__ > 2 || __GLIBC_MINOR__ >= 34)
  posix_spawn_file_actions_addclosefrom_np(&actions, 3);  // listening sockets, DB files ...
#endif
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t signals;
  sigemptyset(&signals);
  posix_spawnattr_setsigmask(&attr, &signals);
  sigfillset(&signals);
  posix_spawnattr_setsigdefault(&attr, &signals);
  posix_spawnattr_setpgroup(&attr, 0);
  posix_spawnattr_setflags(&attr,
                           POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  std::vector<char*> c_argv = CStrings(argv);
  std::vector<char*> c_env = CStrings(env);
  int rc = posix_spawn(&child->pid, program.c_str(), &actions, &attr, c_argv.data(), c_env.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) return rc;

#ifdef SYS_pidfd_open
  child->pidfd.Reset(static_cast<int>(syscall(SYS_pidfd_open, child->pid, 0)));
#endif
  for (UniqueFd* fd : {&in_w, &out_r, &err_r}) {
    fcntl(fd->get(), F_SETFL, fcntl(fd->get(), F_GETFL) | O_NONBLOCK);
  }
  child->stdin_fd = std::move(in_w);
  child->stdout_fd = std::move(out_r);
  child->stderr_fd = std::move(err_r);
  return 0;
}

// Kills the child and its process group. Only valid before the child is reaped: until then its
// pid (and so its group id) cannot be reused by an unrelated process. The direct kill covers a
// child that left its group.
void KillChild(pid_t pid) {
  kill(-pid, SIGKILL);
  kill(pid, SIGKILL);
}

// Returns the wait status.
int Reap(pid_t pid) {
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return status;
}

// Moves bytes between the upload, the child's stdin and its stdout/stderr with poll(), so a
// program that writes a lot before it reads (or never reads) cannot deadlock us, until the
// child has exited and closed its output, or the deadline passes.
class ChildPump {
 public:
  enum class End { kExited, kTimedOut, kStdoutTooLarge, kFailed };

  ChildPump(Child* child, ByteSource* source, uint64_t expected_size)
      : child_(child), source_(source), expected_size_(expected_size), buffer_(kPipeChunk) {}

  End Run(Clock::time_point deadline);

  std::string stdout_text;
  std::string stderr_text;
  bool stderr_truncated = false;
  std::string error;  // for End::kFailed
  bool retryable = false;

 private:
  bool FillStdinBuffer();
  void WriteStdin();
  // Reads what is there; returns false if that took `sink` past `cap`.
  bool ReadOutput(UniqueFd* fd, std::string* sink, size_t cap);
  bool ChildExited() const;
  End Fail(std::string message, bool can_retry) {
    error = std::move(message);
    retryable = can_retry;
    return End::kFailed;
  }

  Child* child_;
  ByteSource* source_;
  const uint64_t expected_size_;
  std::vector<char> buffer_;  // upload bytes on their way to stdin
  size_t buffered_begin_ = 0, buffered_end_ = 0;
  uint64_t source_bytes_ = 0;
  bool source_done_ = false;
  bool exited_ = false;
  char scratch_[16 * 1024];
};

ChildPump::End ChildPump::Run(Clock::time_point deadline) {
  while (true) {
    if (!exited_ && ChildExited()) {
      exited_ = true;
      KillChild(child_->pid);  // leftovers in its group would hold the output pipes open
    }
    if (exited_ && !child_->stdout_fd.valid() && !child_->stderr_fd.valid()) return End::kExited;
    if (!FillStdinBuffer()) return End::kFailed;
    auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) return End::kTimedOut;
    // Without a pidfd an exit is only noticed by polling waitid, so wake up now and then.
    if (!child_->pidfd.valid() && !exited_) left = std::min<decltype(left)>(left, 10);

    pollfd fds[4];
    nfds_t n = 0;
    auto watch = [&](const UniqueFd& fd, short events) -> pollfd* {
      if (!fd.valid()) return nullptr;
      fds[n] = {fd.get(), events, 0};
      return &fds[n++];
    };
    pollfd* in = buffered_end_ > buffered_begin_ ? watch(child_->stdin_fd, POLLOUT) : nullptr;
    pollfd* out = watch(child_->stdout_fd, POLLIN);
    pollfd* err = watch(child_->stderr_fd, POLLIN);
    if (!exited_) watch(child_->pidfd, POLLIN);
    if (poll(fds, n, static_cast<int>(left)) < 0 && errno != EINTR) {
      return Fail("poll: " + ErrnoText(errno), true);
    }
    if (in != nullptr && in->revents != 0) WriteStdin();
    if (out != nullptr && out->revents != 0 &&
        !ReadOutput(&child_->stdout_fd, &stdout_text, ExecPredictor::kMaxStdout)) {
      return End::kStdoutTooLarge;
    }
    if (err != nullptr && err->revents != 0 &&
        !ReadOutput(&child_->stderr_fd, &stderr_text, ExecPredictor::kMaxStderr)) {
      stderr_truncated = true;  // keep draining, so the program never blocks on stderr
    }
  }
}

// Refills the stdin buffer from the upload when it is empty; at the upload's end, closes stdin
// so the program sees EOF. Returns false if the source failed or had the wrong length.
bool ChildPump::FillStdinBuffer() {
  if (!child_->stdin_fd.valid() || buffered_end_ > buffered_begin_ || source_done_) return true;
  size_t n = 0;
  std::string read_error;
  if (!source_->Read(buffer_, &n, &read_error)) {
    Fail("reading upload bytes: " + read_error, true);
    return false;
  }
  n = std::min(n, buffer_.size());
  source_bytes_ += n;
  if (source_bytes_ > expected_size_ || (n == 0 && source_bytes_ != expected_size_)) {
    Fail("upload bytes: read " + std::to_string(source_bytes_) + ", expected " +
             std::to_string(expected_size_),
         false);
    return false;
  }
  buffered_begin_ = 0;
  buffered_end_ = n;
  if (n == 0) {
    source_done_ = true;
    child_->stdin_fd.Reset();
  }
  return true;
}

void ChildPump::WriteStdin() {
  ssize_t n = write(child_->stdin_fd.get(), buffer_.data() + buffered_begin_,
                    buffered_end_ - buffered_begin_);
  if (n >= 0) {
    buffered_begin_ += static_cast<size_t>(n);
  } else if (errno != EAGAIN && errno != EINTR) {
    // EPIPE: the program stopped reading, which it may. Stop feeding it.
    child_->stdin_fd.Reset();
    source_done_ = true;
  }
}

bool ChildPump::ReadOutput(UniqueFd* fd, std::string* sink, size_t cap) {
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

// True once the child has exited, without reaping it (WNOWAIT) so its pid stays reserved.
bool ChildPump::ChildExited() const {
  siginfo_t info{};
  if (waitid(P_PID, child_->pid, &info, WEXITED | WNOHANG | WNOWAIT) != 0) return true;
  return info.si_pid == child_->pid;
}

// Each line of the program's stderr becomes a log line: "[name upload id] line" in text, as it
// always was, or a JSON object with the predictor and upload id as fields.
void LogStderr(const std::string& name, const std::string& upload_id, const ChildPump& pump) {
  if (pump.stderr_text.empty()) return;
  const std::string prefix = "[" + name + " upload " + upload_id + "] ";
  const LogComponent component{"predictor", prefix};
  const nlohmann::json fields = {{"predictor", name}, {"upload_id", upload_id}};
  std::vector<LogEntry> lines;
  size_t start = 0;
  while (start < pump.stderr_text.size()) {
    size_t end = pump.stderr_text.find('\n', start);
    if (end == std::string::npos) end = pump.stderr_text.size();
    lines.push_back(
        {LogLevel::kInfo, component, pump.stderr_text.substr(start, end - start), fields});
    start = end + 1;
  }
  if (pump.stderr_truncated) {
    lines.push_back({LogLevel::kWarn, component, "(stderr truncated)", fields});
  }
  LogTogether(lines);  // one write keeps the program's lines together
}

// The first line of the program's stderr, shortened, to make an exit status meaningful.
std::string StderrHint(const std::string& stderr_text) {
  std::string line = stderr_text.substr(0, stderr_text.find('\n')).substr(0, 200);
  return line.empty() ? "" : ": " + ToValidUtf8(line);
}

PredictionOutcome InterpretExit(int status, const ChildPump& pump) {
  if (WIFSIGNALED(status)) {
    const int sig = WTERMSIG(status);
    const char* abbrev = sigabbrev_np(sig);
    return PredictionOutcome::Failure("killed by signal " + std::to_string(sig) +
                                          (abbrev ? std::string(" (SIG") + abbrev + ")" : ""),
                                      true);
  }
  const int code = WEXITSTATUS(status);
  if (code != 0) {
    return PredictionOutcome::Failure(
        "exit status " + std::to_string(code) + StderrHint(pump.stderr_text),
        code == ExecPredictor::kExitTempFail);
  }
  try {
    return PredictionOutcome::Success(nlohmann::json::parse(pump.stdout_text));
  } catch (const nlohmann::json::exception& e) {
    // e.what() may quote the offending bytes, which need not be UTF-8.
    return PredictionOutcome::Failure("invalid JSON on stdout: " + ToValidUtf8(e.what()), false);
  }
}

}  // namespace

std::unique_ptr<ExecPredictor> ExecPredictor::Create(const std::string& program,
                                                     const PredictorOptions& options,
                                                     std::string* error) {
  struct stat st;
  if (program.empty() || program[0] != '/') {
    *error = "exec predictor: \"" + ToValidUtf8(program) + "\" is not an absolute path";
  } else if (stat(program.c_str(), &st) != 0) {
    *error = "exec predictor: " + ToValidUtf8(program) + ": " + ErrnoText(errno);
  } else if (!S_ISREG(st.st_mode) || access(program.c_str(), X_OK) != 0) {
    *error = "exec predictor: " + ToValidUtf8(program) + " is not an executable file";
  } else {
    return std::unique_ptr<ExecPredictor>(new ExecPredictor(program, options));
  }
  return nullptr;
}

ExecPredictor::ExecPredictor(std::string program, const PredictorOptions& options)
    : program_(std::move(program)),
      timeout_(options.timeout),
      slots_(static_cast<std::ptrdiff_t>(std::max<size_t>(options.max_concurrency, 1))) {}

PredictionOutcome ExecPredictor::Predict(const PredictionInput& input) {
  slots_.acquire();
  struct Release {
    std::counting_semaphore<>* slots;
    ~Release() { slots->release(); }
  } release{&slots_};
  return Run(input);
}

PredictionOutcome ExecPredictor::Run(const PredictionInput& input) {
  std::unique_ptr<ByteSource> source = input.open ? input.open() : nullptr;
  if (source == nullptr) return PredictionOutcome::Failure("cannot open upload bytes", true);
  const Clock::time_point deadline = Clock::now() + timeout_;
  ScopedSigpipeBlock no_sigpipe;
  Child child;
  int rc =
      SpawnChild(program_, {program_, input.Describe().dump()}, ChildEnvironment(input), &child);
  if (rc != 0) {
    bool transient = rc == EAGAIN || rc == ENOMEM || rc == EMFILE || rc == ENFILE;
    return PredictionOutcome::Failure("cannot run " + ToValidUtf8(program_) + ": " + ErrnoText(rc),
                                      transient);
  }
  ChildPump pump(&child, source.get(), input.size);
  const ChildPump::End end = pump.Run(deadline);
  if (end != ChildPump::End::kExited) KillChild(child.pid);
  const int status = Reap(child.pid);
  LogStderr(name(), input.upload_id, pump);
  switch (end) {
    case ChildPump::End::kTimedOut:
      return PredictionOutcome::Failure("timeout after " + std::to_string(timeout_.count()) + " ms",
                                        true);
    case ChildPump::End::kStdoutTooLarge:
      return PredictionOutcome::Failure("stdout exceeds " + std::to_string(kMaxStdout) + " bytes",
                                        false);
    case ChildPump::End::kFailed:
      return PredictionOutcome::Failure(pump.error, pump.retryable);
    case ChildPump::End::kExited:
      break;
  }
  return InterpretExit(status, pump);
}

}  // namespace tuskd::predict
