// CrashRig: an embedded store (RocksDB + local data files) in a fresh directory whose every
// write and sync point, in the data files and in RocksDB alike, is numbered by one
// CrashPoints, so a test can let the store die at point N, lose what a power cut loses, and
// reopen it. The crash sweep (crash_sweep_test.cc) runs each scripted scenario once per point.
#pragma once

#include <rocksdb/env.h>

#include <memory>
#include <string>

#include "base/status.h"
#include "store/store_options.h"
#include "store/upload_store.h"
#include "tests/common/crash_points.h"
#include "tests/common/fault_injection_file_system.h"
#include "tests/common/scoped_temp_dir.h"
#include "tests/store/rocksdb/fault_injection_rocks_fs.h"

namespace tuskd::store {

class CrashRig {
 public:
  static constexpr int64_t kExpiration = 3600;

  CrashRig();
  ~CrashRig();
  CrashRig(const CrashRig&) = delete;
  CrashRig& operator=(const CrashRig&) = delete;

  // Opens the store on both fault layers (recovery runs, as at a real start).
  Status Open();
  // The process dies: the store is dropped without another write reaching the disk, then
  // both layers lose what was never synced. The points are revived and count again.
  Status CrashAndReopen();
  void Close() { store_.reset(); }

  UploadStore& store() { return *store_; }
  CrashPoints& points() { return points_; }
  FaultInjectionFileSystem& data_fs() { return fs_; }
  FaultInjectionRocksFs& rocks_fs() { return *rocks_fs_; }
  const std::string& data_dir() const { return dir_.path(); }
  std::string DataPath(const std::string& id) const { return data_dir() + "/uploads/" + id; }

 private:
  ScopedTempDir dir_;
  CrashPoints points_;
  FaultInjectionFileSystem fs_;
  std::shared_ptr<FaultInjectionRocksFs> rocks_fs_;
  std::unique_ptr<rocksdb::Env> env_;
  StoreOptions options_;
  std::unique_ptr<UploadStore> store_;
};

}  // namespace tuskd::store
