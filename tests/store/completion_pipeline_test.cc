// The completion pipeline: cache hits, in-flight de-duplication, durable jobs across restarts,
// retries and failures (invariant I7: nothing is predicted twice; no queued job is lost).
#include "store/completion_pipeline.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "store/prediction_workers.h"
#include "tests/store/store_test_util.h"

namespace tuskd::store {
namespace {

// Counts its runs and reports the bytes it read; fails while `failures` lasts.
class CountingPredictor : public Predictor {
 public:
  std::string name() const override { return "test:counting"; }
  PredictionOutcome Predict(const PredictionInput& input) override {
    runs++;
    if (failures > 0) {
      failures--;
      return PredictionOutcome::Failure("induced", retryable);
    }
    auto source = input.open();
    std::string bytes;
    char buf[7];
    size_t n = 0;
    std::string error;
    while (source->Read(buf, &n, &error) && n > 0) bytes.append(buf, n);
    return PredictionOutcome::Success({{"bytes", bytes}, {"id", input.upload_id}});
  }
  std::atomic<int> runs{0};
  std::atomic<int> failures{0};
  bool retryable = true;
};

class CompletionPipelineTest : public StoreTest {
 protected:
  std::string Upload(std::string_view content) {
    UploadRecord record = CreateUpload(content.size());
    if (!content.empty()) AppendAndCommit(record.id, content);
    return record.id;
  }

  PredictionStatus StatusOf(const std::string& sha256) {
    PredictionStatus status;
    EXPECT_TRUE(store_->pipeline().StatusFor(sha256, &status).ok());
    return status;
  }

