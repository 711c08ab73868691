#include "predict/child_process.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace tuskd::predict {
namespace {

using Clock = ChildProcess::Clock;

// Serves `bytes` as stdin, in one piece, then the end.
ChildProcess::StdinSource StdinOf(std::string_view bytes) {
  return [bytes](std::span<char> out, size_t* n) mutable {
    *n = std::min(out.size(), bytes.size());
    std::memcpy(out.data(), bytes.data(), *n);
    bytes.remove_prefix(*n);
    return true;
  };
}

std::unique_ptr<ChildProcess> Shell(const std::string& script, std::vector<std::string> env = {}) {
  int error = 0;
  auto child = ChildProcess::Spawn("/bin/sh", {"sh", "-c", script}, std::move(env), &error);
  EXPECT_NE(child, nullptr) << std::strerror(error);
  return child;
}

constexpr ChildProcess::Limits kLimits{1 << 20, 1 << 16};

TEST(ChildProcessTest, PipesStdinThroughAndCollectsStdoutStderrAndStatus) {
  auto child = Shell("cat; echo oops >&2; exit 4");
  ChildProcess::Output output;
  EXPECT_EQ(child->Communicate(StdinOf("hello"), Clock::now() + std::chrono::seconds(10), kLimits,
                               &output),
            ChildProcess::End::kExited);
  const int status = child->KillAndReap();
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 4);
  EXPECT_EQ(output.stdout_text, "hello");
  EXPECT_EQ(output.stderr_text, "oops\n");
  EXPECT_FALSE(output.stderr_truncated);
}

TEST(ChildProcessTest, EnvironmentIsExactlyTheOneGiven) {
  auto child = Shell("echo \"$GREETING:${HOME:-unset}\"", {"GREETING=hi"});
  ChildProcess::Output output;
  EXPECT_EQ(
      child->Communicate(StdinOf(""), Clock::now() + std::chrono::seconds(10), kLimits, &output),
      ChildProcess::End::kExited);
  EXPECT_EQ(output.stdout_text, "hi:unset\n");
}

TEST(ChildProcessTest, StdoutPastTheLimitEndsTheRun) {
  auto child = Shell("head -c 100000 /dev/zero");
  ChildProcess::Output output;
  EXPECT_EQ(child->Communicate(StdinOf(""), Clock::now() + std::chrono::seconds(10), {1000, 1000},
                               &output),
            ChildProcess::End::kStdoutTooLarge);
  EXPECT_EQ(output.stdout_text.size(), 1000u);
  child->KillAndReap();
}

TEST(ChildProcessTest, StderrPastTheLimitIsCutButDrained) {
  auto child = Shell("head -c 100000 /dev/zero >&2; echo done");
  ChildProcess::Output output;
  EXPECT_EQ(child->Communicate(StdinOf(""), Clock::now() + std::chrono::seconds(10), {1000, 1000},
                               &output),
            ChildProcess::End::kExited);
  EXPECT_EQ(output.stderr_text.size(), 1000u);
  EXPECT_TRUE(output.stderr_truncated);
  EXPECT_EQ(output.stdout_text, "done\n");
}

TEST(ChildProcessTest, AFailingStdinSourceStopsTheRunAndKillAndReapKills) {
  auto child = Shell("cat >/dev/null; echo finished");
  ChildProcess::Output output;
  const ChildProcess::StdinSource failing = [](std::span<char>, size_t*) { return false; };
  EXPECT_EQ(child->Communicate(failing, Clock::now() + std::chrono::seconds(10), kLimits, &output),
            ChildProcess::End::kStdinFailed);
  const int status = child->KillAndReap();
  ASSERT_TRUE(WIFSIGNALED(status));
  EXPECT_EQ(WTERMSIG(status), SIGKILL);
  EXPECT_EQ(output.stdout_text, "");
}

TEST(ChildProcessTest, TheDeadlineEndsTheRun) {
  auto child = Shell("sleep 10");
  ChildProcess::Output output;
  const Clock::time_point start = Clock::now();
  EXPECT_EQ(
      child->Communicate(StdinOf(""), start + std::chrono::milliseconds(200), kLimits, &output),
      ChildProcess::End::kTimedOut);
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(2));
  EXPECT_TRUE(WIFSIGNALED(child->KillAndReap()));
}

TEST(ChildProcessTest, SpawnFailureReportsTheErrno) {
  int error = 0;
  EXPECT_EQ(ChildProcess::Spawn("/nonexistent/tuskd-child", {"x"}, {}, &error), nullptr);
  EXPECT_EQ(error, ENOENT);
}

}  // namespace
}  // namespace tuskd::predict
