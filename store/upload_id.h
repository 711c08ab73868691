// Upload ids: 128 random bits from OpenSSL's CSPRNG, as 32 lower-case hex characters. Every id
// from a URL is validated with IsValidUploadId before any path or key is built from it.
#pragma once

#include <string>
#include <string_view>

namespace tuskd::store {

inline constexpr size_t kUploadIdLength = 32;

// Throws std::runtime_error only if the CSPRNG fails (a broken system, not a request error).
std::string NewUploadId();
bool IsValidUploadId(std::string_view id);

}  // namespace tuskd::store
