// DataReader: an upload's stored bytes, open for reading at any offset (downloads, predictors,
// concatenation, tuskctl verify). Reads never go past the committed length the reader was
// opened with. Used by one thread at a time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "base/status.h"

namespace tuskd::store {

class DataReader {
 public:
  virtual ~DataReader() = default;
  // Reads up to out.size() bytes at `offset`; *read is 0 at the committed end.
  virtual Status ReadAt(uint64_t offset, std::span<char> out, size_t* read) = 0;
  virtual uint64_t Size() const = 0;  // the committed stored length
};

}  // namespace tuskd::store
