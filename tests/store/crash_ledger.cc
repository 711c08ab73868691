#include "tests/store/crash_ledger.h"

#include <algorithm>
#include <filesystem>
#include <memory>
#include <set>
#include <utility>

#include "store/prediction_status.h"
#include "tests/common/one_shot_sha256.h"

namespace tuskd::store {
namespace {

constexpr size_t kResumePiece = 256 << 10;

bool Live(UploadState state) {
  return state == UploadState::kReceiving || state == UploadState::kComplete;
}

Status ReadCommitted(UploadStore& store, const std::string& id, std::string* out) {
  std::unique_ptr<UploadReader> reader;
  if (Status opened = store.OpenReader(id, &reader); !opened.ok()) return opened;
  out->assign(reader->size(), '\0');
  uint64_t at = 0;
  while (at < out->size()) {
    size_t read = 0;
    std::span<char> rest(out->data() + at, out->size() - at);
    if (Status s = reader->Read(at, rest, &read); !s.ok()) return s;
    if (read == 0) return Status::Corruption("reader ended at " + std::to_string(at));
    at += read;
  }
  return Status::Ok();
}

// A complete upload: its bytes and hash are the content's, and (unless it is a part, which
// skips the pipeline) its content has a job or a result (I7).
void CheckComplete(UploadStore& store, const std::string& id, const ExpectedUpload& expected,
                   const UploadRecord& record, std::vector<std::string>* problems) {
  if (record.offset != expected.content.size()) {
    problems->push_back(id + ": complete at " + std::to_string(record.offset) + " of " +
                        std::to_string(expected.content.size()) + " bytes");
  }
  if (record.sha256 != OneShotSha256Hex(expected.content)) {
    problems->push_back(id + ": complete with a SHA-256 that is not its content's");
  }
  if (expected.partial || !record.sha256) return;
  PredictionStatus status;
  if (!store.pipeline().StatusFor(*record.sha256, &status).ok()) {
    problems->push_back(id + ": complete, but its content has neither a job nor a result");
  } else if (expected.predicted && status.state != PredictionState::kDone) {
    problems->push_back(id + ": its recorded prediction is " + std::string(ToString(status.state)));
  }
}

}  // namespace

ExpectedUpload& CrashLedger::Add(const std::string& id, std::string content) {
  ExpectedUpload& upload = uploads_[id];
  upload.content = std::move(content);
  return upload;
}

void CrashLedger::CheckOne(UploadStore& store, const std::string& id,
                           const ExpectedUpload& expected,
                           std::vector<std::string>* problems) const {
  UploadRecord record;
  if (Status found = store.Get(id, &record); !found.ok()) {
    problems->push_back(id + ": acknowledged creation, now " + found.ToString());
    return;
  }
  if (expected.retired && record.state != *expected.retired) {
    problems->push_back(id + ": acknowledged " + std::string(ToString(*expected.retired)) +
                        ", now " + std::string(ToString(record.state)));
  }
  if (!Live(record.state)) {
    if (!expected.retire_attempted) {
      problems->push_back(id + ": " + std::string(ToString(record.state)) + " by nobody");
    }
    return;
  }
  if (record.offset < expected.acked) {
    problems->push_back(id + ": offset " + std::to_string(record.offset) + " below the " +
                        std::to_string(expected.acked) + " acknowledged (I1)");
  }
  if (expected.completed && !record.complete()) {
    problems->push_back(id + ": acknowledged complete, now receiving (I1)");
  }
  std::string bytes;
  if (Status read = ReadCommitted(store, id, &bytes); !read.ok()) {
    problems->push_back(id + ": its committed bytes are unreadable: " + read.ToString() +
                        " (I1, I3)");
  } else if (bytes.size() != record.offset ||
             expected.content.compare(0, bytes.size(), bytes) != 0) {
    problems->push_back(id + ": its " + std::to_string(bytes.size()) +
                        " committed bytes are not the content's (I1)");
  }
  if (record.complete()) {
    CheckComplete(store, id, expected, record, problems);
    return;
  }
  if (record.final_upload()) return;  // a final's writer is AssembleFinal's
  auto lease = store.locks().TryAcquire(id, [] {});
  std::unique_ptr<UploadWriter> writer;
  if (Status opened = store.OpenWriter(id, &writer); !opened.ok()) {
    problems->push_back(id + ": cannot resume: " + opened.ToString() + " (I3)");
  }
}

std::vector<std::string> CrashLedger::Check(UploadStore& store, const std::string& data_dir) const {
  std::vector<std::string> problems;
  for (const auto& [id, expected] : uploads_) CheckOne(store, id, expected, &problems);
  // Every data object belongs to a live record, and every live record has one (I3).
  std::vector<UploadRecord> records;
  if (Status listed = store.ListUploads(&records); !listed.ok()) {
    problems.push_back("ListUploads: " + listed.ToString());
  }
  std::set<std::string> live;
  for (const UploadRecord& record : records) {
    bool has_object = std::filesystem::exists(data_dir + "/uploads/" + record.id);
    if (Live(record.state)) live.insert(record.id);
    if (Live(record.state) != has_object) {
      problems.push_back(record.id + ": " + std::string(ToString(record.state)) +
                         (has_object ? " with" : " without") + " a data object (I3)");
    }
  }
  for (const auto& entry : std::filesystem::directory_iterator(data_dir + "/uploads")) {
    std::string name = entry.path().filename().string();
    if (!live.contains(name)) problems.push_back(name + ": a data object no live record names");
  }
  return problems;
}

std::vector<std::string> CrashLedger::ResumeAll(UploadStore& store, int64_t now) const {
  std::vector<std::string> problems;
  auto finish = [&](const std::string& id, const ExpectedUpload& expected) {
    UploadRecord record;
    if (!store.Get(id, &record).ok() || record.state != UploadState::kReceiving) return;
    auto lease = store.locks().TryAcquire(id, [] {});
    Status done;
    if (record.final_upload()) {
      AssemblyResult result{};
      done = store.AssembleFinal(id, *lease, now, &result);
      if (done.ok() && result != AssemblyResult::kComplete) done = Status::Invalid("not joined");
    } else {
      std::unique_ptr<UploadWriter> writer;
      done = store.OpenWriter(id, &writer);
      for (uint64_t at = record.offset; done.ok() && at < expected.content.size();) {
        size_t piece = std::min<uint64_t>(kResumePiece, expected.content.size() - at);
        done = writer->Append({expected.content.data() + at, piece});
        at += piece;
      }
      if (done.ok() && record.deferred()) done = writer->SetLength(expected.content.size());
      if (done.ok()) done = writer->Commit(now);
    }
    if (!done.ok()) problems.push_back(id + ": does not resume to the end: " + done.ToString());
  };
  for (bool finals : {false, true}) {
    for (const auto& [id, expected] : uploads_) {
      if (expected.final_upload == finals) finish(id, expected);
    }
  }
  for (const auto& [id, expected] : uploads_) {
    UploadRecord record;
    if (store.Get(id, &record).ok() && record.state == UploadState::kReceiving) {
      problems.push_back(id + ": still receiving after its resumption");
    } else if (record.complete()) {
      CheckComplete(store, id, expected, record, &problems);
    }
  }
  return problems;
}

}  // namespace tuskd::store
