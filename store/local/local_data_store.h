// LocalDataStore: the DataStore of one machine, a file per upload in one directory
// (<data-dir>/uploads/<id>, mode 0600), through the FileSystem seam so tests can inject faults.
// Ids are checked before any path is built (store/upload_id.h), so no id can name a file
// outside the directory. Thread-safe, as the FileSystem is.
#pragma once

#include <string>

#include "base/file_system.h"
#include "store/data_store.h"

namespace tuskd::store {

class LocalDataStore : public DataStore {
 public:
  // `fs` must outlive the store; `dir` must exist.
  LocalDataStore(FileSystem* fs, std::string dir) : fs_(fs), dir_(std::move(dir)) {}

  Status Create(const std::string& id) override;
  Status OpenAppender(const std::string& id, uint64_t committed_length,
                      std::unique_ptr<DataAppender>* out) override;
  Status OpenReader(const std::string& id, uint64_t committed_length,
                    std::unique_ptr<DataReader>* out) const override;
  Status Remove(const std::string& id) override;
  Status Recover(const std::string& id, uint64_t committed_length) override;
  Status ForEachObject(const std::function<void(const std::string& id)>& visit) const override;
  std::string Location(const std::string& id) const override { return dir_ + "/" + id; }

 private:
  // Invalid for an id that is not an upload id.
  Status PathFor(const std::string& id, std::string* path) const;

  FileSystem* fs_;
  std::string dir_;
};

}  // namespace tuskd::store
