// The completion pipeline's durable half (docs/architecture.md, invariant I7): when
// an upload completes, its final SHA-256 keys the prediction cache. A hit is attached at once;
// a miss joins or creates the durable job for that hash, in the same batch as the completion,
// so one hash has at most one job (in-flight de-duplication) and a crash loses none.
// Workers claim jobs, run the predictor and finish them here; the result lands in
// `predictions`, where every upload of that content finds it.
// Thread-safe.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/status.h"
#include "store/prediction_job.h"
#include "store/prediction_status.h"
#include "store/upload_record.h"

namespace tuskd::store {

class StateStore;
class StateBatch;

class CompletionPipeline {
 public:
  // `state` must outlive the pipeline.
  explicit CompletionPipeline(StateStore* state) : state_(state) {}
  CompletionPipeline(const CompletionPipeline&) = delete;
  CompletionPipeline& operator=(const CompletionPipeline&) = delete;

  // For a record that completes in `batch`: sets record->prediction ({"cache_hit": ...}) and
  // stages the job writes. The returned lock must be held until the batch is written, so two
  // completions of one hash cannot both create its job. Call NotifyQueued() once the batch is
  // written and the lock released.
  std::unique_lock<std::mutex> StageCompletion(UploadRecord* record, StateBatch* batch);
  void NotifyQueued();

  // By hash. NotFound when there is neither a result nor a job.
  Status StatusFor(const std::string& sha256, PredictionStatus* out) const;
  size_t QueueDepth() const;
  Status ListJobs(std::vector<PredictionJob>* out) const;

  // ---- worker side ----
  // Claims the earliest due job nobody runs; false when none is due. *next_due: the soonest
  // not-yet-due attempt time (0 when none).
  bool ClaimNext(int64_t now, PredictionJob* job, int64_t* next_due);
  // Records the outcome: a result (done, or failed for good) in `predictions` and the job
  // removed; or, for a retryable failure with attempts left, the job rescheduled. Releases the
  // claim.
  Status Finish(const PredictionJob& job, const JobOutcome& outcome, const std::string& predictor,
                const RetryPolicy& retry, int64_t now);
  // A counter NotifyQueued bumps: read it before ClaimNext, then WaitForWork(seen, ...) returns
  // at once if work was queued in between.
  uint64_t generation() const;
  // Waits until NotifyQueued moves the generation past `seen`, or `timeout`.
  void WaitForWork(uint64_t seen, std::chrono::milliseconds timeout);

 private:
  Status ReadJob(const std::string& sha256, PredictionJob* job) const;

  StateStore* state_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::set<std::string> running_;  // hashes claimed by a worker now
  uint64_t generation_ = 0;
};

}  // namespace tuskd::store
