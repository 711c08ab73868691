// The background half of concatenation-unfinished: a final upload declared before its parts
// finish is joined by this worker once the last part completes (or terminated once a part is
// gone). The store's final listener feeds it; at start it also takes every final a stop or a
// crash left unjoined. One thread: joins are disk-bound, and one at a time keeps them from
// starving request commits on a small machine. Thread-safe.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include "store/upload_store.h"

namespace tuskd::store {

class ConcatJoiner {
 public:
  // `on_complete` runs on the worker thread for each final it completes (for metrics).
  ConcatJoiner(UploadStore* store, std::function<void(const std::string&)> on_complete);
  ~ConcatJoiner();  // Stop()
  ConcatJoiner(const ConcatJoiner&) = delete;
  ConcatJoiner& operator=(const ConcatJoiner&) = delete;

  // Installs the store's final listener, queues the unjoined finals and starts the thread.
  void Start();
  // Asks a running join to stop at its next piece (it commits up to its last part), joins the
  // thread and removes the listener. What is left resumes at the next Start. Call it once
  // nothing else commits to the store any more.
  void Stop();
  void Enqueue(const std::string& final_id);

 private:
  void Loop();
  void Assemble(const std::string& final_id);

  UploadStore* store_;
  std::function<void(const std::string&)> on_complete_;
  std::mutex mu_;
  std::condition_variable wake_;
  std::deque<std::string> queue_;
  std::set<std::string> queued_;  // de-duplicates: many parts completing wake one final once
  std::string running_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace tuskd::store
