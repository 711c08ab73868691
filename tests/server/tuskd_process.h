// A real tuskd process for server tests: started from TUSKD_BINARY on 127.0.0.1 with a free port
// and a fresh temporary data directory, stopped by its PID (never by name). The data directory
// survives Restart() and Kill9(), so crash and shutdown tests can start a new process on it; it
// is removed when the object is destroyed. Not thread-safe: one test thread drives it.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace tuskd::server::testing {

class TuskdProcess {
 public:
  // Runs TUSKD_BINARY, or $TUSKD_TEST_BINARY when set (e.g. to run the suite against a release or
  // sanitizer build). `extra_flags` follow --host, --port and --data-dir (a later flag wins).
  explicit TuskdProcess(std::vector<std::string> extra_flags = {});
  // On `data_dir`, which the test owns and which is left in place (tuskctl tests build a data
  // directory, then run tuskd on it).
  TuskdProcess(std::string data_dir, std::vector<std::string> extra_flags);
  ~TuskdProcess();  // Stop(), then removes its temporary directory (and data dir, unless given)
  TuskdProcess(const TuskdProcess&) = delete;
  TuskdProcess& operator=(const TuskdProcess&) = delete;

  // Starts the server and waits (up to 20 s) for its listening line. Returns false and sets
  // *error (with the server's stderr) when it exits or stays silent instead.
  bool Start(std::string* error);
  // SIGTERM, wait up to `grace` for the exit, then SIGKILL. Returns the exit code, or
  // 128 + signal number when a signal ended it, or -1 when nothing was running.
  int Stop(std::chrono::milliseconds grace = std::chrono::seconds(5));
  // Sends SIGTERM and returns at once (shutdown tests watch what clients see meanwhile).
  void SendTerm();
  // Waits up to `timeout` for the process to end; the exit code as for Stop(), or -1 on timeout.
  int WaitForExit(std::chrono::milliseconds timeout);
  // SIGKILL, as a crash would, and reaps the process.
  void Kill9();
  // Stop() if running, then Start() again on the same data directory (with a new port).
  bool Restart(std::string* error);

  bool running() const { return pid_ > 0; }
  // Reaps the process if it has ended on its own (a crash); false then, with last_exit_code().
  bool Alive();
  int last_exit_code() const { return last_exit_code_; }
  pid_t pid() const { return pid_; }
  uint16_t port() const { return port_; }
  const std::string& data_dir() const { return data_dir_; }
  // "127.0.0.1:<port>", for Host headers and absolute-form targets.
  std::string authority() const;
  // What the server wrote on stderr since it last started (for failure messages).
  std::string Log() const;

 private:
  std::vector<std::string> extra_flags_;
  std::string temp_root_;  // mkdtemp directory: data/ and tuskd.log inside
  std::string data_dir_;
  std::string log_path_;
  size_t log_start_ = 0;  // where the current run's stderr begins in the log
  pid_t pid_ = -1;
  int stdout_fd_ = -1;  // kept open so the server never writes into a closed pipe
  uint16_t port_ = 0;
  int last_exit_code_ = -1;
};

}  // namespace tuskd::server::testing
