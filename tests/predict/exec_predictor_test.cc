#include "predict/exec_predictor.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>

#include <chrono>
#include <fstream>
#include <iterator>
#include <thread>
#include <vector>

#include "predict/utf8.h"
#include "tests/common/scoped_temp_dir.h"
#include "tests/predict/predictor_test_util.h"

namespace tuskd::predict {
namespace {

using Clock = std::chrono::steady_clock;
using predictor_testing::FailingInput;
using predictor_testing::InputOver;

// Dead or a zombie: in a container, PID 1 may never reap the orphans of a killed shell.
bool IsLive(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  size_t paren = text.rfind(") ");
  return paren != std::string::npos && text.size() > paren + 2 && text[paren + 2] != 'Z';
}

class ExecPredictorTest : public ::testing::Test {
 protected:
  // Writes an executable #!/bin/sh script and returns its path.
  std::string Script(const std::string& name, const std::string& body) {
    std::string path = dir_.path() + "/" + name;
    std::ofstream(path) << "#!/bin/sh\n" << body << "\n";
    chmod(path.c_str(), 0755);
    return path;
  }

  std::unique_ptr<ExecPredictor> Make(const std::string& path, int timeout_ms = 10000,
                                      size_t concurrency = 2) {
    std::string error;
    PredictorOptions options;
    options.timeout = std::chrono::milliseconds(timeout_ms);
    options.max_concurrency = concurrency;
    auto predictor = ExecPredictor::Create(path, options, &error);
    EXPECT_NE(predictor, nullptr) << error;
    return predictor;
  }

  PredictionOutcome Run(const std::string& body, const PredictionInput& input,
                        int timeout_ms = 10000) {
    return Make(Script("p.sh", body), timeout_ms)->Predict(input);
  }

