// The threads that run predictions: each claims a due job from the CompletionPipeline, feeds
// the bytes of an upload holding that content to the Predictor, and records the outcome
// (retrying with backoff per RetryPolicy). Jobs are durable, so what a stop or crash leaves
// unfinished runs after the next start (I7). Start/Stop from one thread.
#pragma once

#include <atomic>
#include <memory>
#include <thread>
#include <vector>

#include "predict/predictor.h"
#include "store/completion_pipeline.h"
#include "store/upload_store.h"

namespace tuskd::server {

class PredictionWorkers {
 public:
  PredictionWorkers(store::UploadStore* store, std::shared_ptr<predict::Predictor> predictor,
                    store::RetryPolicy retry, size_t threads);
  ~PredictionWorkers();  // Stop()
  PredictionWorkers(const PredictionWorkers&) = delete;
  PredictionWorkers& operator=(const PredictionWorkers&) = delete;

  void Start();
  // Lets running predictions finish (their timeouts bound this), then joins the threads.
  void Stop();

 private:
  void Loop();
  predict::PredictionOutcome Run(const store::PredictionJob& job);

  store::UploadStore* store_;
  std::shared_ptr<predict::Predictor> predictor_;
  store::RetryPolicy retry_;
  size_t thread_count_;
  std::atomic<bool> stopping_{false};
  std::vector<std::thread> threads_;
};

}  // namespace tuskd::server
