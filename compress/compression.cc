#include "compress/compression.h"

namespace tuskd::compress {

std::string_view ToString(Compression compression) {
  return compression == Compression::kZstd ? "zstd" : "none";
}

std::optional<Compression> CompressionFromString(std::string_view text) {
  if (text == "none") return Compression::kNone;
  if (text == "zstd") return Compression::kZstd;
  return std::nullopt;
}

}  // namespace tuskd::compress
