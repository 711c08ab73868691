// Every store call a handler makes, and where it runs: on the io thread (inline) or on the
// blocking pool (server/blocking_pool.h). This file is the one place that decides it; handlers
// call these and never the store's blocking functions directly. The rule: what waits on the
// disk (fdatasync, a synced RocksDB batch, a truncation, a file removal, a whole-file copy) or
// burns milliseconds of CPU goes to the pool, so one slow disk never stalls the other
// connections of an io thread; what costs about as much as a thread hop stays inline, since a
// hop per request (HEAD) or per piece (PATCH) is measurable. Each function says which and why.
// The awaitable ones resume on the caller's executor. Thread-safety is the store's: every call
// here may run on any thread; a writer is used by one coroutine at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "base/status.h"
#include "server/services.h"
#include "store/concat_joiner.h"
#include "store/upload_lock_table.h"
#include "store/upload_record.h"
#include "store/upload_store.h"

namespace tuskd::server {

// ---- inline on the io thread ----

// A RocksDB point read (UploadStore::Get): inline. Records are small and the ones requests ask
// for were just written (memtable) or read (block cache), so a read is microseconds, about the
// cost of the hop itself, and every HEAD, PATCH and GET starts with one. NotFound for an
// unknown id.
Status GetRecord(Services& services, const std::string& id, store::UploadRecord* record);

// A prediction status (CompletionPipeline::StatusFor), a point read like GetRecord: inline.
Status GetPredictionStatus(Services& services, const std::string& sha256,
                           store::PredictionStatus* status);

// Declares a deferred length (UploadWriter::SetLength): memory only until the next commit,
// inline.
Status SetLength(store::UploadWriter& writer, uint64_t length);

// ---- on the blocking pool ----

// Creates an upload (UploadStore::Create): a new file, a directory sync and a synced batch;
// the pool.
boost::asio::awaitable<Status> CreateUpload(Services& services, const store::NewUpload& spec,
                                            int64_t now, store::UploadRecord* record);

// Opens the writer of a leased upload (UploadStore::OpenWriter): reads the record and the hash
// state, opens the data file and truncates an uncommitted tail; the pool (a truncation waits on
// the file system's journal).
boost::asio::awaitable<Status> OpenWriter(Services& services, const std::string& id,
                                          std::unique_ptr<store::UploadWriter>* writer);

// Appends one body piece (UploadWriter::Append). Raw: inline, a write(2) into the page cache
// that costs less than a hop, paid on every piece of the hot path. Compressed: the pool, since
// compressing a piece costs about a millisecond of CPU (docs/compression.md) that would delay
// every other connection of the io thread; it works from a copy in `owned`, a buffer of the
// request (one piece, reused), because the io thread's piece buffer is shared with its other
// connections, which may use it while this one waits.
boost::asio::awaitable<Status> Append(Services& services, store::UploadWriter& writer,
                                      std::span<const char> bytes, std::vector<char>& owned);

// Makes what was appended durable (UploadWriter::Commit): an fdatasync and a synced batch; the
// pool, always.
boost::asio::awaitable<Status> Commit(Services& services, store::UploadWriter& writer, int64_t now);

// Drops what was appended since the last commit (UploadWriter::Rollback): truncates the file;
// the pool. Rare (failures and checksum mismatches), so the hop costs nothing that shows.
boost::asio::awaitable<Status> Rollback(Services& services, store::UploadWriter& writer);

// Terminates a leased upload (UploadStore::Terminate): a synced batch and a file removal; the
// pool.
boost::asio::awaitable<Status> Terminate(Services& services, const std::string& id, int64_t now);

// Joins a final upload's parts (UploadStore::AssembleFinal): copies whole files; the pool.
boost::asio::awaitable<Status> AssembleFinal(Services& services, const std::string& id,
                                             const store::UploadLockTable::Lease& lease,
                                             int64_t now, store::AssemblyResult* result);

// Opens a reader for a download (UploadStore::OpenReader): opens the data file and, for a
// compressed upload, reads its frame index; the pool, as one hop is nothing next to the
// download that follows. The reads themselves (UploadReader::Read, one per piece in
// Exchange::RespondWithFile) stay inline: a raw read comes from the page cache, a compressed
// one decodes at most one frame's worth, and moving them would cost a hop per piece and a
// buffer per download instead of the io thread's shared piece buffer (I4).
boost::asio::awaitable<Status> OpenReader(Services& services, const std::string& id,
                                          std::unique_ptr<store::UploadReader>* reader);

// Lists (dry run) or retires the expired uploads (store::PurgeExpired): a scan and a synced
// batch per upload; the pool.
boost::asio::awaitable<Status> PurgeExpired(Services& services, int64_t now, bool dry_run,
                                            std::vector<std::string>* ids);

}  // namespace tuskd::server
