// A StateStore in memory, for tests: a second implementation of the interface, which shows
// that the commit protocol, recovery and the pipeline depend on the contract alone, and lets a
// test fail the next write on purpose. Thread-safe.
#pragma once

#include <array>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "store/state_store.h"

namespace tuskd::store::testing {

class MemoryStateStore : public StateStore {
 public:
  Status Get(Family family, std::string_view key, std::string* value) const override;
  Status Write(const StateBatch& batch) override;
  Status Scan(Family family, std::string_view prefix, std::string_view from,
              const ScanVisitor& visit) const override;
  Status FindLastAtOrBefore(Family family, std::string_view prefix, std::string_view key,
                            std::string* found_key, std::string* value) const override;

  // The next `count` writes fail with IOError and change nothing.
  void FailWrites(int count);
  // Another handle on the same contents: what a store "reopened" after a crash sees (every
  // Write that returned Ok is there, as the contract says).
  std::unique_ptr<MemoryStateStore> Share() const;

 private:
  using Table = std::map<std::string, std::string, std::less<>>;
  struct Contents {
    std::mutex mu;
    std::array<Table, kFamilyCount> tables;
    int failing_writes = 0;
  };
  std::shared_ptr<Contents> contents_ = std::make_shared<Contents>();
};

}  // namespace tuskd::store::testing
