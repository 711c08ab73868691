// The completion pipeline's durable half: one job per content, cache hits, retries with
// backoff and bounded attempts (invariant I7). tests/server/prediction_workers_test.cc runs
// the workers against it.
#include "store/completion_pipeline.h"

#include <gtest/gtest.h>

#include "tests/store/completion_pipeline_fixture.h"

namespace tuskd::store {
namespace {

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
  EXPECT_EQ(StatusOf(sha).state, PredictionState::kPending);
}

TEST_F(CompletionPipelineTest, RetryableFailureIsRescheduledWithBackoff) {
  const std::string sha = OneShotSha256Hex("flaky");
  Upload("flaky");
  PredictionJob job;
  int64_t next_due = 0;
  ASSERT_TRUE(store_->pipeline().ClaimNext(5000, &job, &next_due));
  EXPECT_EQ(StatusOf(sha).state, PredictionState::kRunning);
  RetryPolicy retry;
  retry.backoff = std::chrono::seconds(2);
  ASSERT_TRUE(
      store_->pipeline().Finish(job, JobOutcome::Failure("boom", true), "p", retry, 5000).ok());
  PredictionStatus status = StatusOf(sha);
  EXPECT_EQ(status.state, PredictionState::kPending);
  EXPECT_EQ(status.attempts, 1);
  EXPECT_EQ(status.error, "boom");
  EXPECT_FALSE(store_->pipeline().ClaimNext(5001, &job, &next_due));  // not due yet
  EXPECT_EQ(next_due, 5002);
  ASSERT_TRUE(store_->pipeline().ClaimNext(5002, &job, &next_due));
  EXPECT_EQ(job.attempts, 1);
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
    ASSERT_TRUE(
        store_->pipeline().Finish(job, JobOutcome::Failure("x", true), "p", retry, now).ok());
  }
  EXPECT_EQ(StatusOf(sha).state, PredictionState::kFailed);
  EXPECT_EQ(StatusOf(sha).attempts, 2);
  EXPECT_EQ(store_->pipeline().QueueDepth(), 0u);
}

TEST_F(CompletionPipelineTest, ZeroByteUploadIsPredictedToo) {
  const std::string sha = OneShotSha256Hex("");
  Upload("");
  EXPECT_EQ(StatusOf(sha).state, PredictionState::kPending);
}

TEST_F(CompletionPipelineTest, UnknownHashIsNotFound) {
  PredictionStatus status;
  EXPECT_TRUE(store_->pipeline().StatusFor(std::string(64, 'a'), &status).IsNotFound());
}

}  // namespace
}  // namespace tuskd::store
