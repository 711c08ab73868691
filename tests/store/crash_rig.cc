#include "tests/store/crash_rig.h"

#include <utility>

#include "store/local/local_data_store.h"
#include "store/rocksdb/rocks_state_store.h"

namespace tuskd::store {

CrashRig::CrashRig()
    : rocks_fs_(std::make_shared<FaultInjectionRocksFs>(&points_)),
      env_(FaultInjectionRocksFs::NewEnv(rocks_fs_)) {
  fs_.SetCrashPoints(&points_);
  options_.data_dir = dir_.path();
  options_.expiration_seconds = kExpiration;
  options_.fs = &fs_;
}

CrashRig::~CrashRig() { Close(); }

Status CrashRig::Open() {
  for (const char* sub : {"/uploads", "/db"}) {
    if (Status made = fs_.CreateDirs(options_.data_dir + sub); !made.ok()) return made;
  }
  std::unique_ptr<RocksStateStore> state;
  if (Status opened = RocksStateStore::Open(options_.data_dir + "/db", &state, env_.get());
      !opened.ok()) {
    return opened;
  }
  auto data = std::make_unique<LocalDataStore>(&fs_, options_.data_dir + "/uploads");
  return UploadStore::Open(options_, std::move(state), std::move(data), &store_);
}

Status CrashRig::CrashAndReopen() {
  // Once crashed, every write the closing store attempts fails, so closing it is the death.
  Close();
  if (Status lost = fs_.Crash(); !lost.ok()) return lost;
  if (rocksdb::IOStatus lost = rocks_fs_->Crash(); !lost.ok()) {
    return FromRocks(lost, "crash the state store's files");
  }
  points_.Revive();
  return Open();
}

}  // namespace tuskd::store
