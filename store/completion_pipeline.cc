#include "store/completion_pipeline.h"

#include <algorithm>

#include "base/log.h"
#include "store/state_store.h"

namespace tuskd::store {

using nlohmann::json;

Status CompletionPipeline::ReadJob(const std::string& sha256, PredictionJob* job) const {
  std::string value;
  Status status = state_->Get(Family::kJobs, sha256, &value);
  if (!status.ok()) return status;
  json parsed = json::parse(value, nullptr, false);
  if (parsed.is_discarded() || !JobFromJson(parsed, job))
    return Status::Corruption("unreadable prediction job " + sha256);
  return Status::Ok();
}

std::unique_lock<std::mutex> CompletionPipeline::StageCompletion(UploadRecord* record,
                                                                 StateBatch* batch) {
  std::unique_lock lock(mu_);
  const std::string& sha256 = record->sha256.value();
  std::string value;
  if (state_->Get(Family::kPredictions, sha256, &value).ok()) {
    json cached = json::parse(value, nullptr, false);
    if (!cached.is_discarded() && cached.value("status", "") == "done") {
      record->prediction = json{{"cache_hit", true}};
      return lock;
    }
  }
  // A job for this content may already be queued or running: join it rather than run twice.
  PredictionJob job;
  bool joined = ReadJob(sha256, &job).ok();
  if (!joined) {
    job = PredictionJob{};
    job.sha256 = sha256;
    job.created_at = record->updated_at;
  }
  if (std::find(job.uploads.begin(), job.uploads.end(), record->id) == job.uploads.end())
    job.uploads.push_back(record->id);
  batch->Put(Family::kJobs, sha256, JobToJson(job).dump());
  // cache_hit: this upload's result comes from a run it did not cause.
  record->prediction = json{{"cache_hit", joined}};
  return lock;
}

Status CompletionPipeline::StatusFor(const std::string& sha256, PredictionStatus* out) const {
  *out = PredictionStatus{};
  out->sha256 = sha256;
  PredictionJob job;
  // A queued job is the current truth, even over an older failed result.
  if (ReadJob(sha256, &job).ok()) {
    std::lock_guard lock(mu_);
    out->state = running_.count(sha256) ? PredictionState::kRunning : PredictionState::kPending;
    out->error = job.last_error;
    out->attempts = job.attempts;
    out->updated_at = job.created_at;
    return Status::Ok();
  }
  std::string value;
  Status status = state_->Get(Family::kPredictions, sha256, &value);
  if (!status.ok()) return status;
  json stored = json::parse(value, nullptr, false);
  if (stored.is_discarded()) return Status::Corruption("unreadable prediction " + sha256);
  out->state = PredictionStateFromString(stored.value("status", std::string()))
                   .value_or(PredictionState::kFailed);
  out->result = stored.value("result", json());
  out->error = stored.value("error", std::string());
  out->attempts = stored.value("attempts", 0);
  out->updated_at = stored.value("updated_at", int64_t{0});
  return Status::Ok();
}

Status CompletionPipeline::ListJobs(std::vector<PredictionJob>* out) const {
  out->clear();
  return state_->Scan(Family::kJobs, "", "", [out](std::string_view, std::string_view value) {
    PredictionJob job;
    json parsed = json::parse(value, nullptr, false);
    if (!parsed.is_discarded() && JobFromJson(parsed, &job)) out->push_back(std::move(job));
    return true;
  });
}

size_t CompletionPipeline::QueueDepth() const {
  std::vector<PredictionJob> jobs;
  if (Status listed = ListJobs(&jobs); !listed.ok()) {
    Log(LogLevel::kWarn, kPredictionLog, "counting queued jobs: " + listed.ToString());
  }
  return jobs.size();
}

bool CompletionPipeline::ClaimNext(int64_t now, PredictionJob* job, int64_t* next_due) {
  // The scan runs outside the lock (it may be long); its entries can be stale by the time the
  // lock is held: another worker may have finished a job (deleted) or rescheduled it. So each
  // candidate is read again under the lock, where Finish changes jobs, before it is claimed;
  // otherwise one content could run its predictor twice.
  std::vector<PredictionJob> jobs;
  if (Status listed = ListJobs(&jobs); !listed.ok()) {
    // Nothing is claimed from a partial list; the worker retries after its wait.
    Log(LogLevel::kWarn, kPredictionLog, "scanning the job queue: " + listed.ToString());
    *next_due = 0;
    return false;
  }
  std::sort(jobs.begin(), jobs.end(), [](const PredictionJob& a, const PredictionJob& b) {
    return a.created_at < b.created_at;
  });
  std::lock_guard lock(mu_);
  *next_due = 0;
  for (const auto& listed : jobs) {
    if (running_.count(listed.sha256)) continue;
    PredictionJob current;
    if (!ReadJob(listed.sha256, &current).ok()) continue;  // finished meanwhile
    if (current.next_attempt_at > now) {
      if (*next_due == 0 || current.next_attempt_at < *next_due) {
        *next_due = current.next_attempt_at;
      }
      continue;
    }
    *job = std::move(current);
    running_.insert(job->sha256);
    return true;
  }
  return false;
}

Status CompletionPipeline::Finish(const PredictionJob& job, const JobOutcome& outcome,
                                  const std::string& predictor, const RetryPolicy& retry,
                                  int64_t now) {
  std::lock_guard lock(mu_);
  running_.erase(job.sha256);
  PredictionJob current;
  if (!ReadJob(job.sha256, &current).ok()) current = job;
  current.attempts = job.attempts + 1;
  StateBatch batch;
  bool final = outcome.ok || !outcome.retryable || current.attempts >= retry.max_attempts;
  if (final) {
    json stored{{"status", outcome.ok ? "done" : "failed"},
                {"sha256", job.sha256},
                {"result", outcome.ok ? outcome.result : json()},
                {"error", outcome.error},
                {"predictor", predictor},
                {"attempts", current.attempts},
                {"updated_at", now}};
    batch.Put(Family::kPredictions, job.sha256, stored.dump());
    batch.Delete(Family::kJobs, job.sha256);
  } else {
    int64_t delay = retry.backoff.count() * (int64_t{1} << std::min(current.attempts - 1, 20));
    current.next_attempt_at = now + std::min<int64_t>(delay, retry.max_backoff.count());
    current.last_error = outcome.error;
    batch.Put(Family::kJobs, job.sha256, JobToJson(current).dump());
  }
  return state_->Write(batch);
}

void CompletionPipeline::NotifyQueued() {
  {
    std::lock_guard lock(mu_);
    ++generation_;
  }
  cv_.notify_all();
}

uint64_t CompletionPipeline::generation() const {
  std::lock_guard lock(mu_);
  return generation_;
}

void CompletionPipeline::WaitForWork(uint64_t seen, std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  cv_.wait_for(lock, timeout, [&] { return generation_ != seen; });
}

}  // namespace tuskd::store
