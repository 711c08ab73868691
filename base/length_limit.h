// The largest upload length or offset tuskd handles anywhere, 2^63-1: tus lengths are
// non-negative integers that clients and tools read as signed 64-bit numbers (Java's long,
// Go's int64, our own ParseUnsigned), so nothing above it is accepted, summed or reported.
#pragma once

#include <cstdint>
#include <limits>

namespace tuskd {

inline constexpr uint64_t kMaxUploadLength =
    static_cast<uint64_t>(std::numeric_limits<int64_t>::max());

}  // namespace tuskd
