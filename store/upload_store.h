// Durable upload state: one RocksDB (column families uploads, hash_state, predictions, jobs,
// expiry, meta) plus one data file per upload under <data-dir>/uploads/. Implements the commit
// protocol of DESIGN.md (data fdatasync, then one synced WriteBatch), recovery at open
// (invariant I3), termination and the expiry sweep. A data file holds the upload's bytes raw or,
// with compression, as independent zstd frames (compress/frame_encoder.h, store/frame_index.h);
// offsets always count uncompressed bytes. Knows nothing of HTTP.
// UploadStore is thread-safe. An UploadWriter belongs to the request that holds the upload's
// lease and is used by one thread at a time.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "base/file_system.h"
#include "base/status.h"
#include "compress/compression_choice.h"
#include "compress/frame_encoder.h"
#include "store/completion_pipeline.h"
#include "store/frame_index.h"
#include "store/rolling_sha256.h"
#include "store/upload_lock_table.h"
#include "store/upload_record.h"

namespace rocksdb {
class DB;
class ColumnFamilyHandle;
}  // namespace rocksdb

namespace tuskd::store {

class StateDb;
class CompressedReader;

struct StoreOptions {
  std::string data_dir;  // holds db/ and uploads/
  // Unfinished uploads expire this long after their last commit; 0: never.
  int64_t expiration_seconds = 0;
  FileSystem* fs = PosixFileSystem();  // the seam tests replace; must outlive the store
  // zstd level of the uploads this process writes (docs/compression.md explains the default).
  int compression_level = compress::kDefaultCompressionLevel;
  // Concatenation: terminate a final upload's parts once it is complete (unless another final
  // still waits for one). Off by default, as in tusd: the spec lets clients reuse parts.
  bool remove_parts_after_concat = false;
};

struct NewUpload {
  std::optional<uint64_t> length;  // nullopt: deferred
  std::string metadata_raw;
  std::vector<std::pair<std::string, std::string>> metadata;
  std::string concat;                     // "", "partial" or "final"
  std::vector<std::string> concat_parts;  // a final upload's part ids, in order
  // none | zstd | auto. `auto` is zstd unless the declared media type (DeclaredMediaType) is
  // already compressed; the first piece's magic bytes may still turn it to none.
  std::string compression = "none";
};

// Bytes of live (receiving and complete) uploads: what clients sent, and what their data files
// hold. Equal without compression.
struct StorageTotals {
  uint64_t logical_bytes = 0;
  uint64_t stored_bytes = 0;
};

class UploadWriter;
class UploadReader;

// What AssembleFinal did with a final upload.
enum class AssemblyResult {
  kComplete,   // joined (now or before): complete, with its SHA-256, in the completion pipeline
  kWaiting,    // a part is still receiving; the final listener will be called again
  kAbandoned,  // a part is gone (terminated, expired, missing): the final is terminated too
  kStopped,    // a newer request asked for the lease; what was joined so far is committed
};

class UploadStore {
 public:
  // Opens or creates the store and runs recovery: every unfinished upload's data file is
  // truncated to its committed length (a missing or short file is logged to stderr and left for
  // tuskctl verify), files of terminated/expired uploads are removed, and so are files named
  // like an upload id that no record names (a crash inside Create). Fails, with RocksDB's
  // message, if the DB cannot be opened read-write.
  static Status Open(const StoreOptions& options, std::unique_ptr<UploadStore>* out);
  ~UploadStore();
  UploadStore(const UploadStore&) = delete;
  UploadStore& operator=(const UploadStore&) = delete;

  // Creates the record, an empty 0600 data file and the expiry entry, durably. `now` is unix s.
  // A zero-length upload is complete at creation (sha256 of nothing, no expiry); a partial one
  // skips the completion pipeline, as every partial upload does. Invalid for an unknown
  // compression.
  // A final upload (concat "final") names its parts by id: each must exist, be partial and be
  // live (Invalid naming the part otherwise). Its length is the sum once every part's is known;
  // it has no expiry of its own (it lives as long as its parts can still finish). When a part
  // is not complete yet, a waiting entry per part goes in the same batch, and the final
  // listener is called once the batch is written. When every part is complete, the caller joins it
  // with AssembleFinal.
  Status Create(const NewUpload& spec, int64_t now, UploadRecord* out);
  // NotFound for an unknown (or invalid) id; Corruption for a record that does not parse.
  Status Get(const std::string& id, UploadRecord* out) const;

