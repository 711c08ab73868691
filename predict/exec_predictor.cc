#include "predict/exec_predictor.h"

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>  // also declares environ (_GNU_SOURCE)

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <span>
#include <string_view>
#include <utility>
#include <vector>

#include "base/errno_text.h"
#include "base/log.h"
#include "predict/child_process.h"
#include "predict/utf8.h"

namespace tuskd::predict {
namespace {

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

// The upload's bytes as the program's stdin. Stops the run when the source fails, or holds a
// different number of bytes than the upload's size, and says why.
class UploadFeed {
 public:
  UploadFeed(ByteSource* source, uint64_t expected_size)
      : source_(source), expected_size_(expected_size) {}

  // A ChildProcess::StdinSource.
  bool Read(std::span<char> out, size_t* n) {
    std::string read_error;
    if (!source_->Read(out, n, &read_error)) {
      return Fail("reading upload bytes: " + read_error, true);
    }
    *n = std::min(*n, out.size());
    source_bytes_ += *n;
    if (source_bytes_ > expected_size_ || (*n == 0 && source_bytes_ != expected_size_)) {
      return Fail("upload bytes: read " + std::to_string(source_bytes_) + ", expected " +
                      std::to_string(expected_size_),
                  false);
    }
    return true;
  }

  const std::string& error() const { return error_; }
  bool retryable() const { return retryable_; }

 private:
  bool Fail(std::string message, bool retryable) {
    error_ = std::move(message);
    retryable_ = retryable;
    return false;
  }

  ByteSource* source_;
  const uint64_t expected_size_;
  uint64_t source_bytes_ = 0;
  std::string error_;
  bool retryable_ = false;
};

// Each line of the program's stderr becomes a log line: "[name upload id] line" in text, as it
// always was, or a JSON object with the predictor and upload id as fields.
void LogStderr(const std::string& name, const std::string& upload_id,
               const ChildProcess::Output& output) {
  if (output.stderr_text.empty()) return;
  const std::string prefix = "[" + name + " upload " + upload_id + "] ";
  const LogComponent component{"predictor", prefix};
  const nlohmann::json fields = {{"predictor", name}, {"upload_id", upload_id}};
  std::vector<LogEntry> lines;
  size_t start = 0;
  while (start < output.stderr_text.size()) {
    size_t end = output.stderr_text.find('\n', start);
    if (end == std::string::npos) end = output.stderr_text.size();
    lines.push_back(
        {LogLevel::kInfo, component, output.stderr_text.substr(start, end - start), fields});
    start = end + 1;
  }
  if (output.stderr_truncated) {
    lines.push_back({LogLevel::kWarn, component, "(stderr truncated)", fields});
  }
  LogTogether(lines);  // one write keeps the program's lines together
}

// The first line of the program's stderr, shortened, to make an exit status meaningful.
std::string StderrHint(const std::string& stderr_text) {
  std::string line = stderr_text.substr(0, stderr_text.find('\n')).substr(0, 200);
  return line.empty() ? "" : ": " + ToValidUtf8(line);
}

PredictionOutcome InterpretExit(int status, const ChildProcess::Output& output) {
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
        "exit status " + std::to_string(code) + StderrHint(output.stderr_text),
        code == ExecPredictor::kExitTempFail);
  }
  try {
    return PredictionOutcome::Success(nlohmann::json::parse(output.stdout_text));
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
  const ChildProcess::Clock::time_point deadline = ChildProcess::Clock::now() + timeout_;
  int spawn_error = 0;
  std::unique_ptr<ChildProcess> child = ChildProcess::Spawn(
      program_, {program_, input.Describe().dump()}, ChildEnvironment(input), &spawn_error);
  if (child == nullptr) {
    const int rc = spawn_error;
    const bool transient = rc == EAGAIN || rc == ENOMEM || rc == EMFILE || rc == ENFILE;
    return PredictionOutcome::Failure("cannot run " + ToValidUtf8(program_) + ": " + ErrnoText(rc),
                                      transient);
  }
  UploadFeed feed(source.get(), input.size);
  ChildProcess::Output output;
  const ChildProcess::End end =
      child->Communicate([&feed](std::span<char> out, size_t* n) { return feed.Read(out, n); },
                         deadline, {kMaxStdout, kMaxStderr}, &output);
  const int status = child->KillAndReap();
  LogStderr(name(), input.upload_id, output);
  switch (end) {
    case ChildProcess::End::kTimedOut:
      return PredictionOutcome::Failure("timeout after " + std::to_string(timeout_.count()) + " ms",
                                        true);
    case ChildProcess::End::kStdoutTooLarge:
      return PredictionOutcome::Failure("stdout exceeds " + std::to_string(kMaxStdout) + " bytes",
                                        false);
    case ChildProcess::End::kStdinFailed:
      return PredictionOutcome::Failure(feed.error(), feed.retryable());
    case ChildProcess::End::kPollFailed:
      return PredictionOutcome::Failure(output.error, true);
    case ChildProcess::End::kExited:
      break;
  }
  return InterpretExit(status, output);
}

}  // namespace tuskd::predict
