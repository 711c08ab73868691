// The committed state of one upload as the protocol sees it: plain values that server/ copies
// out of the store's record. protocol/ never includes store/, so this is its own small type.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace tuskd::protocol {

enum class UploadState { kReceiving, kComplete, kTerminated, kExpired };

struct UploadView {
  std::string id;
  std::optional<uint64_t> length;  // nullopt while the length is deferred
  uint64_t offset = 0;             // committed bytes
  UploadState state = UploadState::kReceiving;
  std::string metadata_raw;               // Upload-Metadata exactly as received ("" when none)
  std::optional<int64_t> expires_at;      // unix seconds; only for unfinished uploads
  std::optional<std::string> sha256_hex;  // final digest once complete
  // Concatenation (tus extension): a partial upload, or a final one made of these URLs.
  bool concat_partial = false;
  bool concat_final = false;
  std::vector<std::string> concat_part_urls;
};

}  // namespace tuskd::protocol
