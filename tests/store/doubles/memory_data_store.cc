#include "tests/store/doubles/memory_data_store.h"

#include <algorithm>
#include <cstring>
#include <vector>

namespace tuskd::store::testing {

namespace {

class MemoryAppender : public DataAppender {
 public:
  MemoryAppender(std::mutex* mu, std::shared_ptr<MemoryDataStore::Object> object)
      : mu_(mu), object_(std::move(object)) {}
  Status Append(std::span<const char> bytes) override {
    std::lock_guard lock(*mu_);
    object_->bytes.append(bytes.data(), bytes.size());
    return Status::Ok();
  }
  Status Sync(StateBatch* /*commit*/) override {
    std::lock_guard lock(*mu_);
    object_->synced = object_->bytes.size();
    return Status::Ok();
  }
  Status Truncate(uint64_t length) override {
    std::lock_guard lock(*mu_);
    object_->bytes.resize(std::min<size_t>(length, object_->bytes.size()));
    object_->synced = std::min(object_->synced, object_->bytes.size());
    return Status::Ok();
  }
  uint64_t Size() const override {
    std::lock_guard lock(*mu_);
    return object_->bytes.size();
  }

 private:
  std::mutex* mu_;
  std::shared_ptr<MemoryDataStore::Object> object_;
};

class MemoryReader : public DataReader {
 public:
  explicit MemoryReader(std::string bytes) : bytes_(std::move(bytes)) {}
  Status ReadAt(uint64_t offset, std::span<char> out, size_t* read) override {
    *read = offset >= bytes_.size() ? 0 : bytes_.copy(out.data(), out.size(), offset);
    return Status::Ok();
  }
  uint64_t Size() const override { return bytes_.size(); }

 private:
  std::string bytes_;  // a snapshot of the committed bytes
};

Status Shorter(const std::string& id) {
  return Status::Corruption("upload " + id + ": object is shorter than its record");
}

}  // namespace

Status MemoryDataStore::Create(const std::string& id) {
  std::lock_guard lock(contents_->mu);
  auto object = std::make_shared<Object>();
  contents_->objects[id] = object;
  return Status::Ok();
}

Status MemoryDataStore::OpenAppender(const std::string& id, uint64_t committed_length,
                                     std::unique_ptr<DataAppender>* out) {
  std::lock_guard lock(contents_->mu);
  auto it = contents_->objects.find(id);
  if (it == contents_->objects.end()) {  // gone: as an empty one, like a local file
    it = contents_->objects.emplace(id, std::make_shared<Object>()).first;
  }
  if (it->second->bytes.size() < committed_length) return Shorter(id);
  it->second->bytes.resize(committed_length);
  *out = std::make_unique<MemoryAppender>(&contents_->mu, it->second);
  return Status::Ok();
}

Status MemoryDataStore::OpenReader(const std::string& id, uint64_t committed_length,
                                   std::unique_ptr<DataReader>* out) const {
  std::lock_guard lock(contents_->mu);
  auto it = contents_->objects.find(id);
  if (it == contents_->objects.end()) return Status::NotFound("no object " + id);
  if (it->second->bytes.size() < committed_length) return Shorter(id);
  *out = std::make_unique<MemoryReader>(it->second->bytes.substr(0, committed_length));
  return Status::Ok();
}

Status MemoryDataStore::Remove(const std::string& id) {
  std::lock_guard lock(contents_->mu);
  contents_->objects.erase(id);
  return Status::Ok();
}

Status MemoryDataStore::Recover(const std::string& id, uint64_t committed_length) {
  std::lock_guard lock(contents_->mu);
  auto it = contents_->objects.find(id);
  if (it == contents_->objects.end()) return Status::NotFound("no object " + id);
  if (it->second->bytes.size() < committed_length) return Shorter(id);
  it->second->bytes.resize(committed_length);
  return Status::Ok();
}

Status MemoryDataStore::ForEachObject(const std::function<void(const std::string&)>& visit) const {
  std::vector<std::string> ids;
  {
    std::lock_guard lock(contents_->mu);
    for (const auto& [id, object] : contents_->objects) ids.push_back(id);
  }
  for (const std::string& id : ids) visit(id);
  return Status::Ok();
}

void MemoryDataStore::Crash() {
  std::lock_guard lock(contents_->mu);
  for (auto& [id, object] : contents_->objects) object->bytes.resize(object->synced);
}

std::string MemoryDataStore::Bytes(const std::string& id) const {
  std::lock_guard lock(contents_->mu);
  auto it = contents_->objects.find(id);
  return it == contents_->objects.end() ? std::string() : it->second->bytes;
}

bool MemoryDataStore::Has(const std::string& id) const {
  std::lock_guard lock(contents_->mu);
  return contents_->objects.count(id) > 0;
}

std::unique_ptr<MemoryDataStore> MemoryDataStore::Share() const {
  auto shared = std::make_unique<MemoryDataStore>();
  shared->contents_ = contents_;
  return shared;
}

}  // namespace tuskd::store::testing
