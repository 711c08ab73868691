#include "server/prediction_workers.h"

#include <chrono>

#include "base/clock.h"
#include "base/log.h"
#include "store/upload_store.h"

namespace tuskd::server {

namespace {

// Feeds an upload's committed bytes to a predictor, one read at a time.
class UploadByteSource : public predict::ByteSource {
 public:
  explicit UploadByteSource(std::unique_ptr<store::UploadReader> reader)
      : reader_(std::move(reader)) {}
  bool Read(std::span<char> out, size_t* n, std::string* error) override {
    *n = 0;
    if (position_ >= reader_->size()) return true;
    Status status = reader_->Read(position_, out, n);
    if (!status.ok()) {
      *error = status.ToString();
      return false;
    }
    position_ += *n;
    return true;
  }

 private:
  std::unique_ptr<store::UploadReader> reader_;
  uint64_t position_ = 0;
};

class FailingByteSource : public predict::ByteSource {
 public:
  explicit FailingByteSource(std::string reason) : reason_(std::move(reason)) {}
  bool Read(std::span<char>, size_t* n, std::string* error) override {
    *n = 0;
    *error = reason_;
    return false;
  }

 private:
  std::string reason_;
};

}  // namespace

PredictionWorkers::PredictionWorkers(store::UploadStore* store,
                                     std::shared_ptr<predict::Predictor> predictor,
                                     store::RetryPolicy retry, size_t threads)
    : store_(store), predictor_(std::move(predictor)), retry_(retry), thread_count_(threads) {}

PredictionWorkers::~PredictionWorkers() { Stop(); }

void PredictionWorkers::Start() {
  for (size_t i = 0; i < std::max<size_t>(1, thread_count_); ++i) {
    threads_.emplace_back([this] { Loop(); });
  }
}

void PredictionWorkers::Stop() {
  if (threads_.empty()) return;  // idempotent: main stops before closing the store
  stopping_ = true;
  store_->pipeline().NotifyQueued();
  for (auto& thread : threads_) thread.join();
  threads_.clear();
}

void PredictionWorkers::Loop() {
  auto& pipeline = store_->pipeline();
  while (!stopping_) {
    uint64_t seen = pipeline.generation();
    store::PredictionJob job;
    int64_t next_due = 0;
    int64_t now = UnixNow();
    if (!pipeline.ClaimNext(now, &job, &next_due)) {
      auto wait = std::chrono::seconds(next_due ? std::max<int64_t>(1, next_due - now) : 60);
      pipeline.WaitForWork(seen, std::chrono::duration_cast<std::chrono::milliseconds>(wait));
      continue;
    }
    predict::PredictionOutcome outcome = Run(job);
    if (!outcome.ok) {
      Log(LogLevel::kWarn, kPredictionLog,
          "prediction for " + job.sha256 + " failed (attempt " + std::to_string(job.attempts + 1) +
              "): " + outcome.error,
          {{"sha256", job.sha256}, {"attempt", job.attempts + 1}});
    }
    store::JobOutcome recorded{outcome.ok, std::move(outcome.result), std::move(outcome.error),
                               outcome.retryable};
    Status status = pipeline.Finish(job, recorded, predictor_->name(), retry_, UnixNow());
    if (!status.ok()) {
      Log(LogLevel::kError, kPredictionLog, "recording a prediction failed: " + status.ToString(),
          {{"sha256", job.sha256}});
    }
  }
}

predict::PredictionOutcome PredictionWorkers::Run(const store::PredictionJob& job) {
  // Any complete upload of this content will do; the first may have been deleted since.
  for (const auto& id : job.uploads) {
    store::UploadRecord record;
    if (!store_->Get(id, &record).ok() || !record.complete() || record.sha256 != job.sha256)
      continue;
    predict::PredictionInput input;
    input.upload_id = id;
    input.sha256_hex = job.sha256;
    input.size = record.offset;
    input.metadata = record.metadata;
    input.open = [store = store_, id]() -> std::unique_ptr<predict::ByteSource> {
      std::unique_ptr<store::UploadReader> reader;
      Status status = store->OpenReader(id, &reader);
      if (!status.ok()) return std::make_unique<FailingByteSource>(status.ToString());
      return std::make_unique<UploadByteSource>(std::move(reader));
    };
    return predictor_->Predict(input);
  }
  return predict::PredictionOutcome::Failure("no complete upload holds this content any more",
                                             false);
}

}  // namespace tuskd::server
