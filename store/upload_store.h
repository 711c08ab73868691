// UploadStore: durable upload state, the store's one entry point. It owns a StateStore (records,
// hash states, indexes, jobs: store/state_store.h) and a DataStore (the bytes:
// store/data_store.h) and implements, against those two interfaces only, the commit protocol of
// docs/architecture.md (data synced, then one atomic state batch), recovery at open (I3),
// termination, the expiry sweep and concatenation. A data object holds an upload's bytes raw
// or, with compression, as independent zstd frames (compress/frame_encoder.h,
// store/frame_index.h); offsets always count uncompressed bytes. Knows nothing of HTTP.
// UploadStore is thread-safe. An UploadWriter belongs to the request that holds the upload's
// lease and is used by one thread at a time.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "store/completion_pipeline.h"
#include "store/data_store.h"
#include "store/frame_index.h"
#include "store/new_upload.h"
#include "store/state_store.h"
#include "store/store_options.h"
#include "store/upload_lock_table.h"
#include "store/upload_reader.h"
#include "store/upload_record.h"
#include "store/upload_writer.h"

namespace tuskd::store {

class RollingSha256;

// Bytes of live (receiving and complete) uploads: what clients sent, and what their data
// objects hold. Equal without compression.
struct StorageTotals {
  uint64_t logical_bytes = 0;
  uint64_t stored_bytes = 0;
};

// What AssembleFinal did with a final upload.
enum class AssemblyResult {
  kComplete,   // joined (now or before): complete, with its SHA-256, in the completion pipeline
  kWaiting,    // a part is still receiving; the final listener will be called again
  kAbandoned,  // a part is gone (terminated, expired, missing): the final is terminated too
  kStopped,    // a newer request asked for the lease; what was joined so far is committed
};

class UploadStore {
 public:
  // The embedded store: RocksDB in <data_dir>/db and a file per upload in <data_dir>/uploads
  // (both created if absent), through options.fs. Fails, with RocksDB's message, if the DB
  // cannot be opened read-write. Runs recovery as the other Open does.
  static Status Open(const StoreOptions& options, std::unique_ptr<UploadStore>* out);
  // Any backends. Runs recovery: every unfinished upload's data object is cut back to its
  // committed length (a missing or short one is logged and left for tuskctl verify), objects of
  // terminated/expired uploads are removed, and so are objects that no record names (a crash
  // inside Create).
  static Status Open(const StoreOptions& options, std::unique_ptr<StateStore> state,
                     std::unique_ptr<DataStore> data, std::unique_ptr<UploadStore>* out);
  ~UploadStore();
  UploadStore(const UploadStore&) = delete;
  UploadStore& operator=(const UploadStore&) = delete;

  // Creates the record, an empty data object and the expiry entry, durably. `now` is unix s.
  // A zero-length upload is complete at creation (sha256 of nothing, no expiry); a partial one
  // skips the completion pipeline, as every partial upload does.
  // A final upload (concat kFinal) names its parts by id: each must exist, be partial and be
  // live (Invalid naming the part otherwise). Its length is the sum once every part's is known;
  // it has no expiry of its own (it lives as long as its parts can still finish). When a part
  // is not complete yet, a waiting entry per part goes in the same batch, and the final
  // listener is called once the batch is written. When every part is complete, the caller
  // joins it with AssembleFinal.
  Status Create(const NewUpload& spec, int64_t now, UploadRecord* out);
  // NotFound for an unknown (or invalid) id; Corruption for a record that does not parse.
  Status Get(const std::string& id, UploadRecord* out) const;

  // The caller must hold the upload's lease (Invalid when nobody holds it). Invalid unless the
  // upload is receiving. Restores the hash state (Corruption if it does not match the record)
  // and trims any uncommitted tail.
  Status OpenWriter(const std::string& id, std::unique_ptr<UploadWriter>* out);
  // Reads the committed bytes (decompressed). Works for receiving and complete uploads;
  // NotFound for terminated or expired ones.
  Status OpenReader(const std::string& id, std::unique_ptr<UploadReader>* out) const;

  // Termination: removes the data object; the record stays as a `terminated` tombstone so
  // later requests get 410. The caller must hold the lease (Invalid when nobody holds it). Ok
  // and no change for an upload that is already terminated or expired.
  Status Terminate(const std::string& id, int64_t now);
  // Marks unfinished uploads whose expires_at <= now as `expired` and removes their data.
  // Skips uploads whose lease is held (it takes each lease while expiring). Returns how many
  // were expired in *count.
  Status SweepExpired(int64_t now, size_t* count);
  // The uploads SweepExpired(now) would expire: receiving, due by `now` in the expiry index,
  // and not leased at the moment. Changes nothing (for dry runs and reports).
  Status ListExpired(int64_t now, std::vector<std::string>* ids) const;

