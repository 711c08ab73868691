// How a mutating tuskctl command (delete, purge-expired) reaches the store without breaking the
// single-writer rule: through tuskd's admin endpoint when tuskd has the store open, or directly
// (UploadStore::Open) when nothing does; never both, and never a read-write open beside a
// writer, which would disturb it (docs/architecture.md, "Facts that shaped the design"). RocksDB's
// write lock on <db>/LOCK decides which: admin.json only says where a running tuskd listens. Not
// thread-safe.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "base/status.h"
#include "store/admin_file.h"
#include "store/rocksdb/writer_lock.h"
#include "store/upload_store.h"

namespace tuskd::tuskctl {

class WriterRoute {
 public:
  // NotFound when `data_dir` holds no store; Busy when something other than a tuskd that
  // publishes admin.json holds the store (after waiting a moment for a starting tuskd's file).
  static Status Open(const std::string& data_dir, std::unique_ptr<WriterRoute>* out);
  ~WriterRoute();
  WriterRoute(const WriterRoute&) = delete;
  WriterRoute& operator=(const WriterRoute&) = delete;

  bool through_tuskd() const { return admin_.has_value(); }
  const store::AdminInfo& tuskd() const { return *admin_; }  // when through_tuskd()
  store::UploadStore& store() { return *store_; }            // when !through_tuskd()

 private:
  WriterRoute() = default;

  std::optional<store::AdminInfo> admin_;
  // Held across the store's whole life, so no tuskd can start on the store meanwhile; declared
  // before store_ so that it is released after the store closes (see StateDbWriterLock).
  std::unique_ptr<store::StateDbWriterLock> lock_;
  std::unique_ptr<store::UploadStore> store_;
};

}  // namespace tuskd::tuskctl
