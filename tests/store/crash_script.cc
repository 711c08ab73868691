#include "tests/store/crash_script.h"

#include <memory>

#include "store/prediction_job.h"
#include "tests/common/one_shot_sha256.h"
#include "tests/store/crash_rig.h"

namespace tuskd::store {

bool CrashScript::Check(const Status& status) {
  if (!status.ok()) alive_ = false;
  return alive_;
}

void CrashScript::AckCommit(const std::string& id, const UploadWriter& writer) {
  ExpectedUpload& expected = ledger_->at(id);
  expected.acked = writer.committed().offset;
  expected.completed = writer.committed().complete();
}

std::string CrashScript::Create(const std::string& content, NewUpload spec, bool defer) {
  if (!alive_) return "";
  if (!defer) spec.length = content.size();
  UploadRecord record;
  if (!Check(store_->Create(spec, now_++, &record))) return "";
  ExpectedUpload& expected = ledger_->Add(record.id, content);
  expected.partial = spec.concat == ConcatKind::kPartial;
  expected.completed = record.complete();
  return record.id;
}

std::string CrashScript::CreateFinal(const std::vector<std::string>& parts) {
  if (!alive_) return "";
  NewUpload spec;
  spec.concat = ConcatKind::kFinal;
  spec.concat_parts = parts;
  UploadRecord record;
  if (!Check(store_->Create(spec, now_++, &record))) return "";
  std::string content;
  for (const std::string& part : parts) content += ledger_->at(part).content;
  ledger_->Add(record.id, std::move(content)).final_upload = true;
  return record.id;
}

void CrashScript::Write(const std::string& id, const std::vector<size_t>& pieces) {
  if (!alive_) return;
  const std::string& content = ledger_->at(id).content;
  auto lease = store_->locks().TryAcquire(id, [] {});
  std::unique_ptr<UploadWriter> writer;
  if (!Check(store_->OpenWriter(id, &writer))) return;
  for (size_t piece : pieces) {
    uint64_t at = writer->offset();
    if (!Check(writer->Append({content.data() + at, piece}))) return;
    if (!writer->committed().length && at + piece == content.size()) {
      if (!Check(writer->SetLength(content.size()))) return;
    }
    if (!Check(writer->Commit(now_++))) return;
    AckCommit(id, *writer);
  }
}

void CrashScript::WriteAfterRollback(const std::string& id, size_t bad, size_t good) {
  if (!alive_) return;
  const std::string& content = ledger_->at(id).content;
  auto lease = store_->locks().TryAcquire(id, [] {});
  std::unique_ptr<UploadWriter> writer;
  if (!Check(store_->OpenWriter(id, &writer))) return;
  const std::string garbage(bad, '\xee');
  if (!Check(writer->Append({garbage.data(), garbage.size()}))) return;
  if (!Check(writer->Rollback())) return;
  uint64_t at = writer->offset();
  if (!Check(writer->Append({content.data() + at, good}))) return;
  if (!Check(writer->Commit(now_++))) return;
  AckCommit(id, *writer);
}

void CrashScript::Terminate(const std::string& id) {
  if (!alive_) return;
  ExpectedUpload& expected = ledger_->at(id);
  expected.retire_attempted = true;
  auto lease = store_->locks().TryAcquire(id, [] {});
  if (Check(store_->Terminate(id, now_++))) expected.retired = UploadState::kTerminated;
}

void CrashScript::SweepExpiries() {
  if (!alive_) return;
  for (auto& [id, expected] : ledger_->uploads()) {
    if (!expected.completed) expected.retire_attempted = true;
  }
  size_t count = 0;
  if (!Check(store_->SweepExpired(now_ + 10 * CrashRig::kExpiration, &count))) return;
  for (auto& [id, expected] : ledger_->uploads()) {
    UploadRecord record;
    if (store_->Get(id, &record).ok() && record.state == UploadState::kExpired) {
      expected.retired = UploadState::kExpired;
    }
  }
}

void CrashScript::Join(const std::string& final_id) {
  if (!alive_) return;
  auto lease = store_->locks().TryAcquire(final_id, [] {});
  AssemblyResult result{};
  if (!Check(store_->AssembleFinal(final_id, *lease, now_++, &result))) return;
  ledger_->at(final_id).completed = result == AssemblyResult::kComplete;
}

void CrashScript::Predict() {
  PredictionJob job;
  int64_t next_due = 0;
  while (alive_ && store_->pipeline().ClaimNext(now_, &job, &next_due)) {
    nlohmann::json result = {{"label", job.sha256.substr(0, 8)}};
    if (!Check(store_->pipeline().Finish(job, JobOutcome::Success(result), "crash-sweep",
                                         RetryPolicy{}, now_++))) {
      return;
    }
    for (auto& [id, expected] : ledger_->uploads()) {
      if (expected.completed && OneShotSha256Hex(expected.content) == job.sha256) {
        expected.predicted = true;
      }
    }
  }
}

}  // namespace tuskd::store
