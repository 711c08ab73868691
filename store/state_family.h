// The families of the state store: separate key spaces, each holding one kind of state
// (docs/storage-format.md gives every key and value byte by byte). Plain enum; thread-safe.
#pragma once

#include <cstddef>
#include <string_view>

namespace tuskd::store {

enum class Family {
  kUploads,      // upload id -> record JSON (store/upload_record.h)
  kHashState,    // upload id -> rolling SHA-256 state at the committed offset
  kPredictions,  // sha256 -> prediction result JSON
  kJobs,         // sha256 -> queued prediction job JSON
  kExpiry,       // expires_at + id -> "" (store/expiry_index.h)
  kMeta,         // schema version, concatenation waits (store/concat_waits.h)
  kFrames,       // id + offset -> frame start (store/frame_index.h)
};
inline constexpr size_t kFamilyCount = 7;

// The name a backend stores the family under ("uploads", "hash_state", ...).
std::string_view FamilyName(Family family);

}  // namespace tuskd::store
