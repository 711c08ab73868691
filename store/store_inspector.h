// Read-only access to a tuskd data directory, for tools (tuskctl): the state DB opened as a
// RocksDB secondary while a writer (tuskd) has it open, or point-in-time read-only while nobody
// does; never read-write, so it runs beside tuskd without disturbing its lock, files or LOG.
// Queries return what the writer had committed at the open or the last Refresh(); data files
// are read as they are on disk (they may hold uncommitted tails past the record's data_length).
// Not thread-safe: one thread uses an inspector.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/status.h"
#include "store/completion_pipeline.h"
#include "store/upload_record.h"

namespace tuskd::store {

class RocksStateStore;

class StoreInspector {
 public:
  enum class Mode {
    kAuto,       // secondary when a writer holds the DB, point-in-time otherwise
    kSecondary,  // always secondary: for a long-lived view (watch) that must follow a writer
  };

  // NotFound when `data_dir` holds no state DB.
  static Status Open(const std::string& data_dir, Mode mode, std::unique_ptr<StoreInspector>* out);
  ~StoreInspector();
  StoreInspector(const StoreInspector&) = delete;
  StoreInspector& operator=(const StoreInspector&) = delete;

  // True when opened as a secondary (a writer was running, or Mode::kSecondary).
  bool live() const { return live_; }
  // Catches up with the writer's commits (secondary); a no-op for a point-in-time open.
  Status Refresh();

  // Every record, in id order. Keys whose records do not parse go to *unreadable (may be null).
  Status ListUploads(std::vector<UploadRecord>* out, std::vector<std::string>* unreadable) const;
  // NotFound for an unknown or invalid id; Corruption for a record that does not parse.
  Status GetUpload(const std::string& id, UploadRecord* out) const;
  // An id, or an unambiguous prefix of one (at least 4 characters), to the full id. NotFound
  // when nothing matches; Invalid when several do.
  Status ResolveId(const std::string& id_or_prefix, std::string* id) const;
  // The serialized SHA-256 state at the committed offset; NotFound when there is none
  // (complete, terminated and expired uploads keep none).
  Status GetHashState(const std::string& id, std::string* blob) const;

  // Every stored prediction result document ({status, sha256, result, error, predictor,
  // attempts, updated_at}), in hash order. Unparseable ones are skipped.
  Status ListPredictions(std::vector<nlohmann::json>* out) const;
  // What the results API would say for a hash: a queued job wins over a stored result. A job
  // is reported as "pending" (whether a worker runs it now is not on disk). NotFound when
  // there is neither.
  Status PredictionFor(const std::string& sha256, PredictionStatus* out) const;
  Status ListJobs(std::vector<PredictionJob>* out) const;

  // The data file's size on disk (compressed bytes when zstd); NotFound when it is absent.
  Status DataFileSize(const std::string& id, uint64_t* size) const;
  std::string DataPath(const std::string& id) const;  // id must be valid
  const std::string& data_dir() const { return data_dir_; }

 private:
  StoreInspector() = default;

  std::string data_dir_;
  bool live_ = false;
  std::unique_ptr<RocksStateStore> db_;
  // Reads jobs and results exactly as the server's pipeline does; never asked to write.
  std::unique_ptr<CompletionPipeline> pipeline_;
};

}  // namespace tuskd::store
