// The log module: the text line is the old prefix plus the message; the JSON line is one object
// with ts/level/component/msg and the fields, escaped so it is always one line; Log writes the
// current format to stderr; and lines from many threads arrive whole, even past PIPE_BUF.
#include "base/log.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace tuskd {
namespace {

using std::chrono::system_clock;

// 2025-03-04T05:06:07.089Z
const system_clock::time_point kInstant =
    system_clock::time_point(std::chrono::milliseconds(1741064767089));

// Points fd 2 at a pipe and drains it on a thread (so writers never block on a full pipe);
// Finish() puts stderr back and returns everything written meanwhile.
class StderrCapture {
 public:
  StderrCapture() {
    int fds[2];
    if (::pipe(fds) != 0) throw std::runtime_error("pipe failed");
    saved_ = ::dup(STDERR_FILENO);
    ::dup2(fds[1], STDERR_FILENO);
    ::close(fds[1]);
    read_fd_ = fds[0];
    reader_ = std::thread([this] {
      char buffer[65536];
      for (ssize_t n; (n = ::read(read_fd_, buffer, sizeof(buffer))) > 0;) text_.append(buffer, n);
    });
  }
  ~StderrCapture() { Finish(); }

  std::string Finish() {
    if (saved_ < 0) return text_;
    ::dup2(saved_, STDERR_FILENO);  // drops the last write end: the reader sees EOF
    ::close(saved_);
    saved_ = -1;
    reader_.join();
    ::close(read_fd_);
    return text_;
  }

 private:
  int saved_ = -1;
  int read_fd_ = -1;
  std::thread reader_;
  std::string text_;
};

// Every test leaves the process-wide format as main would find it.
class LogTest : public ::testing::Test {
 protected:
  ~LogTest() override { SetLogFormat(LogFormat::kText); }
};

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

TEST_F(LogTest, TextLineIsThePrefixAndTheMessage) {
  LogEntry entry{LogLevel::kWarn, kStoreLog, "recovery: upload abc: gone", {{"upload_id", "abc"}}};
  EXPECT_EQ(FormatLogLine(entry, LogFormat::kText, kInstant),
            "tuskd store: recovery: upload abc: gone\n");
  entry.component = kServerLog;
  entry.message = "shutting down";
  EXPECT_EQ(FormatLogLine(entry, LogFormat::kText, kInstant), "tuskd: shutting down\n");
}

TEST_F(LogTest, JsonLineHasTimestampLevelComponentMessageAndFields) {
  LogEntry entry{LogLevel::kError,
                 kPredictionLog,
                 "recording a prediction failed",
                 {{"sha256", "ab12"}, {"attempt", 3}}};
  const std::string line = FormatLogLine(entry, LogFormat::kJson, kInstant);
  ASSERT_TRUE(line.ends_with("}\n")) << line;
  EXPECT_EQ(line.find('\n'), line.size() - 1) << line;
  // The fixed keys lead, in this order, so a human scanning the log finds them.
  EXPECT_EQ(line.rfind(R"({"ts":"2025-03-04T05:06:07.089Z","level":"error",)", 0), 0u) << line;
  nlohmann::json parsed = nlohmann::json::parse(line);
  EXPECT_EQ(parsed["component"], "prediction");
  EXPECT_EQ(parsed["msg"], "recording a prediction failed");
  EXPECT_EQ(parsed["sha256"], "ab12");
  EXPECT_EQ(parsed["attempt"], 3);
  EXPECT_EQ(parsed.size(), 6u);
}

TEST_F(LogTest, JsonLevelsAndMillisecondPadding) {
  const system_clock::time_point epoch_plus_5ms(std::chrono::milliseconds(5));
  const std::pair<LogLevel, const char*> levels[] = {
      {LogLevel::kInfo, "info"}, {LogLevel::kWarn, "warn"}, {LogLevel::kError, "error"}};
  for (const auto& [level, name] : levels) {
    LogEntry entry{level, kServerLog, "m", nullptr};
    nlohmann::json parsed =
        nlohmann::json::parse(FormatLogLine(entry, LogFormat::kJson, epoch_plus_5ms));
    EXPECT_EQ(parsed["level"], name);
    EXPECT_EQ(parsed["ts"], "1970-01-01T00:00:00.005Z");
  }
}

TEST_F(LogTest, JsonEscapesSpecialCharactersAndStaysOneLine) {
  const std::string message =
      "quote \" backslash \\ newline \n tab \t bell \x07 caf\xc3\xa9 bad \xff!";
  LogEntry entry{LogLevel::kWarn, kStoreLog, message, {{"path", "/tmp/a\nb"}}};
  const std::string line = FormatLogLine(entry, LogFormat::kJson, kInstant);
  EXPECT_EQ(line.find('\n'), line.size() - 1) << line;
  nlohmann::json parsed = nlohmann::json::parse(line);
  // Invalid UTF-8 becomes U+FFFD instead of an exception or an unparsable line.
  EXPECT_EQ(parsed["msg"],
            "quote \" backslash \\ newline \n tab \t bell \x07 caf\xc3\xa9 bad \xef\xbf\xbd!");
  EXPECT_EQ(parsed["path"], "/tmp/a\nb");
}

TEST_F(LogTest, FieldsCannotOverrideTheFixedKeys) {
  LogEntry entry{LogLevel::kInfo, kServerLog, "real", {{"msg", "fake"}, {"level", "error"}}};
  nlohmann::json parsed = nlohmann::json::parse(FormatLogLine(entry, LogFormat::kJson, kInstant));
  EXPECT_EQ(parsed["msg"], "real");
  EXPECT_EQ(parsed["level"], "info");
}

TEST_F(LogTest, LogWritesTheCurrentFormatToStderr) {
  StderrCapture capture;
  Log(LogLevel::kInfo, kServerLog, "shutting down");
  SetLogFormat(LogFormat::kJson);
  Log(LogLevel::kWarn, kStoreLog, "sweep: broken", {{"upload_id", "u1"}});
  std::vector<std::string> lines = Lines(capture.Finish());
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0], "tuskd: shutting down");
  nlohmann::json parsed = nlohmann::json::parse(lines[1]);
  EXPECT_EQ(parsed["component"], "store");
  EXPECT_EQ(parsed["level"], "warn");
  EXPECT_EQ(parsed["msg"], "sweep: broken");
  EXPECT_EQ(parsed["upload_id"], "u1");
  EXPECT_TRUE(std::regex_match(parsed["ts"].get<std::string>(),
                               std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)")))
      << parsed["ts"];
}

