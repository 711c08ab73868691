// The FLAC part of builtin:content-info: STREAMINFO's format facts and duration, and peak/RMS
// levels decoded with libFLAC's stream decoder (memory bounded by the block size, not the file).
// Without libFLAC (TUSKD_HAVE_FLAC unset) FLAC gets its STREAMINFO facts and null levels.
// A stateless function; safe to call from many threads on different readers.
#pragma once

#include <nlohmann/json.hpp>

#include "predict/peeking_reader.h"

namespace tuskd::predict {

// Takes a reader positioned at byte 0 of a file that starts with "fLaC", reads as much as it
// needs, and returns the "audio" object: {format: "flac", sample_rate, channels,
// bits_per_sample, frames, duration_seconds, peak_dbfs, rms_dbfs}; "truncated": true and
// "decoded_frames" when fewer frames decode than STREAMINFO declares; "decode_error(s)" from
// libFLAC; or {"error": reason} for a malformed header. Never fails otherwise; a read error
// shows as the data ending early, and the caller checks reader.failed().
nlohmann::json AnalyzeFlac(PeekingReader& reader);

}  // namespace tuskd::predict
