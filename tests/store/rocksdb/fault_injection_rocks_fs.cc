#include "tests/store/rocksdb/fault_injection_rocks_fs.h"

#include <filesystem>
#include <fstream>
#include <iterator>
#include <utility>

namespace tuskd::store {
namespace {

using rocksdb::IODebugContext;
using rocksdb::IOOptions;
using rocksdb::IOStatus;
using rocksdb::Slice;

std::string Basename(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

std::string Dirname(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? "." : path.substr(0, slash);
}

// A file RocksDB writes: each append, truncation and sync is a point, reported to the file
// system, which keeps what a crash would leave.
class FaultInjectionRocksFile : public rocksdb::FSWritableFileOwnerWrapper {
 public:
  FaultInjectionRocksFile(FaultInjectionRocksFs* fs, std::string path,
                          std::unique_ptr<rocksdb::FSWritableFile> target)
      : FSWritableFileOwnerWrapper(std::move(target)), fs_(fs), path_(std::move(path)) {}

  IOStatus Append(const Slice& data, const IOOptions& options, IODebugContext* dbg) override {
    if (IOStatus alive = fs_->PassPoint("append", path_); !alive.ok()) return alive;
    IOStatus s = target()->Append(data, options, dbg);
    if (s.ok()) fs_->RecordAppend(path_, data.size());
    return s;
  }
  IOStatus Append(const Slice& data, const IOOptions& options,
                  const rocksdb::DataVerificationInfo& /*info*/, IODebugContext* dbg) override {
    return Append(data, options, dbg);
  }
  IOStatus PositionedAppend(const Slice& data, uint64_t offset, const IOOptions& options,
                            IODebugContext* dbg) override {
    if (IOStatus alive = fs_->PassPoint("append", path_); !alive.ok()) return alive;
    IOStatus s = target()->PositionedAppend(data, offset, options, dbg);
    if (s.ok()) fs_->RecordAppend(path_, data.size());
    return s;
  }
  IOStatus PositionedAppend(const Slice& data, uint64_t offset, const IOOptions& options,
                            const rocksdb::DataVerificationInfo& /*info*/,
                            IODebugContext* dbg) override {
    return PositionedAppend(data, offset, options, dbg);
  }
  IOStatus Truncate(uint64_t size, const IOOptions& options, IODebugContext* dbg) override {
    if (IOStatus alive = fs_->PassPoint("truncate", path_); !alive.ok()) return alive;
    IOStatus s = target()->Truncate(size, options, dbg);
    if (s.ok()) fs_->RecordTruncated(path_, size);
    return s;
  }
  IOStatus Sync(const IOOptions& options, IODebugContext* dbg) override {
    return SyncWith(options, dbg, /*full=*/false);
  }
  IOStatus Fsync(const IOOptions& options, IODebugContext* dbg) override {
    return SyncWith(options, dbg, /*full=*/true);
  }
  // sync_file_range promises nothing about durability: counted as neither sync nor point.

 private:
  IOStatus SyncWith(const IOOptions& options, IODebugContext* dbg, bool full) {
    if (IOStatus alive = fs_->PassPoint("sync", path_); !alive.ok()) return alive;
    bool lie = false;
    if (IOStatus fault = fs_->TakeSyncFault(path_, &lie); !fault.ok()) return fault;
    if (lie) return IOStatus::OK();
    IOStatus s = full ? target()->Fsync(options, dbg) : target()->Sync(options, dbg);
    if (s.ok()) fs_->RecordSynced(path_);
    return s;
  }

  FaultInjectionRocksFs* fs_;
  std::string path_;
};

// A directory whose fsync makes the names of the files in it durable.
class FaultInjectionRocksDir : public rocksdb::FSDirectoryWrapper {
 public:
  FaultInjectionRocksDir(FaultInjectionRocksFs* fs, std::string path,
                         std::unique_ptr<rocksdb::FSDirectory> target)
      : FSDirectoryWrapper(std::move(target)), fs_(fs), path_(std::move(path)) {}

  IOStatus Fsync(const IOOptions& options, IODebugContext* dbg) override {
    return FsyncWithDirOptions(options, dbg, rocksdb::DirFsyncOptions());
  }
  IOStatus FsyncWithDirOptions(const IOOptions& options, IODebugContext* dbg,
                               const rocksdb::DirFsyncOptions& dir_options) override {
    if (IOStatus alive = fs_->PassPoint("directory sync", path_); !alive.ok()) return alive;
    IOStatus s = FSDirectoryWrapper::FsyncWithDirOptions(options, dbg, dir_options);
    if (s.ok()) fs_->RecordDirSynced(path_);
    return s;
  }

 private:
  FaultInjectionRocksFs* fs_;
  std::string path_;
};

std::optional<std::string> ReadWhole(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

}  // namespace

FaultInjectionRocksFs::FaultInjectionRocksFs(CrashPoints* points)
    : FileSystemWrapper(rocksdb::FileSystem::Default()), points_(points) {}

std::unique_ptr<rocksdb::Env> FaultInjectionRocksFs::NewEnv(
    const std::shared_ptr<FaultInjectionRocksFs>& fs) {
  return rocksdb::NewCompositeEnv(fs);
}

bool FaultInjectionRocksFs::Untracked(const std::string& path) {
  std::string name = Basename(path);
  return name == "LOG" || name.starts_with("LOG.old");
}

IOStatus FaultInjectionRocksFs::PassPoint(const char* what, const std::string& path) {
  if (points_ == nullptr || points_->Pass(what, path)) return IOStatus::OK();
  return IOStatus::IOError("crashed before the " + std::string(what) + " of " + path);
}

IOStatus FaultInjectionRocksFs::Wrap(const std::string& fname, bool creates,
                                     std::unique_ptr<rocksdb::FSWritableFile>* result) {
  *result = std::make_unique<FaultInjectionRocksFile>(this, fname, std::move(*result));
  std::error_code error;
  uint64_t size = std::filesystem::file_size(fname, error);
  if (error) size = 0;
  std::lock_guard<std::mutex> lock(mu_);
  Tracked& file = files_[fname];
  // What was on disk when the file was opened counts as durable, like a file first seen by
  // the data files' fault injection; a new name is not durable until its directory is synced.
  file.size = size;
  file.synced = size;
  if (creates) file.durable_name = false;
  return IOStatus::OK();
}

IOStatus FaultInjectionRocksFs::NewWritableFile(const std::string& fname,
                                                const rocksdb::FileOptions& options,
                                                std::unique_ptr<rocksdb::FSWritableFile>* result,
                                                IODebugContext* dbg) {
  if (Untracked(fname)) return target()->NewWritableFile(fname, options, result, dbg);
  const bool creates = !std::filesystem::exists(fname);
  if (IOStatus alive = PassPoint("creation", fname); !alive.ok()) return alive;
  IOStatus s = target()->NewWritableFile(fname, options, result, dbg);
  return s.ok() ? Wrap(fname, creates, result) : s;
}

IOStatus FaultInjectionRocksFs::ReopenWritableFile(const std::string& fname,
                                                   const rocksdb::FileOptions& options,
                                                   std::unique_ptr<rocksdb::FSWritableFile>* result,
                                                   IODebugContext* dbg) {
  if (Untracked(fname)) return target()->ReopenWritableFile(fname, options, result, dbg);
  const bool creates = !std::filesystem::exists(fname);
  if (IOStatus alive = PassPoint("creation", fname); !alive.ok()) return alive;
  IOStatus s = target()->ReopenWritableFile(fname, options, result, dbg);
  return s.ok() ? Wrap(fname, creates, result) : s;
}

IOStatus FaultInjectionRocksFs::NewDirectory(const std::string& name, const IOOptions& options,
                                             std::unique_ptr<rocksdb::FSDirectory>* result,
                                             IODebugContext* dbg) {
  std::unique_ptr<rocksdb::FSDirectory> dir;
  IOStatus s = target()->NewDirectory(name, options, &dir, dbg);
  if (!s.ok()) return s;
  *result = std::make_unique<FaultInjectionRocksDir>(this, name, std::move(dir));
  return IOStatus::OK();
}

IOStatus FaultInjectionRocksFs::DeleteFile(const std::string& fname, const IOOptions& options,
                                           IODebugContext* dbg) {
  if (Untracked(fname)) return target()->DeleteFile(fname, options, dbg);
  if (IOStatus alive = PassPoint("removal", fname); !alive.ok()) return alive;
  IOStatus s = target()->DeleteFile(fname, options, dbg);
  if (s.ok()) {
    std::lock_guard<std::mutex> lock(mu_);
    files_.erase(fname);
  }
  return s;
}

IOStatus FaultInjectionRocksFs::RenameFile(const std::string& src, const std::string& target,
                                           const IOOptions& options, IODebugContext* dbg) {
  if (IOStatus alive = PassPoint("rename", target); !alive.ok()) return alive;
  std::optional<std::string> previous = ReadWhole(target);
  IOStatus s = FileSystemWrapper::target()->RenameFile(src, target, options, dbg);
  if (!s.ok()) return s;
  std::lock_guard<std::mutex> lock(mu_);
  Tracked moved;
  if (auto it = files_.find(src); it != files_.end()) {
    moved = it->second;
    files_.erase(it);
  } else {
    std::error_code error;
    moved.size = moved.synced = std::filesystem::file_size(target, error);
  }
  // Until the directory is synced the old name may still hold what it held: the earliest
  // durable content of `target` is what a crash restores.
  auto old = files_.find(target);
  if (old != files_.end() && !old->second.durable_name) {
    moved.replaced = old->second.replaced;
  } else {
    moved.replaced = std::move(previous);
  }
  moved.durable_name = false;
  files_[target] = std::move(moved);
  return IOStatus::OK();
}

IOStatus FaultInjectionRocksFs::Truncate(const std::string& fname, size_t size,
                                         const IOOptions& options, IODebugContext* dbg) {
  if (IOStatus alive = PassPoint("truncate", fname); !alive.ok()) return alive;
  IOStatus s = target()->Truncate(fname, size, options, dbg);
  if (s.ok()) RecordTruncated(fname, size);
  return s;
}

void FaultInjectionRocksFs::RecordAppend(const std::string& path, uint64_t bytes) {
  std::lock_guard<std::mutex> lock(mu_);
  files_[path].size += bytes;
}

IOStatus FaultInjectionRocksFs::TakeSyncFault(const std::string& path, bool* lie) {
  std::lock_guard<std::mutex> lock(mu_);
  const bool wal = path.ends_with(".log");
  *lie = wal && lie_about_wal_syncs_;
  if (!fail_next_wal_sync_ || !wal) return IOStatus::OK();
  fail_next_wal_sync_ = false;
  return IOStatus::IOError("injected WAL sync fault on " + path);
}

void FaultInjectionRocksFs::RecordSynced(const std::string& path) {
  std::lock_guard<std::mutex> lock(mu_);
  Tracked& file = files_[path];
  file.synced = file.size;
}

void FaultInjectionRocksFs::RecordTruncated(const std::string& path, uint64_t size) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = files_.find(path);
  if (it == files_.end()) return;
  it->second.size = size;
  it->second.synced = std::min(it->second.synced, size);
}

void FaultInjectionRocksFs::RecordDirSynced(const std::string& dir) {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& [path, file] : files_) {
    if (Dirname(path) == dir) {
      file.durable_name = true;
      file.replaced.reset();
    }
  }
}

void FaultInjectionRocksFs::LieAboutWalSyncs() {
  std::lock_guard<std::mutex> lock(mu_);
  lie_about_wal_syncs_ = true;
}

void FaultInjectionRocksFs::FailNextWalSync() {
  std::lock_guard<std::mutex> lock(mu_);
  fail_next_wal_sync_ = true;
}

IOStatus FaultInjectionRocksFs::Crash() {
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& [path, file] : files_) {
    std::error_code error;
    if (!file.durable_name) {
      if (file.replaced) {
        std::ofstream out(path, std::ios::binary | std::ios::trunc);
        out.write(file.replaced->data(), static_cast<std::streamsize>(file.replaced->size()));
        if (!out) return IOStatus::IOError("restore " + path);
      } else {
        std::filesystem::remove(path, error);
      }
      continue;
    }
    uint64_t size = std::filesystem::file_size(path, error);
    if (error) continue;  // removed since
    if (size > file.synced) std::filesystem::resize_file(path, file.synced, error);
    if (error) return IOStatus::IOError("truncate " + path + ": " + error.message());
  }
  files_.clear();  // what is left is on disk, durable, as a fresh open finds it
  return IOStatus::OK();
}

}  // namespace tuskd::store
