// Requests and policies the DecideCreate tests share: the tus body media type, a valid SHA-1
// Upload-Checksum, and server policies with a --max-size or with concatenation on. Header-only
// constants and pure functions.
#pragma once

#include <cstdint>
#include <string>

#include "protocol/decisions.h"

namespace tuskd::protocol::testing {

inline const std::string kOctets = "application/offset+octet-stream";
inline const std::string kSha1Hello = "sha1 qvTGHdzF6KLavt4PO0gs2a6pQ00=";

inline ServerPolicy WithMaxSize(uint64_t max_size) {
  ServerPolicy policy;
  policy.max_size = max_size;
  return policy;
}

inline ServerPolicy WithConcatenation() {
  ServerPolicy policy;
  policy.concatenation = true;
  return policy;
}

}  // namespace tuskd::protocol::testing
