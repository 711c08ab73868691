// The audio part of builtin:content-info: format, duration and peak/RMS levels of WAV (RIFF and
// RF64, PCM, IEEE float, WAVE_FORMAT_EXTENSIBLE) and FLAC files, measured by streaming the
// samples through the reader's fixed buffer. FLAC levels need libFLAC (TUSKD_HAVE_FLAC); without
// it FLAC gets its STREAMINFO facts and null levels.
// Stateless functions; safe to call from many threads on different readers.
#pragma once

#include <nlohmann/json.hpp>

#include "predict/peeking_reader.h"

namespace tuskd::predict {

// Both take a reader positioned at byte 0 of a file whose magic bytes matched, read as much as
// they need, and return the "audio" object: {format, sample_rate, channels, bits_per_sample,
// frames, duration_seconds, peak_dbfs, rms_dbfs} with levels in dBFS (full scale 1.0; null for
// silence), "truncated": true when the data ends before its header says, or {"error": reason}
// (with whatever facts were known) for a malformed or unsupported file. They never fail
// otherwise; a read error shows as the data ending early, and the caller checks
// reader.failed().
nlohmann::json AnalyzeWav(PeekingReader& reader);
nlohmann::json AnalyzeFlac(PeekingReader& reader);

}  // namespace tuskd::predict
