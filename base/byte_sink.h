// Somewhere bytes are appended: a file, an upload's data object. What a stream encoder writes
// its output into without knowing which (compress/frame_encoder.h). Used by one thread at a time.
#pragma once

#include <span>

#include "base/status.h"

namespace tuskd {

class ByteSink {
 public:
  virtual ~ByteSink() = default;
  // Appends all of `bytes`, or fails; after a failure a prefix of `bytes` may have landed.
  virtual Status Append(std::span<const char> bytes) = 0;
};

}  // namespace tuskd
