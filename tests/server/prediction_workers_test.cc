// The prediction workers over the completion pipeline: each content predicted once, however
// many uploads and workers (I7), queued jobs surviving a restart, failures and vanished uploads.
#include "server/prediction_workers.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "tests/store/completion_pipeline_fixture.h"

namespace tuskd::store {
namespace {

// Counts its runs and reports the bytes it read; fails while `failures` lasts.
class CountingPredictor : public predict::Predictor {
 public:
  std::string name() const override { return "test:counting"; }
  predict::PredictionOutcome Predict(const predict::PredictionInput& input) override {
    runs++;
    if (failures > 0) {
      failures--;
      return predict::PredictionOutcome::Failure("induced", retryable);
    }
    auto source = input.open();
    std::string bytes;
    char buf[7];
    size_t n = 0;
    std::string error;
    while (source->Read(buf, &n, &error) && n > 0) bytes.append(buf, n);
    return predict::PredictionOutcome::Success({{"bytes", bytes}, {"id", input.upload_id}});
  }
  std::atomic<int> runs{0};
  std::atomic<int> failures{0};
  bool retryable = true;
};

class PredictionWorkersTest : public CompletionPipelineTest {
 protected:
  // Runs the workers until `sha256` is no longer queued (bounded).
  void RunWorkersUntilDone(CountingPredictor& predictor, const std::string& sha256,
                           RetryPolicy retry = {}) {
    server::PredictionWorkers workers(
        store_.get(), std::shared_ptr<predict::Predictor>(&predictor, [](auto*) {}), retry, 2);
    workers.Start();
    // Generous: on a loaded CI machine a worker thread may wait seconds for a core.
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (std::chrono::steady_clock::now() < deadline) {
      PredictionStatus status;
      bool known = store_->pipeline().StatusFor(sha256, &status).ok();
      if (known &&
          (status.state == PredictionState::kDone || status.state == PredictionState::kFailed))
        break;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    workers.Stop();
  }
};

TEST_F(PredictionWorkersTest, SameContentTwiceRunsThePredictorOnce) {
  CountingPredictor predictor;
  const std::string sha = OneShotSha256Hex("recording");
  std::string first = Upload("recording");
  std::string second = Upload("recording");
  RunWorkersUntilDone(predictor, sha);
  EXPECT_EQ(predictor.runs.load(), 1);
  PredictionStatus status = StatusOf(sha);
  EXPECT_EQ(status.state, PredictionState::kDone);
  EXPECT_EQ(status.result["bytes"], "recording");

  // A later upload of the same content is a cache hit at completion: no job at all.
  std::string third = Upload("recording");
  EXPECT_TRUE(CacheHit(third));
  EXPECT_EQ(store_->pipeline().QueueDepth(), 0u);
  RunWorkersUntilDone(predictor, sha);
  EXPECT_EQ(predictor.runs.load(), 1);
}

TEST_F(PredictionWorkersTest, ManyWorkersRunEachContentOnce) {
  // A worker's job list is read outside the pipeline's lock; a job another worker finished in
  // between must not be claimed again (seen as a second run under ASan load).
  constexpr int kContents = 60;
  for (int i = 0; i < kContents; ++i) Upload("content " + std::to_string(i));
  CountingPredictor predictor;
  {
    server::PredictionWorkers workers(store_.get(),
                                      std::shared_ptr<predict::Predictor>(&predictor, [](auto*) {}),
                                      RetryPolicy{}, 8);
    workers.Start();
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (store_->pipeline().QueueDepth() > 0 && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    workers.Stop();
  }
  EXPECT_EQ(store_->pipeline().QueueDepth(), 0u);
  EXPECT_EQ(predictor.runs.load(), kContents);
}

TEST_F(PredictionWorkersTest, QueuedJobSurvivesRestart) {
  const std::string sha = OneShotSha256Hex("queued before the crash");
  Upload("queued before the crash");
  ReopenStore();  // no worker ran: the job must still be there
  EXPECT_EQ(StatusOf(sha).state, PredictionState::kPending);
  CountingPredictor predictor;
  RunWorkersUntilDone(predictor, sha);
  EXPECT_EQ(StatusOf(sha).state, PredictionState::kDone);
  EXPECT_EQ(predictor.runs.load(), 1);
}

TEST_F(PredictionWorkersTest, FailureIsFinalWhenNotRetryableOrOutOfAttempts) {
  const std::string sha = OneShotSha256Hex("bad input");
  Upload("bad input");
  CountingPredictor predictor;
  predictor.failures = 1;
  predictor.retryable = false;
  RunWorkersUntilDone(predictor, sha);
  PredictionStatus status = StatusOf(sha);
  EXPECT_EQ(status.state, PredictionState::kFailed);
  EXPECT_EQ(status.error, "induced");
  EXPECT_EQ(predictor.runs.load(), 1);

  // A failure is not a cache entry: new uploads of that content try again.
  Upload("bad input");
  EXPECT_EQ(StatusOf(sha).state, PredictionState::kPending);
  RunWorkersUntilDone(predictor, sha);
  EXPECT_EQ(StatusOf(sha).state, PredictionState::kDone);
}

TEST_F(PredictionWorkersTest, JobWhoseUploadsAreGoneFailsCleanly) {
  const std::string sha = OneShotSha256Hex("deleted soon");
  std::string id = Upload("deleted soon");
  {
    auto lease = store_->locks().TryAcquire(id, [] {});
    ASSERT_TRUE(store_->Terminate(id, 3000).ok());
  }
  CountingPredictor predictor;
  RunWorkersUntilDone(predictor, sha);
  EXPECT_EQ(StatusOf(sha).state, PredictionState::kFailed);
  EXPECT_EQ(predictor.runs.load(), 0);
}

}  // namespace
}  // namespace tuskd::store
