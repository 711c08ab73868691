// How an upload's bytes are stored: raw, or as independent zstd frames (compress/frame_encoder.h).
// Recorded per upload, so a server started with other flags still reads what it wrote before.
// Pure functions; thread-safe.
#pragma once

#include <optional>
#include <string_view>

namespace tuskd::compress {

enum class Compression { kNone, kZstd };

// "none", "zstd": the spelling of records and tuskctl.
std::string_view ToString(Compression compression);
std::optional<Compression> CompressionFromString(std::string_view text);

}  // namespace tuskd::compress
