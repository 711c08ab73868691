// The SHA-256 of a whole byte string in one call: what tests compare the server's rolling
// digests and stored files against.
#pragma once

#include <openssl/evp.h>

#include <string>
#include <string_view>

#include "base/hex.h"

namespace tuskd {

inline std::string OneShotSha256(std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_Digest(data.data(), data.size(), md, &size, EVP_sha256(), nullptr);
  return std::string(reinterpret_cast<const char*>(md), size);
}

inline std::string OneShotSha256Hex(std::string_view data) { return ToHex(OneShotSha256(data)); }

}  // namespace tuskd