  // The caller must hold the upload's lease (Invalid when nobody holds it). Invalid unless the
  // upload is receiving (and its compression none or zstd). Restores the hash state (Corruption
  // if it does not match the record) and trims any uncommitted tail.
  Status OpenWriter(const std::string& id, std::unique_ptr<UploadWriter>* out);
  // Reads the committed bytes (decompressed). Works for receiving and complete uploads;
  // NotFound for terminated or expired ones.
  Status OpenReader(const std::string& id, std::unique_ptr<UploadReader>* out) const;

  // Termination: removes the data file; the record stays as a `terminated` tombstone so later
  // requests get 410. The caller must hold the lease (Invalid when nobody holds it). Ok and
  // no change for an upload that is already terminated or expired.
  Status Terminate(const std::string& id, int64_t now);
  // Marks unfinished uploads whose expires_at <= now as `expired` and removes their files.
  // Skips uploads whose lease is held (it takes each lease while expiring). Returns how many
  // were expired in *count.
  Status SweepExpired(int64_t now, size_t* count);
  // The uploads SweepExpired(now) would expire: receiving, due by `now` in the expiry index,
  // and not leased at the moment. Changes nothing (for dry runs and reports).
  Status ListExpired(int64_t now, std::vector<std::string>* ids) const;

  // ---- concatenation (store/final_assembly.cc) ----
  // Joins a final upload's parts, in order, into its own data file, hashing the bytes on the
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

  // All records, for metrics and tools (a full scan; not for the request path). Records that do
  // not parse are skipped and logged to stderr.
  Status ListUploads(std::vector<UploadRecord>* out) const;
  // Kept up to date by recovery, commits and retirement; no scan.
  StorageTotals storage_totals() const;

  UploadLockTable& locks() { return locks_; }
  // The prediction cache and job queue that completions feed.
  CompletionPipeline& pipeline() { return *pipeline_; }
  const StoreOptions& options() const { return options_; }
  std::string DataPath(const std::string& id) const;  // id must be valid

 private:
  friend class UploadWriter;
  explicit UploadStore(const StoreOptions& options);
  Status Recover();
  Status RemoveOrphanFiles();
  void RecoverDataFile(const UploadRecord& record);
  // Moves a live record to `state` (terminated or expired) in one synced batch, then removes
  // its file. `expiry_key`: the index entry to delete, when the caller already has it.
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
  // Where a writer resumes: the hash state saved with the record, and the data file opened for
  // append with any uncommitted tail cut off (Corruption when either disagrees with it).
  Status OpenForAppendAt(const UploadRecord& record, RollingSha256* hash,
                         std::unique_ptr<DataFile>* file);
  // The final's record as Create writes it, and the parts it must wait for.
  Status PrepareFinal(const NewUpload& spec, UploadRecord* record,
                      std::vector<std::string>* waiting_on) const;
  // After a partial upload completed or was retired: wakes the finals waiting for it.
  void NotifyPartChanged(const std::string& part_id);
  Status JoinParts(UploadRecord record, const std::vector<UploadRecord>& parts,
                   const UploadLockTable::Lease& lease, int64_t now, AssemblyResult* result);
  // Appends one part's bytes to `file` (see AssembleFinal); *stopped when the lease was asked
  // for, with the file then holding a partial copy the caller cuts off.
  Status CopyPart(const UploadRecord& part, const std::string& compression, DataFile* file,
                  RollingSha256* hash, std::vector<FrameStart>* frames,
                  const UploadLockTable::Lease& lease, bool* stopped) const;
  void RemoveJoinedParts(const std::vector<UploadRecord>& parts, int64_t now);
  // Moves the totals by the difference between two states of one upload.
  void CountStored(const UploadRecord* before, const UploadRecord* after);

