#include "tests/common/fault_injection_file_system.h"

#include <algorithm>
#include <cerrno>
#include <iterator>

namespace tuskd {

// Forwards to the real file, consulting the file system for faults and reporting syncs.
class FaultInjectionDataFile final : public DataFile {
 public:
  FaultInjectionDataFile(FaultInjectionFileSystem* fs, std::string path,
                         std::unique_ptr<DataFile> base)
      : fs_(fs), path_(std::move(path)), base_(std::move(base)) {}

  Status Append(std::span<const char> bytes) override {
    if (Status alive = fs_->PassPoint("append", path_); !alive.ok()) return alive;
    auto fault = fs_->TakeAppendFault(base_->Size(), bytes.size());
    if (!fault) return base_->Append(bytes);
    auto [limit, err] = *fault;
    uint64_t room = limit > base_->Size() ? limit - base_->Size() : 0;
    if (room > 0) {
      if (Status s = base_->Append(bytes.first(room)); !s.ok()) return s;
    }
    return Status::FromErrno(err, "injected append fault on " + path_);
  }

  Status Sync() override {
    if (Status alive = fs_->PassPoint("sync", path_); !alive.ok()) return alive;
    if (auto err = fs_->TakeSyncFault())
      return Status::FromErrno(*err, "injected sync fault on " + path_);
    if (fs_->LiesAboutFileSyncs()) return Status::Ok();
    Status s = base_->Sync();
    if (s.ok()) fs_->RecordSynced(path_, base_->Size());
    return s;
  }

  Status Truncate(uint64_t length) override {
    if (Status alive = fs_->PassPoint("truncate", path_); !alive.ok()) return alive;
    Status s = base_->Truncate(length);
    if (s.ok()) fs_->RecordTruncated(path_, length);
    return s;
  }

  Status ReadAt(uint64_t offset, std::span<char> out, size_t* read) override {
    return base_->ReadAt(offset, out, read);
  }

  uint64_t Size() const override { return base_->Size(); }

 private:
  FaultInjectionFileSystem* fs_;
  std::string path_;
  std::unique_ptr<DataFile> base_;
};

void FaultInjectionFileSystem::FailAppendPast(uint64_t limit, int err) {
  std::lock_guard<std::mutex> lock(mu_);
  append_fault_.emplace(limit, err);
}

void FaultInjectionFileSystem::FailNextSync(int err) {
  std::lock_guard<std::mutex> lock(mu_);
  sync_fault_ = err;
}

void FaultInjectionFileSystem::LieAboutFileSyncs() {
  std::lock_guard<std::mutex> lock(mu_);
  lie_about_file_syncs_ = true;
}

void FaultInjectionFileSystem::LieAboutDirSyncs() {
  std::lock_guard<std::mutex> lock(mu_);
  lie_about_dir_syncs_ = true;
}

bool FaultInjectionFileSystem::LiesAboutFileSyncs() const {
  std::lock_guard<std::mutex> lock(mu_);
  return lie_about_file_syncs_;
}

void FaultInjectionFileSystem::SetCrashPoints(CrashPoints* points) {
  std::lock_guard<std::mutex> lock(mu_);
  points_ = points;
}

Status FaultInjectionFileSystem::PassPoint(const char* what, const std::string& path) {
  CrashPoints* points = nullptr;
  {
    std::lock_guard<std::mutex> lock(mu_);
    points = points_;
  }
  if (points == nullptr || points->Pass(what, path)) return Status::Ok();
  return Status::FromErrno(EIO, "crashed before the " + std::string(what) + " of " + path);
}

Status FaultInjectionFileSystem::Crash() {
  std::lock_guard<std::mutex> lock(mu_);
  // A name never made durable by a directory sync is gone, whatever its bytes.
  for (const std::string& path : unsynced_names_) {
    if (Status s = base_->Remove(path); !s.ok()) return s;
    synced_.erase(path);
  }
  unsynced_names_.clear();
  for (const auto& [path, synced] : synced_) {
    uint64_t size = 0;
    Status s = base_->FileSize(path, &size);
    if (s.IsNotFound()) continue;
    if (!s.ok()) return s;
    if (size > synced) {
      if (s = base_->Truncate(path, synced); !s.ok()) return s;
    }
  }
  return Status::Ok();
}

std::optional<uint64_t> FaultInjectionFileSystem::SyncedLength(const std::string& path) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = synced_.find(path);
  if (it == synced_.end()) return std::nullopt;
  return it->second;
}

