#include "store/expiry_index.h"

namespace tuskd::store {

std::string ExpiryKey(int64_t expires_at, std::string_view id) {
  // Unix times are positive; the cast keeps big-endian order equal to numeric order.
  uint64_t time = static_cast<uint64_t>(expires_at);
  std::string key(8, '\0');
  for (int i = 7; i >= 0; --i, time >>= 8) key[i] = static_cast<char>(time & 0xff);
  key.append(id);
  return key;
}

bool ParseExpiryKey(std::string_view key, int64_t* expires_at, std::string* id) {
  if (key.size() <= 8) return false;
  uint64_t time = 0;
  for (int i = 0; i < 8; ++i) time = (time << 8) | static_cast<unsigned char>(key[i]);
  *expires_at = static_cast<int64_t>(time);
  id->assign(key.substr(8));
  return true;
}

}  // namespace tuskd::store
