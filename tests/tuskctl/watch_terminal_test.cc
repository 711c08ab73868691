// tuskctl watch on a real terminal (a pseudo-terminal): it draws in the alternate screen with
// the cursor hidden, and Ctrl-C (SIGINT) ends it with both restored and exit code 0.
#include <gtest/gtest.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>

#include "tests/tuskctl/tuskctl_test_util.h"

namespace tuskd::tuskctl::testing {
namespace {

using Clock = std::chrono::steady_clock;

// Reads from the terminal's master side until `needle` shows up, EOF, or the timeout.
bool ReadUntil(int fd, std::string* out, std::string_view needle, std::chrono::seconds timeout) {
  auto deadline = Clock::now() + timeout;
  while (Clock::now() < deadline) {
    if (!needle.empty() && out->find(needle) != std::string::npos) return true;
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 100) <= 0) continue;
    char buffer[4096];
    ssize_t n = ::read(fd, buffer, sizeof(buffer));
    if (n <= 0) return needle.empty();  // EIO once the child closed the terminal
    out->append(buffer, static_cast<size_t>(n));
  }
  return false;
}

TEST(WatchTerminalTest, AlternateScreenIsRestoredOnCtrlC) {
  TempDir dir;
  std::string id;
  {
    DirectStore store(dir.path());
    id = store.Create(1 << 20, "movie.mkv", UnixNow() - 10);
    store.Append(id, TestBytes(256 << 10, 51), UnixNow() - 5);
  }
  winsize size = {};
  size.ws_row = 24;
  size.ws_col = 80;
  int master = -1;
  pid_t pid = ::forkpty(&master, nullptr, nullptr, &size);
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    ::setenv("TERM", "xterm", 1);
    ::unsetenv("NO_COLOR");
    ::execl(TUSKCTL_BINARY, TUSKCTL_BINARY, "--data-dir", dir.path().c_str(), "watch", "--interval",
            "0.2", static_cast<char*>(nullptr));
    ::_exit(127);
  }
  std::string screen;
  bool drawn = ReadUntil(master, &screen, "1 receiving", std::chrono::seconds(20));
  ::kill(pid, SIGINT);
  ReadUntil(master, &screen, "", std::chrono::seconds(10));
  int status = 0;
  ::waitpid(pid, &status, 0);
  ::close(master);

  ASSERT_TRUE(drawn) << screen;
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  EXPECT_TRUE(screen.starts_with("\x1b[?1049h\x1b[?25l")) << screen.substr(0, 40);
  EXPECT_NE(screen.find(id.substr(0, 12)), std::string::npos);
  EXPECT_NE(screen.find("[#####"), std::string::npos) << "a progress bar";
  EXPECT_NE(screen.find("\x1b[36m"), std::string::npos) << "colors on a terminal";
  EXPECT_TRUE(screen.ends_with("\x1b[?25h\x1b[?1049l")) << screen.substr(screen.size() - 40);
}

}  // namespace
}  // namespace tuskd::tuskctl::testing
