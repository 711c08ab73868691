// How an upload's compression is chosen (`--compression none|zstd|auto`). `auto` compresses
// unless the content is already compressed, judged twice: at creation by the client's declared
// media type (`filetype` metadata, as tus-js-client and Uppy send it), and at the first body
// piece by its magic bytes, while the upload is still empty. Pure functions; thread-safe.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tuskd::compress {

enum class CompressionMode { kNone, kZstd, kAuto };

// The zstd level when none is configured: docs/compression.md has the measurements behind it.
inline constexpr int kDefaultCompressionLevel = 1;

// "none", "zstd", "auto"; nullopt otherwise.
std::optional<CompressionMode> CompressionModeFromString(std::string_view text);

// True for media types whose bytes are already compressed (audio/flac, audio/mpeg, video/*,
// image/jpeg, zip, gzip, zstd, ...). Case and parameters (";codecs=...") are ignored.
bool IsIncompressibleMediaType(std::string_view media_type);

// True when `head` (the first bytes of an upload) starts like an already compressed format:
// JPEG, PNG, GIF, WebP, FLAC, MP3, Ogg, MP4/MOV/M4A (ftyp), Matroska/WebM, zip, gzip, zstd, xz,
// bzip2, 7z, rar, lz4. Short heads are judged on what they hold.
bool HasIncompressibleMagic(std::span<const char> head);

// The declared media type: metadata `filetype`, else `type` (Uppy); "" when neither is there.
std::string DeclaredMediaType(const std::vector<std::pair<std::string, std::string>>& metadata);

}  // namespace tuskd::compress
