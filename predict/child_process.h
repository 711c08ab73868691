// ChildProcess: one program run without a shell, with its stdin, stdout and stderr on pipes,
// in a process group of its own so that it and everything it starts can be killed together.
// Communicate() feeds stdin and drains stdout and stderr with poll() until the program exits or
// a deadline passes; KillAndReap() kills what is left of the group and collects the exit
// status. The destructor does the same if nobody did, so a ChildProcess never leaves a process
// behind. Not thread-safe: one thread drives one child, but many threads may each spawn and
// drive their own at once (every descriptor we open is close-on-exec until it is the child's
// 0-2). Requires SIGCHLD not to be set to SIG_IGN, so that the child stays waitable until it is
// reaped.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "predict/unique_fd.h"

namespace tuskd::predict {

class ChildProcess {
 public:
  using Clock = std::chrono::steady_clock;

  // Supplies the child's stdin a piece at a time: fills a prefix of `out` and stores its length
  // in *n; *n == 0 means the end, and stdin is closed so the program sees EOF. Returns false to
  // stop the run (Communicate then returns kStdinFailed; the caller knows why).
  using StdinSource = std::function<bool(std::span<char> out, size_t* n)>;

  // How Communicate ended.
  enum class End {
    kExited,          // the program exited and its stdout and stderr reached EOF
    kTimedOut,        // the deadline passed first
    kStdoutTooLarge,  // stdout went past max_stdout
    kStdinFailed,     // the StdinSource returned false
    kPollFailed,      // poll() failed; Output::error says how
  };

  struct Limits {
    size_t max_stdout = 0;  // more than this ends the run with kStdoutTooLarge
    size_t max_stderr = 0;  // more than this is dropped (stderr_truncated) but still drained
  };

  struct Output {
    std::string stdout_text;  // at most max_stdout bytes
    std::string stderr_text;  // at most max_stderr bytes
    bool stderr_truncated = false;
    std::string error;  // for End::kPollFailed
  };

  // Starts `program` (an absolute path) with `argv` (argv[0] included) and exactly `env` as
  // its environment, stdin/stdout/stderr on fresh pipes, a new process group, default signal
  // dispositions, an empty signal mask and no other descriptor of ours open. Returns nullptr
  // with the errno in *error (ENOENT, EACCES, EAGAIN, ...) when it cannot; nothing runs then.
  static std::unique_ptr<ChildProcess> Spawn(const std::string& program,
                                             std::vector<std::string> argv,
                                             std::vector<std::string> env, int* error);
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  // KillAndReap() unless that was done.
  ~ChildProcess();

  // Moves bytes from `source` to the child's stdin and from its stdout and stderr to *output,
  // all at once, so a program that writes a lot before it reads (or never reads) cannot
  // deadlock us. A program may stop reading stdin early: EPIPE just ends the feeding (SIGPIPE
  // is blocked in this thread meanwhile). Once the program exits, the rest of its group is
  // killed, since leftovers would hold the output pipes open. Call once.
  End Communicate(const StdinSource& source, Clock::time_point deadline, const Limits& limits,
                  Output* output);

  // Kills the process group (and the child, should it have left the group), waits for the
  // child and returns its wait status (see waitpid). Call once.
  int KillAndReap();

 private:
  class Pump;

  ChildProcess() = default;
  void KillGroup() const;

  pid_t pid_ = -1;
  bool reaped_ = false;
  UniqueFd pidfd_;  // readable once the child exits; invalid if the kernel lacks pidfd_open
  UniqueFd stdin_, stdout_, stderr_;  // our non-blocking ends
};

}  // namespace tuskd::predict
