// The frame index of a compressed upload: where each zstd frame starts, as {uncompressed
// offset, offset in the data file}, so that a read at any offset decodes from the frame holding
// it instead of from the start of the upload. Entries live in the `frames` column family under
// key = id + 8-byte big-endian uncompressed offset, value = 8-byte big-endian data-file offset.
// The writer stages a commit's new entries in that commit's batch, so the index never names a
// frame the data file does not hold durably (I3) and recovery has nothing to repair. Plain
// functions over StateDb; thread-safe as StateDb is.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "store/state_store.h"

namespace tuskd::store {

// A frame ends at every commit and, inside a long body, once it holds this many uncompressed
// bytes (at the next piece boundary). Bounds what a ranged read decodes before its first byte.
inline constexpr uint64_t kTargetFrameBytes = 4u << 20;
// Frame starts a writer keeps between two commits (a fixed array: memory per writer must not
// grow with the body). Past it, frames run on to the commit; only ranged reads get slower.
inline constexpr size_t kMaxPendingFrames = 64;

struct FrameStart {
  uint64_t offset = 0;       // uncompressed offset of the frame's first byte
  uint64_t data_offset = 0;  // where the frame begins in the data file
  bool operator==(const FrameStart&) const = default;
};

// The frame that holds a given offset, and where the next one begins in the data file.
struct FrameSpan {
  FrameStart start;
  uint64_t data_end = 0;
};

std::string FrameKey(std::string_view id, uint64_t offset);

void StageFrameStart(StateBatch* batch, std::string_view id, const FrameStart& start);
// Stages the removal of every entry of the upload (termination, expiry).
Status StageDropFrames(const StateStore& state, std::string_view id, StateBatch* batch);

// Every frame start of the upload, in offset order (concatenation copies them shifted). One
// entry per ~4 MiB of upload: small even for large uploads.
Status ListFrames(const StateStore& state, std::string_view id, std::vector<FrameStart>* out);

// The frame holding uncompressed `offset`. Its data_end is the next entry's data offset, or
// `data_length` (the committed file length) for the last frame. Corruption when no entry is at
// or below `offset`, or an entry does not parse.
Status FindFrame(const StateStore& state, std::string_view id, uint64_t offset,
                 uint64_t data_length, FrameSpan* out);

}  // namespace tuskd::store