TEST_F(LogTest, LogTogetherWritesABlockInOrder) {
  StderrCapture capture;
  const LogComponent component{"predictor", "[exec:/p upload u1] "};
  const LogEntry entries[] = {{LogLevel::kInfo, component, "one", nullptr},
                              {LogLevel::kWarn, component, "(stderr truncated)", nullptr}};
  LogTogether(entries);
  EXPECT_EQ(capture.Finish(), "[exec:/p upload u1] one\n[exec:/p upload u1] (stderr truncated)\n");
}

TEST_F(LogTest, ConcurrentWritersProduceWholeLines) {
  SetLogFormat(LogFormat::kJson);
  constexpr int kThreads = 8;
  constexpr int kLinesEach = 100;
  // Longer than PIPE_BUF (4096), where a pipe stops keeping a lone write(2) whole.
  const std::string padding(6000, 'x');
  StderrCapture capture;
  std::vector<std::thread> writers;
  writers.reserve(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    writers.emplace_back([t, &padding] {
      for (int i = 0; i < kLinesEach; ++i) {
        Log(LogLevel::kInfo, kServerLog, padding, {{"thread", t}, {"i", i}});
      }
    });
  }
  for (std::thread& writer : writers) writer.join();
  std::vector<std::string> lines = Lines(capture.Finish());
  ASSERT_EQ(lines.size(), size_t{kThreads} * kLinesEach);
  std::vector<int> next(kThreads, 0);
  for (const std::string& line : lines) {
    nlohmann::json parsed = nlohmann::json::parse(line, nullptr, false);
    ASSERT_FALSE(parsed.is_discarded()) << line.substr(0, 200);
    ASSERT_EQ(parsed["msg"], padding);
    const int t = parsed["thread"];
    EXPECT_EQ(parsed["i"], next[t]++);  // each thread's lines arrive in its own order
  }
}

}  // namespace
}  // namespace tuskd
