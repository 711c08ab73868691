#include "store/concat_joiner.h"

#include <chrono>
#include <vector>

#include "base/clock.h"
#include "base/log.h"

namespace tuskd::store {
namespace {

// How long to wait before trying again a final whose lease someone else holds (a HEAD, a
// DELETE, the POST that created it).
constexpr auto kBusyRetry = std::chrono::milliseconds(100);

}  // namespace

ConcatJoiner::ConcatJoiner(UploadStore* store, std::function<void(const std::string&)> on_complete)
    : store_(store), on_complete_(std::move(on_complete)) {}

ConcatJoiner::~ConcatJoiner() { Stop(); }

void ConcatJoiner::Start() {
  store_->SetFinalListener([this](const std::string& id) { Enqueue(id); });
  std::vector<std::string> unjoined;
  if (Status listed = store_->ListUnjoinedFinals(&unjoined); !listed.ok()) {
    Log(LogLevel::kError, kConcatLog, "listing unjoined final uploads: " + listed.ToString());
  }
  for (const std::string& id : unjoined) Enqueue(id);
  thread_ = std::thread([this] { Loop(); });
}

void ConcatJoiner::Stop() {
  {
    std::lock_guard lock(mu_);
    if (stopping_ || !thread_.joinable()) return;
    stopping_ = true;
  }
  wake_.notify_all();
  // A join in progress checks its lease between pieces; asking for it ends the join early.
  std::string running;
  {
    std::lock_guard lock(mu_);
    running = running_;
  }
  if (!running.empty()) store_->locks().RequestStop(running);
  thread_.join();
  store_->SetFinalListener(nullptr);  // the store outlives this worker
}

void ConcatJoiner::Enqueue(const std::string& final_id) {
  {
    std::lock_guard lock(mu_);
    if (stopping_ || !queued_.insert(final_id).second) return;
    queue_.push_back(final_id);
  }
  wake_.notify_one();
}

void ConcatJoiner::Loop() {
  std::unique_lock lock(mu_);
  for (;;) {
    wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (stopping_) return;
    std::string id = std::move(queue_.front());
    queue_.pop_front();
    // Out of `queued_` before the attempt: a part completing during it queues the final again.
    queued_.erase(id);
    running_ = id;
    lock.unlock();
    Assemble(id);
    lock.lock();
    running_.clear();
  }
}

void ConcatJoiner::Assemble(const std::string& final_id) {
  std::optional<UploadLockTable::Lease> lease = store_->locks().TryAcquire(final_id, [] {});
  if (!lease) {
    // Busy: whoever holds it ends soon (requests are bounded by their timeouts); retry.
    std::this_thread::sleep_for(kBusyRetry);
    Enqueue(final_id);
    return;
  }
  AssemblyResult result = AssemblyResult::kWaiting;
  Status status = store_->AssembleFinal(final_id, *lease, UnixNow(), &result);
  if (!status.ok()) {
    // Left unjoined; the next start tries again (a full disk may have room by then).
    Log(LogLevel::kWarn, kConcatLog, "joining final upload " + final_id + ": " + status.ToString(),
        {{"upload_id", final_id}});
    return;
  }
  if (result == AssemblyResult::kStopped) {
    // A DELETE (or shutdown) wanted the lease; what is left resumes once it is done with it.
    std::this_thread::sleep_for(kBusyRetry);
    Enqueue(final_id);
  }
  if (result == AssemblyResult::kComplete && on_complete_) on_complete_(final_id);
}

}  // namespace tuskd::store