  // Runs the workers until `sha256` is no longer queued (bounded).
  void RunWorkersUntilDone(CountingPredictor& predictor, const std::string& sha256,
                           RetryPolicy retry = {}) {
    PredictionWorkers workers(store_.get(), std::shared_ptr<Predictor>(&predictor, [](auto*) {}),
                              retry, 2);
    workers.Start();
    // Generous: on a loaded CI machine a worker thread may wait seconds for a core.
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (std::chrono::steady_clock::now() < deadline) {
      PredictionStatus status;
      store_->pipeline().StatusFor(sha256, &status);
      if (status.status == "done" || status.status == "failed") break;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    workers.Stop();
  }

  bool CacheHit(const std::string& id) {
    UploadRecord record = GetRecord(id);
    return record.prediction.is_object() && record.prediction.value("cache_hit", false);
  }
};

TEST_F(CompletionPipelineTest, CompletionQueuesOneJobPerContent) {
  std::string first = Upload("same bytes");
  std::string second = Upload("same bytes");
  std::string other = Upload("other bytes");
  std::vector<PredictionJob> jobs;
  ASSERT_TRUE(store_->pipeline().ListJobs(&jobs).ok());
  ASSERT_EQ(jobs.size(), 2u);
  const std::string sha = OneShotSha256Hex("same bytes");
  for (const auto& job : jobs) {
    if (job.sha256 == sha) {
      EXPECT_EQ(job.uploads, (std::vector<std::string>{first, second}));
    }
  }
  EXPECT_FALSE(CacheHit(first));
  EXPECT_TRUE(CacheHit(second));  // joined the queued run instead of causing one
  EXPECT_EQ(StatusOf(sha).status, "pending");
}

TEST_F(CompletionPipelineTest, SameContentTwiceRunsThePredictorOnce) {
  CountingPredictor predictor;
  const std::string sha = OneShotSha256Hex("recording");
  std::string first = Upload("recording");
  std::string second = Upload("recording");
  RunWorkersUntilDone(predictor, sha);
  EXPECT_EQ(predictor.runs.load(), 1);
  PredictionStatus status = StatusOf(sha);
  EXPECT_EQ(status.status, "done");
  EXPECT_EQ(status.result["bytes"], "recording");

  // A later upload of the same content is a cache hit at completion: no job at all.
  std::string third = Upload("recording");
  EXPECT_TRUE(CacheHit(third));
  EXPECT_EQ(store_->pipeline().QueueDepth(), 0u);
  RunWorkersUntilDone(predictor, sha);
  EXPECT_EQ(predictor.runs.load(), 1);
}

TEST_F(CompletionPipelineTest, ManyWorkersRunEachContentOnce) {
  // A worker's job list is read outside the pipeline's lock; a job another worker finished in
  // between must not be claimed again (seen as a second run under ASan load).
  constexpr int kContents = 60;
  for (int i = 0; i < kContents; ++i) Upload("content " + std::to_string(i));
  CountingPredictor predictor;
  {
    PredictionWorkers workers(store_.get(), std::shared_ptr<Predictor>(&predictor, [](auto*) {}),
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

TEST_F(CompletionPipelineTest, QueuedJobSurvivesRestart) {
  const std::string sha = OneShotSha256Hex("queued before the crash");
  Upload("queued before the crash");
  ReopenStore();  // no worker ran: the job must still be there
  EXPECT_EQ(StatusOf(sha).status, "pending");
  CountingPredictor predictor;
  RunWorkersUntilDone(predictor, sha);
  EXPECT_EQ(StatusOf(sha).status, "done");
  EXPECT_EQ(predictor.runs.load(), 1);
}

TEST_F(CompletionPipelineTest, RetryableFailureIsRescheduledWithBackoff) {
  const std::string sha = OneShotSha256Hex("flaky");
  Upload("flaky");
  PredictionJob job;
  int64_t next_due = 0;
  ASSERT_TRUE(store_->pipeline().ClaimNext(5000, &job, &next_due));
  EXPECT_EQ(StatusOf(sha).status, "running");
  RetryPolicy retry;
  retry.backoff = std::chrono::seconds(2);
  ASSERT_TRUE(store_->pipeline()
                  .Finish(job, PredictionOutcome::Failure("boom", true), "p", retry, 5000)
                  .ok());
  PredictionStatus status = StatusOf(sha);
  EXPECT_EQ(status.status, "pending");
  EXPECT_EQ(status.attempts, 1);
  EXPECT_EQ(status.error, "boom");
  EXPECT_FALSE(store_->pipeline().ClaimNext(5001, &job, &next_due));  // not due yet
  EXPECT_EQ(next_due, 5002);
  ASSERT_TRUE(store_->pipeline().ClaimNext(5002, &job, &next_due));
  EXPECT_EQ(job.attempts, 1);
}

TEST_F(CompletionPipelineTest, FailureIsFinalWhenNotRetryableOrOutOfAttempts) {
  const std::string sha = OneShotSha256Hex("bad input");
  Upload("bad input");
  CountingPredictor predictor;
  predictor.failures = 1;
  predictor.retryable = false;
  RunWorkersUntilDone(predictor, sha);
  PredictionStatus status = StatusOf(sha);
  EXPECT_EQ(status.status, "failed");
  EXPECT_EQ(status.error, "induced");
  EXPECT_EQ(predictor.runs.load(), 1);

  // A failure is not a cache entry: new uploads of that content try again.
  Upload("bad input");
  EXPECT_EQ(StatusOf(sha).status, "pending");
  RunWorkersUntilDone(predictor, sha);
  EXPECT_EQ(StatusOf(sha).status, "done");
}

TEST_F(CompletionPipelineTest, AttemptsAreBounded) {
  const std::string sha = OneShotSha256Hex("always failing");
  Upload("always failing");
  RetryPolicy retry;
  retry.max_attempts = 2;
  PredictionJob job;
  int64_t next_due = 0;
  for (int64_t now : {100, 200}) {
    ASSERT_TRUE(store_->pipeline().ClaimNext(now, &job, &next_due));
    ASSERT_TRUE(store_->pipeline()
                    .Finish(job, PredictionOutcome::Failure("x", true), "p", retry, now)
                    .ok());
  }
  EXPECT_EQ(StatusOf(sha).status, "failed");
  EXPECT_EQ(StatusOf(sha).attempts, 2);
  EXPECT_EQ(store_->pipeline().QueueDepth(), 0u);
}

TEST_F(CompletionPipelineTest, ZeroByteUploadIsPredictedToo) {
  const std::string sha = OneShotSha256Hex("");
  Upload("");
  EXPECT_EQ(StatusOf(sha).status, "pending");
}

TEST_F(CompletionPipelineTest, JobWhoseUploadsAreGoneFailsCleanly) {
  const std::string sha = OneShotSha256Hex("deleted soon");
  std::string id = Upload("deleted soon");
  {
    auto lease = store_->locks().TryAcquire(id, [] {});
    ASSERT_TRUE(store_->Terminate(id, 3000).ok());
  }
  CountingPredictor predictor;
  RunWorkersUntilDone(predictor, sha);
  EXPECT_EQ(StatusOf(sha).status, "failed");
  EXPECT_EQ(predictor.runs.load(), 0);
}

TEST_F(CompletionPipelineTest, UnknownHashIsNotFound) {
  PredictionStatus status;
  EXPECT_TRUE(store_->pipeline().StatusFor(std::string(64, 'a'), &status).IsNotFound());
}

}  // namespace
}  // namespace tuskd::store
