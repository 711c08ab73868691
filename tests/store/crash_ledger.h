// CrashLedger: what a scripted scenario was told is durable (creations, commits, completions,
// terminations, expiries and predictions that returned Ok), and the checks a store reopened
// after a crash must pass against it: I1 (every acknowledged offset survives with exactly the
// scenario's bytes below it), I3 (every data object holds exactly its committed bytes, every
// hash state matches, no object without a live record), I2 (every live upload resumes where
// its commits left it and completes byte-exact) and I7 (every complete upload's content has
// its job or its result, and a result reported done stays done). Not thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "store/upload_record.h"
#include "store/upload_store.h"

namespace tuskd::store {

struct ExpectedUpload {
  std::string content;  // every byte the scenario sends it, in order
  bool partial = false;
  bool final_upload = false;
  uint64_t acked = 0;      // the highest offset a commit returned Ok for
  bool completed = false;  // a commit, or a join, that completed it returned Ok
  bool retire_attempted = false;
  std::optional<UploadState> retired;  // a termination or expiry that returned Ok
  bool predicted = false;              // its content's prediction was recorded
};

class CrashLedger {
 public:
  ExpectedUpload& Add(const std::string& id, std::string content);
  ExpectedUpload& at(const std::string& id) { return uploads_.at(id); }
  std::map<std::string, ExpectedUpload>& uploads() { return uploads_; }

  // Every violation found in a reopened `store`, as messages; empty when none.
  std::vector<std::string> Check(UploadStore& store, const std::string& data_dir) const;
  // Completes every live upload from where it stands (parts and plain uploads first, then
  // finals) and checks each against its content. Violations as messages.
  std::vector<std::string> ResumeAll(UploadStore& store, int64_t now) const;

 private:
  void CheckOne(UploadStore& store, const std::string& id, const ExpectedUpload& expected,
                std::vector<std::string>* problems) const;
  std::map<std::string, ExpectedUpload> uploads_;
};

}  // namespace tuskd::store
