// The WAV part of builtin:content-info: format, duration and peak/RMS levels of RIFF and RF64
// files (PCM, IEEE float, WAVE_FORMAT_EXTENSIBLE), measured by streaming the samples through
// the reader's fixed buffer, whatever the file size.
// A stateless function; safe to call from many threads on different readers.
#pragma once

#include <nlohmann/json.hpp>

#include "predict/peeking_reader.h"

namespace tuskd::predict {

// Takes a reader positioned at byte 0 of a file whose magic bytes matched, reads as much as it
// needs, and returns the "audio" object: {format, sample_rate, channels, bits_per_sample,
// frames, duration_seconds, peak_dbfs, rms_dbfs} with levels in dBFS (full scale 1.0; null for
// silence), "truncated": true and "declared_frames" when the data ends before its header says,
// or {"error": reason} (with whatever facts were known) for a malformed or unsupported file.
// Never fails otherwise; a read error shows as the data ending early, and the caller checks
// reader.failed().
nlohmann::json AnalyzeWav(PeekingReader& reader);

}  // namespace tuskd::predict