Status FaultInjectionFileSystem::OpenForAppend(const std::string& path,
                                               std::unique_ptr<DataFile>* out) {
  uint64_t existing = 0;
  const bool creates = base_->FileSize(path, &existing).IsNotFound();
  if (creates) {
    if (Status alive = PassPoint("creation", path); !alive.ok()) return alive;
  }
  std::unique_ptr<DataFile> base;
  if (Status s = base_->OpenForAppend(path, &base); !s.ok()) return s;
  {
    // Bytes already in the file when it is first seen count as durable.
    std::lock_guard<std::mutex> lock(mu_);
    synced_.try_emplace(path, base->Size());
    if (creates) unsynced_names_.insert(path);
  }
  *out = std::make_unique<FaultInjectionDataFile>(this, path, std::move(base));
  return Status::Ok();
}

Status FaultInjectionFileSystem::OpenForRead(const std::string& path,
                                             std::unique_ptr<DataFile>* out) {
  return base_->OpenForRead(path, out);
}

Status FaultInjectionFileSystem::Remove(const std::string& path) {
  if (Status alive = PassPoint("removal", path); !alive.ok()) return alive;
  Status s = base_->Remove(path);
  if (s.ok()) {
    std::lock_guard<std::mutex> lock(mu_);
    synced_.erase(path);
    unsynced_names_.erase(path);
  }
  return s;
}

Status FaultInjectionFileSystem::Truncate(const std::string& path, uint64_t length) {
  if (Status alive = PassPoint("truncate", path); !alive.ok()) return alive;
  Status s = base_->Truncate(path, length);
  if (s.ok()) RecordTruncated(path, length);
  return s;
}

Status FaultInjectionFileSystem::FileSize(const std::string& path, uint64_t* size) {
  return base_->FileSize(path, size);
}

Status FaultInjectionFileSystem::CreateDirs(const std::string& path) {
  return base_->CreateDirs(path);
}

Status FaultInjectionFileSystem::SyncDir(const std::string& path) {
  if (Status alive = PassPoint("directory sync", path); !alive.ok()) return alive;
  Status s = base_->SyncDir(path);
  if (!s.ok()) return s;
  std::lock_guard<std::mutex> lock(mu_);
  if (lie_about_dir_syncs_) return Status::Ok();
  const std::string prefix = path + "/";
  for (auto it = unsynced_names_.begin(); it != unsynced_names_.end();) {
    const bool direct_child =
        it->starts_with(prefix) && it->find('/', prefix.size()) == std::string::npos;
    it = direct_child ? unsynced_names_.erase(it) : std::next(it);
  }
  return Status::Ok();
}

Status FaultInjectionFileSystem::ForEachFile(
    const std::string& dir, const std::function<void(const std::string& name)>& visit) {
  return base_->ForEachFile(dir, visit);
}

std::optional<std::pair<uint64_t, int>> FaultInjectionFileSystem::TakeAppendFault(uint64_t size,
                                                                                  uint64_t append) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!append_fault_ || size + append <= append_fault_->first) return std::nullopt;
  return std::exchange(append_fault_, std::nullopt);
}

std::optional<int> FaultInjectionFileSystem::TakeSyncFault() {
  std::lock_guard<std::mutex> lock(mu_);
  return std::exchange(sync_fault_, std::nullopt);
}

void FaultInjectionFileSystem::RecordSynced(const std::string& path, uint64_t length) {
  std::lock_guard<std::mutex> lock(mu_);
  synced_[path] = length;
}

void FaultInjectionFileSystem::RecordTruncated(const std::string& path, uint64_t length) {
  // A shorter file can only lose bytes in a crash, never regain them.
  std::lock_guard<std::mutex> lock(mu_);
  auto it = synced_.find(path);
  if (it != synced_.end()) it->second = std::min(it->second, length);
}

}  // namespace tuskd
