// Content-type detection from a file's first bytes (magic numbers, MPEG frame headers, ISO
// media brands, a UTF-8 text test), as builtin:content-info reports it. A pure function; safe
// from any thread.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace tuskd::predict {

// How many leading bytes DetectContentType wants (fewer only when the file is shorter).
inline constexpr size_t kSniffBytes = 8192;

// The MIME type of a file whose first bytes are `head`: image/png, image/jpeg, image/gif,
// image/webp, application/pdf, application/zip, application/gzip, application/zstd, audio/wav,
// audio/flac, audio/mpeg (ID3 tag or two consecutive MPEG audio frame headers), audio/ogg,
// video/ogg or application/ogg, video/mp4, audio/mp4, video/quicktime, image/heic,
// image/avif, text/plain (non-empty UTF-8 without NUL or stray control characters), else
// application/octet-stream (also for an empty file).
std::string DetectContentType(std::string_view head);

}  // namespace tuskd::predict
