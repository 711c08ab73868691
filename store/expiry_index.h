// The expiry index: one empty entry per unfinished upload that can expire, in the kExpiry
// family, keyed by 8-byte big-endian expires_at then the id, so that a scan runs in time order
// and a sweep stops at the first key in the future. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace tuskd::store {

std::string ExpiryKey(int64_t expires_at, std::string_view id);
// False when `key` is not an expiry key.
bool ParseExpiryKey(std::string_view key, int64_t* expires_at, std::string* id);

}  // namespace tuskd::store
