// SHA-256 that can be paused and resumed across processes: the digest state at a committed
// offset is saved with every commit and restored later without re-reading the data file.
// OpenSSL 3 has no supported way to serialise an EVP digest state, so this wraps the deprecated
// SHA256_CTX (which round-trips exactly) in a versioned envelope checked on load.
// Not thread-safe; copyable (a copy is an independent hash).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "base/status.h"

namespace tuskd::store {

class RollingSha256 {
 public:
  RollingSha256();

  void Update(std::span<const char> bytes);
  uint64_t bytes_hashed() const;

  // The digest of everything so far, without disturbing the running state.
  std::array<unsigned char, 32> Digest() const;
  std::string HexDigest() const;

  // Envelope: magic "TSH2", format version, algorithm id, state size, bytes hashed, raw state.
  std::string Serialize() const;
  // Refuses (Corruption) a blob of another magic, version, algorithm or size, or one whose
  // byte count differs from `expected_offset`: a wrong digest is worse than an error.
  static Status Deserialize(std::string_view blob, uint64_t expected_offset, RollingSha256* out);

 private:
  // Raw bytes of an OpenSSL SHA256_CTX (112 bytes; checked by a static_assert in the .cc), so
  // this header needs no deprecated OpenSSL declarations.
  alignas(8) std::array<unsigned char, 112> ctx_;
};

}  // namespace tuskd::store
