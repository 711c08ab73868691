// `tuskctl verify` for one upload: re-reads the committed bytes of its data file (decoding zstd
// frames when compressed), recomputes SHA-256 over them and checks the result against the
// saved hash state (receiving) or the final digest (complete), and the file's length against
// the record. The only place besides concatenation that hashes a file again (docs/architecture.md).
// Reads files and an inspector; one thread at a time.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "store/store_inspector.h"
#include "store/upload_record.h"

namespace tuskd::tuskctl {

struct VerifyReport {
  std::string id;
  std::string state;
  bool skipped = false;               // terminated or expired: no data is kept to check
  uint64_t bytes_checked = 0;         // uncompressed bytes hashed
  std::vector<std::string> problems;  // empty: everything matched
  std::vector<std::string> notes;     // worth saying, not wrong (an uncommitted tail)
  bool ok() const { return problems.empty(); }
};

// Called now and then with the data-file bytes read so far and the total to read.
using VerifyProgress = std::function<void(uint64_t done, uint64_t total)>;

VerifyReport VerifyUpload(const store::StoreInspector& inspector, const store::UploadRecord& record,
                          const VerifyProgress& progress);

nlohmann::json ReportJson(const VerifyReport& report);

}  // namespace tuskd::tuskctl
