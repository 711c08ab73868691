#include "store/local/local_data_store.h"

#include <algorithm>
#include <utility>

#include "store/upload_id.h"

namespace tuskd::store {
namespace {

// A data file as an upload's appender: fdatasync is all a local file needs to be durable, so
// Sync stages nothing in the commit.
class LocalAppender : public DataAppender {
 public:
  explicit LocalAppender(std::unique_ptr<DataFile> file) : file_(std::move(file)) {}
  Status Append(std::span<const char> bytes) override { return file_->Append(bytes); }
  Status Sync(StateBatch* /*commit*/) override { return file_->Sync(); }
  Status Truncate(uint64_t length) override { return file_->Truncate(length); }
  uint64_t Size() const override { return file_->Size(); }

 private:
  std::unique_ptr<DataFile> file_;
};

// Bounded to the committed length: bytes past it may belong to a request still in flight.
class LocalReader : public DataReader {
 public:
  LocalReader(std::unique_ptr<DataFile> file, uint64_t committed)
      : file_(std::move(file)), committed_(committed) {}
  Status ReadAt(uint64_t offset, std::span<char> out, size_t* read) override {
    *read = 0;
    if (offset >= committed_) return Status::Ok();
    size_t want = static_cast<size_t>(std::min<uint64_t>(out.size(), committed_ - offset));
    return file_->ReadAt(offset, out.first(want), read);
  }
  uint64_t Size() const override { return committed_; }

 private:
  std::unique_ptr<DataFile> file_;
  uint64_t committed_;
};

Status Shorter(const std::string& id, uint64_t size, uint64_t committed) {
  return Status::Corruption("upload " + id + ": data file has " + std::to_string(size) +
                            " bytes, record says " + std::to_string(committed));
}

}  // namespace

Status LocalDataStore::PathFor(const std::string& id, std::string* path) const {
  if (!IsValidUploadId(id)) return Status::Invalid("not an upload id: '" + id + "'");
  *path = Location(id);
  return Status::Ok();
}

Status LocalDataStore::Create(const std::string& id) {
  std::string path;
  if (Status named = PathFor(id, &path); !named.ok()) return named;
  std::unique_ptr<DataFile> file;
  if (Status opened = fs_->OpenForAppend(path, &file); !opened.ok()) return opened;
  // The directory entry must be durable before the record that names the file is written.
  return fs_->SyncDir(dir_);
}

Status LocalDataStore::OpenAppender(const std::string& id, uint64_t committed_length,
                                    std::unique_ptr<DataAppender>* out) {
  std::string path;
  if (Status named = PathFor(id, &path); !named.ok()) return named;
  std::unique_ptr<DataFile> file;
  if (Status opened = fs_->OpenForAppend(path, &file); !opened.ok()) return opened;
  if (file->Size() > committed_length) {
    // A tail from a request that failed before its commit (or crashed) is not part of the upload.
    if (Status cut = file->Truncate(committed_length); !cut.ok()) return cut;
  } else if (file->Size() < committed_length) {
    return Shorter(id, file->Size(), committed_length);
  }
  *out = std::make_unique<LocalAppender>(std::move(file));
  return Status::Ok();
}

Status LocalDataStore::OpenReader(const std::string& id, uint64_t committed_length,
                                  std::unique_ptr<DataReader>* out) const {
  std::string path;
  if (Status named = PathFor(id, &path); !named.ok()) return named;
  std::unique_ptr<DataFile> file;
  if (Status opened = fs_->OpenForRead(path, &file); !opened.ok()) return opened;
  if (file->Size() < committed_length) {
    return Status::Corruption("upload " + id + ": data file is shorter than its record");
  }
  *out = std::make_unique<LocalReader>(std::move(file), committed_length);
  return Status::Ok();
}

Status LocalDataStore::Remove(const std::string& id) {
  std::string path;
  if (Status named = PathFor(id, &path); !named.ok()) return named;
  return fs_->Remove(path);
}

Status LocalDataStore::Recover(const std::string& id, uint64_t committed_length) {
  std::string path;
  if (Status named = PathFor(id, &path); !named.ok()) return named;
  uint64_t size = 0;
  if (Status sized = fs_->FileSize(path, &size); !sized.ok()) return sized;
  if (size < committed_length) return Shorter(id, size, committed_length);
  if (size > committed_length) return fs_->Truncate(path, committed_length);
  return Status::Ok();
}

Status LocalDataStore::ForEachObject(const std::function<void(const std::string&)>& visit) const {
  return fs_->ForEachFile(dir_, [&visit](const std::string& name) {
    if (IsValidUploadId(name)) visit(name);  // not ours: leave it to whoever put it there
  });
}

}  // namespace tuskd::store
