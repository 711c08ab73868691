// A DataStore in memory, for tests: objects as strings, with the durable (synced) length kept
// apart from what was appended, so Crash() can lose exactly what a power cut would. A second
// implementation of the interface beside LocalDataStore. Thread-safe; its appenders and
// readers are used by one thread at a time, as the contract says.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "store/data_store.h"

namespace tuskd::store::testing {

class MemoryDataStore : public DataStore {
 public:
  Status Create(const std::string& id) override;
  Status OpenAppender(const std::string& id, uint64_t committed_length,
                      std::unique_ptr<DataAppender>* out) override;
  Status OpenReader(const std::string& id, uint64_t committed_length,
                    std::unique_ptr<DataReader>* out) const override;
  Status Remove(const std::string& id) override;
  Status Recover(const std::string& id, uint64_t committed_length) override;
  Status ForEachObject(const std::function<void(const std::string& id)>& visit) const override;
  std::string Location(const std::string& id) const override { return "memory:" + id; }

  // Every object loses what was appended after its last Sync, as a crash would.
  void Crash();
  // The object's bytes as stored (appended, synced or not); empty when absent.
  std::string Bytes(const std::string& id) const;
  bool Has(const std::string& id) const;
  // Another handle on the same objects (see MemoryStateStore::Share).
  std::unique_ptr<MemoryDataStore> Share() const;

  struct Object {
    std::string bytes;
    size_t synced = 0;
  };

 private:
  struct Contents {
    std::mutex mu;
    std::map<std::string, std::shared_ptr<Object>> objects;
  };
  std::shared_ptr<Contents> contents_ = std::make_shared<Contents>();
};

}  // namespace tuskd::store::testing
