// CrashScript: the steps a crash-sweep scenario is written in (create, write with checkpoints,
// roll back, terminate, sweep expiries, join, predict), each recording in a CrashLedger what
// the store acknowledged. The first step that fails ends the script (the store has "died", or
// a test bug): later steps do nothing, so a scenario reads as a straight list of steps.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "store/new_upload.h"
#include "store/upload_store.h"
#include "tests/store/crash_ledger.h"

namespace tuskd::store {

class CrashScript {
 public:
  static constexpr int64_t kNow = 1000;

  CrashScript(UploadStore* store, CrashLedger* ledger) : store_(store), ledger_(ledger) {}

  // Creates an upload that will receive `content` (its length deferred when asked), returning
  // its id, or "" once the script has ended.
  std::string Create(const std::string& content, NewUpload spec = {}, bool defer = false);
  // A final upload of `parts`, in order.
  std::string CreateFinal(const std::vector<std::string>& parts);
  // Sends the next bytes of the upload's content, committing after each piece of `pieces`
  // bytes (the checkpoints of one PATCH); the last commit declares a deferred length.
  void Write(const std::string& id, const std::vector<size_t>& pieces);
  // A piece whose checksum did not match: `bad` bytes appended, rolled back, then the next
  // `good` bytes of the content appended and committed.
  void WriteAfterRollback(const std::string& id, size_t bad, size_t good);
  void Terminate(const std::string& id);
  // Expires every unfinished upload (the clock far past their expiry).
  void SweepExpiries();
  void Join(const std::string& final_id);
  // Runs every due prediction job to a result.
  void Predict();

  bool alive() const { return alive_; }

 private:
  // Ends the script unless `status` is Ok.
  bool Check(const Status& status);
  void AckCommit(const std::string& id, const UploadWriter& writer);

  UploadStore* store_;
  CrashLedger* ledger_;
  bool alive_ = true;
  int64_t now_ = kNow;
};

}  // namespace tuskd::store