  // ---- concatenation (store/concat_join.cc) ----
  // Joins a final upload's parts, in order, into its own data object, hashing the bytes on the
  // way (one pass over each part). The caller holds the final's lease; the copy stops between
  // pieces once a newer request asks for it. Commits after each part, so a crash or a stop
  // resumes at the next part. Parts that are all zstd are copied frame by frame without
  // recompressing (their frame index entries shifted); otherwise the final is stored
  // uncompressed. Memory is fixed whatever the sizes.
  Status AssembleFinal(const std::string& id, const UploadLockTable::Lease& lease, int64_t now,
                       AssemblyResult* result);
  // Called with a final upload's id when it may have become joinable or abandoned: after the
  // creation of a final that waits, and when one of its parts completes or is retired. Runs on
  // the thread that made the change, after its batch: it must not block. Set once, before use.
  void SetFinalListener(std::function<void(const std::string& final_id)> listener);
  // Final uploads whose parts are not joined yet (a full scan, for start-up).
  Status ListUnjoinedFinals(std::vector<std::string>* ids) const;

  // All records, for metrics and tools (a full scan; not for the request path). Records that
  // do not parse are skipped and logged.
  Status ListUploads(std::vector<UploadRecord>* out) const;
  // Kept up to date by recovery, commits and retirement; no scan.
  StorageTotals storage_totals() const;

  UploadLockTable& locks() { return locks_; }
  // The prediction cache and job queue that completions feed.
  CompletionPipeline& pipeline() { return *pipeline_; }
  const StoreOptions& options() const { return options_; }
  // Where an upload's bytes are (a path for the embedded store), for people and logs.
  std::string DataPath(const std::string& id) const;  // id must be valid

 private:
  friend class UploadWriter;
  UploadStore(const StoreOptions& options, std::unique_ptr<StateStore> state,
              std::unique_ptr<DataStore> data);

  // The record Create writes (with a new id), and the parts a final must wait for.
  Status NewRecord(const NewUpload& spec, int64_t now, UploadRecord* record,
                   std::vector<std::string>* waiting_on) const;

  // ---- recovery (store/upload_recovery.cc) ----
  Status Recover();
  Status RemoveOrphanObjects();
  void RecoverData(const UploadRecord& record);

  // ---- retirement (store/upload_retirement.cc) ----
  // Moves a live record to `state` (terminated or expired) in one atomic batch, then removes
  // its data. `expiry_key`: the index entry to delete, when the caller already has it.
  Status Retire(UploadRecord record, UploadState state, int64_t now,
                std::optional<std::string> expiry_key);
  // Calls `visit` for each expiry-index entry due by `now`, in time order; stops at its first
  // failure.
  Status ForEachDueExpiry(int64_t now,
                          const std::function<Status(const std::string& key, std::string id,
                                                     int64_t expires_at)>& visit) const;
  // Still unfinished and still due at the time its index entry names (not moved by a write).
  static bool IsExpirable(const UploadRecord& record, int64_t key_time);
  Status ExpireOne(const std::string& key, const std::string& id, int64_t key_time, int64_t now,
                   bool* expired);

  // Where a writer resumes: the hash state saved with the record, and the data object opened
  // for append with any uncommitted tail cut off (Corruption when either disagrees with it).
  Status OpenForAppendAt(const UploadRecord& record, RollingSha256* hash,
                         std::unique_ptr<DataAppender>* data);

  // ---- concatenation (store/concat_join.cc) ----
  // The final's record as Create writes it, and the parts it must wait for.
  Status PrepareFinal(const NewUpload& spec, UploadRecord* record,
                      std::vector<std::string>* waiting_on) const;
  // After a partial upload completed or was retired: wakes the finals waiting for it.
  void NotifyPartChanged(const std::string& part_id);
  Status JoinParts(UploadRecord record, const std::vector<UploadRecord>& parts,
                   const UploadLockTable::Lease& lease, int64_t now, AssemblyResult* result);
  // Commits a joined part: the final's new offset and hash, and the part's frames shifted.
  Status CommitJoinedPart(UploadRecord* record, uint64_t part_base, uint64_t end,
                          const std::vector<FrameStart>& frames, const RollingSha256& hash,
                          DataAppender* data, int64_t now);
  Status CompleteFinal(UploadRecord record, const std::vector<UploadRecord>& parts, uint64_t total,
                       const RollingSha256& hash, int64_t now);
  // Appends one part's bytes to `data` (see AssembleFinal); *stopped when the lease was asked
  // for, with the object then holding a partial copy the caller cuts off.
  Status CopyPart(const UploadRecord& part, compress::Compression compression, DataAppender* data,
                  RollingSha256* hash, std::vector<FrameStart>* frames,
                  const UploadLockTable::Lease& lease, bool* stopped) const;
  Status CopyFrames(const UploadRecord& part, DataAppender* data, RollingSha256* hash,
                    std::vector<FrameStart>* frames, const UploadLockTable::Lease& lease,
                    bool* stopped) const;
  Status CopyDecoded(const UploadRecord& part, DataAppender* data, RollingSha256* hash,
                     const UploadLockTable::Lease& lease, bool* stopped) const;
  void RemoveJoinedParts(const std::vector<UploadRecord>& parts, int64_t now);

  // Moves the totals by the difference between two states of one upload.
  void CountStored(const UploadRecord* before, const UploadRecord* after);

  StoreOptions options_;
  std::unique_ptr<StateStore> state_;
  std::unique_ptr<DataStore> data_;
  std::unique_ptr<CompletionPipeline> pipeline_;
  UploadLockTable locks_;
  std::function<void(const std::string&)> final_listener_;
  std::atomic<uint64_t> logical_bytes_{0};
  std::atomic<uint64_t> stored_bytes_{0};
};

}  // namespace tuskd::store
