#include "tests/server/tuskd_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace tuskd::server::testing {
namespace {

constexpr auto kStartTimeout = std::chrono::seconds(20);
constexpr std::string_view kListening = "tuskd listening on ";

int ExitCodeOf(int wait_status) {
  if (WIFEXITED(wait_status)) return WEXITSTATUS(wait_status);
  if (WIFSIGNALED(wait_status)) return 128 + WTERMSIG(wait_status);
  return -1;
}

// The port in "tuskd listening on http(s)://127.0.0.1:<port>/files/"; 0 when the line is not one.
uint16_t PortFromListeningLine(std::string_view line) {
  size_t start = line.find(kListening);
  if (start == std::string_view::npos) return 0;
  std::string_view rest = line.substr(start + kListening.size());
  size_t scheme_end = rest.find("://");
  if (scheme_end == std::string_view::npos) return 0;
  rest = rest.substr(scheme_end + 3);
  rest = rest.substr(0, rest.find('/'));
  size_t colon = rest.rfind(':');
  if (colon == std::string_view::npos) return 0;
  int port = std::atoi(std::string(rest.substr(colon + 1)).c_str());
  return port > 0 && port < 65536 ? static_cast<uint16_t>(port) : 0;
}

}  // namespace

TuskdProcess::TuskdProcess(std::vector<std::string> extra_flags)
    : extra_flags_(std::move(extra_flags)) {
  const char* base = std::getenv("TMPDIR");
  std::string pattern = std::string(base != nullptr ? base : "/tmp") + "/tuskd-server-XXXXXX";
  if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  temp_root_ = pattern;
  data_dir_ = temp_root_ + "/data";
  log_path_ = temp_root_ + "/tuskd.log";
}

TuskdProcess::TuskdProcess(std::string data_dir, std::vector<std::string> extra_flags)
    : TuskdProcess(std::move(extra_flags)) {
  data_dir_ = std::move(data_dir);
}

TuskdProcess::~TuskdProcess() {
  Stop();
  std::error_code ignored;
  std::filesystem::remove_all(temp_root_, ignored);
}

std::string TuskdProcess::authority() const { return "127.0.0.1:" + std::to_string(port_); }

std::string TuskdProcess::Log() const {
  std::ifstream in(log_path_);
  in.seekg(static_cast<std::streamoff>(log_start_));
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

namespace {

// Reads `fd` (the server's stdout) until the listening line, the process's end, or the timeout.
std::string ReadListeningLine(int fd) {
  std::string line;
  auto deadline = std::chrono::steady_clock::now() + kStartTimeout;
  while (line.find('\n') == std::string::npos) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    pollfd p{fd, POLLIN, 0};
    int ready = ::poll(&p, 1, static_cast<int>(left.count()));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) break;
    char chunk[512];
    ssize_t n = ::read(fd, chunk, sizeof(chunk));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // the server closed stdout: it exited
    line.append(chunk, static_cast<size_t>(n));
  }
  return line;
}

}  // namespace

bool TuskdProcess::Start(std::string* error) {
  if (running()) {
    *error = "already running";
    return false;
  }
  const char* binary = std::getenv("TUSKD_TEST_BINARY");
  std::vector<std::string> args = {binary != nullptr && *binary ? binary : TUSKD_BINARY,
                                   "--host",
                                   "127.0.0.1",
                                   "--port",
                                   "0",
                                   "--data-dir",
                                   data_dir_};
  args.insert(args.end(), extra_flags_.begin(), extra_flags_.end());
  std::vector<char*> argv;
  for (auto& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);

  std::error_code ignored;
  log_start_ = std::filesystem::exists(log_path_, ignored)
                   ? static_cast<size_t>(std::filesystem::file_size(log_path_, ignored))
                   : 0;
  int out[2];
  if (::pipe2(out, O_CLOEXEC) != 0) {
    *error = "pipe failed";
    return false;
  }
  const pid_t parent = ::getpid();
  pid_t pid = ::fork();
  if (pid == 0) {
    // Only async-signal-safe calls until exec. The server dies with the test process, so a
    // crashed test never leaves servers behind.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);
    ::dup2(out[1], STDOUT_FILENO);
    int log = ::open(log_path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (log >= 0) ::dup2(log, STDERR_FILENO);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  ::close(out[1]);
  if (pid < 0) {
    ::close(out[0]);
    *error = std::string("fork failed: ") + std::strerror(errno);
    return false;
  }
  pid_ = pid;
  stdout_fd_ = out[0];

  std::string line = ReadListeningLine(stdout_fd_);
  port_ = PortFromListeningLine(line);
  if (port_ == 0) {
    int code = Stop(std::chrono::seconds(1));
    *error = "tuskd did not report a listening port (stdout: '" + line + "', exit code " +
             std::to_string(code) + ")\nstderr:\n" + Log();
    return false;
  }
  return true;
}

bool TuskdProcess::Alive() {
  if (running()) WaitForExit(std::chrono::milliseconds(0));
  return running();
}

void TuskdProcess::SendTerm() {
  if (running()) ::kill(pid_, SIGTERM);
}

int TuskdProcess::WaitForExit(std::chrono::milliseconds timeout) {
  if (!running()) return -1;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    int wait_status = 0;
    pid_t done = ::waitpid(pid_, &wait_status, WNOHANG);
    if (done == pid_ || (done < 0 && errno != EINTR)) {
      pid_ = -1;
      if (stdout_fd_ >= 0) ::close(stdout_fd_);
      stdout_fd_ = -1;
      last_exit_code_ = done > 0 ? ExitCodeOf(wait_status) : -1;
      return last_exit_code_;
    }
    if (std::chrono::steady_clock::now() >= deadline) return -1;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

int TuskdProcess::Stop(std::chrono::milliseconds grace) {
  if (!running()) return -1;
  ::kill(pid_, SIGTERM);
  int code = WaitForExit(grace);
  if (running()) {
    ::kill(pid_, SIGKILL);
    code = WaitForExit(std::chrono::seconds(5));
  }
  return code;
}

void TuskdProcess::Kill9() {
  if (!running()) return;
  ::kill(pid_, SIGKILL);
  WaitForExit(std::chrono::seconds(5));
}

bool TuskdProcess::Restart(std::string* error) {
  Stop();
  return Start(error);
}

}  // namespace tuskd::server::testing
