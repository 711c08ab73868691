#include "store/upload_id.h"

#include <openssl/rand.h>

#include <array>
#include <stdexcept>

#include "base/hex.h"

namespace tuskd::store {

std::string NewUploadId() {
  std::array<unsigned char, kUploadIdLength / 2> random;
  if (RAND_bytes(random.data(), static_cast<int>(random.size())) != 1) {
    // A CSPRNG failure is a broken system; a predictable id would be worse than stopping.
    throw std::runtime_error("RAND_bytes failed: cannot generate an upload id");
  }
  return ToHex(random);
}

bool IsValidUploadId(std::string_view id) {
  if (id.size() != kUploadIdLength) return false;
  for (char c : id) {
    // Lower-case hex only: ids become file names and keys, so exactly one spelling per id.
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

}  // namespace tuskd::store