  StoreOptions options_;
  std::unique_ptr<StateDb> db_;
  std::unique_ptr<CompletionPipeline> pipeline_;
  UploadLockTable locks_;
  std::function<void(const std::string&)> final_listener_;
  std::atomic<uint64_t> logical_bytes_{0};
  std::atomic<uint64_t> stored_bytes_{0};
};

// Appends body bytes to one upload. Append writes through to the data file (compressing into
// the open zstd frame for a compressed upload) and updates the rolling SHA-256; Commit makes
// everything appended durable and visible (end of the frame, fdatasync, then one synced batch
// with offset, data length, hash state, new frame index entries, updated/expires). Commit
// blocks on disk: run it off the io threads. Append compresses: for a compressed upload it
// costs CPU time too (compressed()). Not thread-safe, but may move between threads.
class UploadWriter {
 public:
  ~UploadWriter();
  UploadWriter(const UploadWriter&) = delete;
  UploadWriter& operator=(const UploadWriter&) = delete;

  // On failure the file is truncated back to its length before this call, so the uncommitted
  // state stays consistent (NoSpace for ENOSPC); for a compressed upload, back to the end of the
  // last whole frame instead, dropping the pending bytes of the open frame too (offset() says
  // where the writer stands; at most kTargetFrameBytes plus one piece are lost). Invalid,
  // writing nothing, when the bytes would run past a known length. Allocates nothing on
  // success, except the compression context at a compressed upload's first Append.
  Status Append(std::span<const char> bytes);
  // Declares a deferred length (Invalid if one is set or it is below offset()); takes effect at
  // the next Commit.
  Status SetLength(uint64_t length);
  // Durable commit of everything appended. When offset reaches length, the upload completes:
  // state complete, sha256 set, expiry and hash state removed. A no-op when nothing changed.
  // On failure committed() is unchanged and the writer refuses Append and Commit (returning
  // the same error) until Rollback: a retried fdatasync can report success over lost pages.
  Status Commit(int64_t now);
  // Drops everything appended since the last commit (file truncated, hash restored) and clears
  // a failure left by Append or Commit.
  Status Rollback();

  uint64_t offset() const;         // committed + pending
  uint64_t pending_bytes() const;  // appended since the last commit
  // Whether Append compresses, as decided so far (`auto` may still turn it off at the first
  // piece of an empty upload).
  bool compressed() const { return compression_ == "zstd"; }
  const UploadRecord& committed() const { return committed_; }
  const RollingSha256& hash() const { return hash_; }

 private:
  friend class UploadStore;
  UploadWriter(UploadStore* store, UploadRecord record, RollingSha256 hash,
               std::unique_ptr<DataFile> file);
  std::optional<uint64_t> length() const;  // pending or committed
  UploadRecord NextRecord(int64_t now) const;
  Status AppendCompressed(std::span<const char> bytes);
  // After a failed compressed append: back to the last frame end (file, hash, offset).
  Status RewindToFrameEnd(Status cause);
  // A writer state at a frame boundary: where a failed compressed append returns to.
  struct FrameMark {
    uint64_t pending = 0;
    uint64_t data_length = 0;
    RollingSha256 hash;
  };

  UploadStore* store_;
  UploadRecord committed_;
  RollingSha256 committed_hash_;
  RollingSha256 hash_;
  std::unique_ptr<DataFile> file_;
  uint64_t pending_ = 0;
  std::optional<uint64_t> pending_length_;
  Status failed_;  // set by a failure that leaves the file in an unknown state
  // Compression: the current decision, the encoder (made at the first compressed Append), the
  // frames begun since the last commit (their index entries go in its batch) and the last
  // frame end.
  std::string compression_;
  bool sniff_first_piece_ = false;
  std::unique_ptr<compress::FrameEncoder> encoder_;
  std::array<FrameStart, kMaxPendingFrames> new_frames_{};
  size_t new_frame_count_ = 0;
  FrameMark frame_end_;
};

// Reads an upload's committed bytes by uncompressed offset. Not thread-safe.
class UploadReader {
 public:
  ~UploadReader();
  // Reads up to out.size() bytes at `offset` (< committed offset); *read 0 at the end.
  Status Read(uint64_t offset, std::span<char> out, size_t* read);
  uint64_t size() const { return size_; }  // committed uncompressed bytes

 private:
  friend class UploadStore;
  UploadReader(std::unique_ptr<DataFile> file, uint64_t size);
  UploadReader(std::unique_ptr<CompressedReader> compressed, uint64_t size);
  std::unique_ptr<DataFile> file_;                // raw uploads
  std::unique_ptr<CompressedReader> compressed_;  // zstd uploads
  uint64_t size_;
};

}  // namespace tuskd::store