  ScopedTempDir dir_;
};

TEST_F(ExecPredictorTest, SuccessReturnsTheProgramsJson) {
  PredictionOutcome outcome =
      Run(R"(cat >/dev/null; echo '{"label": "speech", "score": 0.93}')", InputOver("abc"));
  ASSERT_TRUE(outcome.ok) << outcome.error;
  EXPECT_EQ(outcome.result, (nlohmann::json{{"label", "speech"}, {"score", 0.93}}));
}

TEST_F(ExecPredictorTest, GetsTheDescriptionInArgvAndEnvironment) {
  PredictionInput input = InputOver("hello");
  input.metadata.emplace_back("quote", "it's \"quoted\" $HOME `x`");
  PredictionOutcome outcome =
      Run("printf '{\"argv\": %s, \"argc\": %s, \"id\": \"%s\", \"sha\": \"%s\", \"size\": %s}' "
          "\"$1\" \"$#\" \"$TUSKD_UPLOAD_ID\" \"$TUSKD_SHA256\" \"$TUSKD_SIZE\"",
          input);
  ASSERT_TRUE(outcome.ok) << outcome.error;
  EXPECT_EQ(outcome.result["argv"], input.Describe());
  EXPECT_EQ(outcome.result["argc"], 1);
  EXPECT_EQ(outcome.result["id"], input.upload_id);
  EXPECT_EQ(outcome.result["sha"], input.sha256_hex);
  EXPECT_EQ(outcome.result["size"], 5);
}

TEST_F(ExecPredictorTest, StdinCarriesExactlyTheUploadBytes) {
  std::string bytes(3 * 1024 * 1024 + 17, '\0');
  for (size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<char>(i * 7919 % 251);
  PredictionOutcome outcome =
      Run(R"(set -- $(cksum); echo "{\"cksum\": $1, \"bytes\": $2}")", InputOver(bytes, 10000));
  ASSERT_TRUE(outcome.ok) << outcome.error;
  EXPECT_EQ(outcome.result["bytes"], bytes.size());
  // The same bytes piped through cksum by the shell, for comparison.
  std::string path = dir_.path() + "/bytes";
  std::ofstream(path, std::ios::binary) << bytes;
  PredictionOutcome reference = Run(
      "sum=$(cksum < " + path + R"( | cut -d' ' -f1); echo "{\"cksum\": $sum}")", InputOver(""));
  ASSERT_TRUE(reference.ok) << reference.error;
  EXPECT_EQ(outcome.result["cksum"], reference.result["cksum"]);
}

TEST_F(ExecPredictorTest, EmptyUploadGivesImmediateEof) {
  PredictionOutcome outcome = Run(R"(echo "{\"bytes\": $(wc -c)}")", InputOver(""));
  ASSERT_TRUE(outcome.ok) << outcome.error;
  EXPECT_EQ(outcome.result["bytes"], 0);
}

TEST_F(ExecPredictorTest, ProgramThatIgnoresStdinIsFine) {
  // 8 MiB cannot fit in a pipe: our writes hit EPIPE once the program exits, and the test
  // process (SIGPIPE at its default, fatal) must survive that.
  ASSERT_NE(signal(SIGPIPE, SIG_DFL), SIG_ERR);
  PredictionOutcome outcome =
      Run("echo '{\"ignored\": true}'", InputOver(std::string(8 << 20, 'x')));
  ASSERT_TRUE(outcome.ok) << outcome.error;
  EXPECT_EQ(outcome.result["ignored"], true);
}

TEST_F(ExecPredictorTest, LotsOfOutputBeforeReadingStdinDoesNotDeadlock) {
  // 300 KB to stdout and 200 KB to stderr before reading 2 MiB of stdin: both sides' pipes
  // fill up unless we pump all three at once.
  ::testing::internal::CaptureStderr();  // where the program's stderr is logged
  PredictionOutcome outcome =
      Run("head -c 200000 /dev/zero | tr '\\0' e >&2; printf '{\"pad\": \"'; "
          "head -c 300000 /dev/zero | tr '\\0' x; printf '\", \"bytes\": %s}' \"$(wc -c)\"",
          InputOver(std::string(2 << 20, 'y')));
  ASSERT_TRUE(outcome.ok) << outcome.error;
  EXPECT_EQ(outcome.result["bytes"], 2 << 20);
  EXPECT_EQ(outcome.result["pad"].get<std::string>().size(), 300000u);
  const std::string logged = ::testing::internal::GetCapturedStderr();
  EXPECT_NE(logged.find(std::string(ExecPredictor::kMaxStderr, 'e')), std::string::npos);
  EXPECT_EQ(logged.find(std::string(ExecPredictor::kMaxStderr + 1, 'e')), std::string::npos);
  EXPECT_TRUE(logged.ends_with("] (stderr truncated)\n")) << logged.substr(logged.size() - 100);
}

TEST_F(ExecPredictorTest, NonZeroExitIsNotRetryableAndQuotesStderr) {
  ::testing::internal::CaptureStderr();
  PredictionOutcome outcome =
      Run("echo 'model file missing' >&2; echo 'see docs' >&2; exit 3", InputOver("abc"));
  EXPECT_FALSE(outcome.ok);
  EXPECT_FALSE(outcome.retryable);
  EXPECT_EQ(outcome.error, "exit status 3: model file missing");
  const std::string prefix =
      "[exec:" + dir_.path() + "/p.sh upload " + InputOver("").upload_id + "] ";
  EXPECT_EQ(::testing::internal::GetCapturedStderr(),
            prefix + "model file missing\n" + prefix + "see docs\n");
}

TEST_F(ExecPredictorTest, TempFailExitIsRetryable) {
  PredictionOutcome outcome = Run("exit 75", InputOver("abc"));
  EXPECT_FALSE(outcome.ok);
  EXPECT_TRUE(outcome.retryable);
  EXPECT_EQ(outcome.error, "exit status 75");
}

TEST_F(ExecPredictorTest, InvalidJsonIsNotRetryable) {
  for (const char* body :
       {"echo 'not json'", "true", "echo '{\"a\": 1} trailing'", R"(printf '"\377\376"')"}) {
    PredictionOutcome outcome = Run(body, InputOver("abc"));
    EXPECT_FALSE(outcome.ok) << body;
    EXPECT_FALSE(outcome.retryable) << body;
    EXPECT_TRUE(outcome.error.starts_with("invalid JSON on stdout")) << outcome.error;
    EXPECT_EQ(ValidUtf8Prefix(outcome.error), outcome.error.size()) << outcome.error;
  }
}

TEST_F(ExecPredictorTest, CrashIsRetryable) {
  PredictionOutcome outcome = Run("kill -SEGV $$", InputOver("abc"));
  EXPECT_FALSE(outcome.ok);
  EXPECT_TRUE(outcome.retryable);
  EXPECT_EQ(outcome.error, "killed by signal 11 (SIGSEGV)");
}

TEST_F(ExecPredictorTest, TimeoutKillsTheWholeProcessGroupQuickly) {
  const std::string pid_file = dir_.path() + "/sleep.pid";
  auto start = Clock::now();
  PredictionOutcome outcome =
      Run("sleep 10 & echo $! > " + pid_file + "; wait", InputOver("abc"), 300);
  auto elapsed = Clock::now() - start;
  EXPECT_FALSE(outcome.ok);
  EXPECT_TRUE(outcome.retryable);
  EXPECT_EQ(outcome.error, "timeout after 300 ms");
  EXPECT_LT(elapsed, std::chrono::seconds(2));
  // The shell's child (same process group) is gone too, once init has reaped it.
  pid_t sleeper = 0;
  std::ifstream(pid_file) >> sleeper;
  ASSERT_GT(sleeper, 0);
  bool gone = false;
  for (int i = 0; i < 100 && !gone; ++i) {
    gone = !IsLive(sleeper);
    if (!gone) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_TRUE(gone) << "sleep " << sleeper << " survived";
}

TEST_F(ExecPredictorTest, BackgroundChildHoldingStdoutDoesNotDelayTheResult) {
  auto start = Clock::now();
  PredictionOutcome outcome = Run("sleep 10 & echo '{\"done\": 1}'", InputOver("abc"), 5000);
  ASSERT_TRUE(outcome.ok) << outcome.error;
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(2));
}

TEST_F(ExecPredictorTest, OversizedStdoutIsAnError) {
  PredictionOutcome outcome =
      Run("cat >/dev/null; head -c 2000000 /dev/zero | tr '\\0' x", InputOver("abc"));
  EXPECT_FALSE(outcome.ok);
  EXPECT_FALSE(outcome.retryable);
  EXPECT_EQ(outcome.error, "stdout exceeds 1048576 bytes");
}

TEST_F(ExecPredictorTest, SourceFailureKillsTheProgram) {
  PredictionOutcome outcome =
      Run("cat >/dev/null; echo '{}'", FailingInput(std::string(100000, 'z'), 1 << 20));
  EXPECT_FALSE(outcome.ok);
  EXPECT_TRUE(outcome.retryable);
  EXPECT_EQ(outcome.error, "reading upload bytes: disk on fire");
}

TEST_F(ExecPredictorTest, SourceShorterThanSizeIsNotRetryable) {
  PredictionInput input = InputOver("abc");
  input.size = 10;
  PredictionOutcome outcome = Run("cat >/dev/null; echo '{}'", input);
  EXPECT_FALSE(outcome.ok);
  EXPECT_FALSE(outcome.retryable);
  EXPECT_EQ(outcome.error, "upload bytes: read 3, expected 10");
}

TEST_F(ExecPredictorTest, NoMoreThanMaxConcurrencyProgramsRunAtOnce) {
  // Each run marks itself in a directory, counts the marks, and lingers.
  const std::string marks = dir_.path() + "/running";
  mkdir(marks.c_str(), 0755);
  auto predictor = Make(Script("count.sh", "cat >/dev/null; touch " + marks + "/$$; n=$(ls " +
                                               marks + " | wc -l); sleep 0.2; rm " + marks +
                                               R"(/$$; echo "{\"running\": $n}")"),
                        10000, 2);
  std::vector<std::thread> threads;
  std::vector<PredictionOutcome> outcomes(6);
  for (PredictionOutcome& outcome : outcomes) {
    threads.emplace_back(
        [&predictor, &outcome] { outcome = predictor->Predict(InputOver("abc")); });
  }
  for (std::thread& t : threads) t.join();
  for (const PredictionOutcome& outcome : outcomes) {
    ASSERT_TRUE(outcome.ok) << outcome.error;
    EXPECT_LE(outcome.result["running"].get<int>(), 2);
  }
}

TEST_F(ExecPredictorTest, CreateRefusesWhatCannotRun) {
  std::string error;
  EXPECT_EQ(ExecPredictor::Create("p.sh", {}, &error), nullptr);
  EXPECT_EQ(ExecPredictor::Create(dir_.path(), {}, &error), nullptr);
  std::string not_executable = Script("plain.sh", "echo '{}'");
  chmod(not_executable.c_str(), 0644);
  EXPECT_EQ(ExecPredictor::Create(not_executable, {}, &error), nullptr);
  EXPECT_NE(error.find("not an executable file"), std::string::npos) << error;
}

TEST_F(ExecPredictorTest, VanishedProgramIsAnErrorNotACrash) {
  std::string path = Script("gone.sh", "echo '{}'");
  auto predictor = Make(path);
  unlink(path.c_str());
  PredictionOutcome outcome = predictor->Predict(InputOver("abc"));
  EXPECT_FALSE(outcome.ok);
  EXPECT_FALSE(outcome.retryable);
  EXPECT_NE(outcome.error.find("No such file"), std::string::npos) << outcome.error;
}

}  // namespace
}  // namespace tuskd::predict
