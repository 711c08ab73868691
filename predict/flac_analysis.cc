#include "predict/flac_analysis.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#ifdef TUSKD_HAVE_FLAC
#include <FLAC/stream_decoder.h>
#endif

#include "predict/audio_report.h"

namespace tuskd::predict {
namespace {

using nlohmann::json;

struct StreamInfo {
  uint32_t sample_rate = 0;
  uint32_t channels = 0;
  uint32_t bits_per_sample = 0;
  uint64_t total_samples = 0;  // per channel; 0 means unknown
};

// STREAMINFO is 34 bytes of big-endian bit fields (https://xiph.org/flac/format.html).
StreamInfo ParseStreamInfo(const unsigned char* s) {
  StreamInfo info;
  info.sample_rate = (s[10] << 12) | (s[11] << 4) | (s[12] >> 4);
  info.channels = ((s[12] >> 1) & 0x7) + 1;
  info.bits_per_sample = (((s[12] & 0x1) << 4) | (s[13] >> 4)) + 1;
  info.total_samples = (static_cast<uint64_t>(s[13] & 0xF) << 32) |
                       (static_cast<uint64_t>(s[14]) << 24) | (s[15] << 16) | (s[16] << 8) | s[17];
  return info;
}

#ifdef TUSKD_HAVE_FLAC

struct FlacDecodeState {
  PeekingReader* reader = nullptr;
  LevelMeter meter;
  uint64_t frames = 0;
  uint64_t errors = 0;
  std::string first_error;
};

FLAC__StreamDecoderReadStatus FlacRead(const FLAC__StreamDecoder* /*decoder*/, FLAC__byte buffer[],
                                       size_t* bytes, void* data) {
  auto* state = static_cast<FlacDecodeState*>(data);
  std::string_view view = state->reader->Peek(*bytes);
  *bytes = std::min(*bytes, view.size());
  if (*bytes == 0) return FLAC__STREAM_DECODER_READ_STATUS_END_OF_STREAM;
  std::memcpy(buffer, view.data(), *bytes);
  state->reader->Consume(*bytes);
  return FLAC__STREAM_DECODER_READ_STATUS_CONTINUE;
}

FLAC__StreamDecoderWriteStatus FlacWrite(const FLAC__StreamDecoder* /*decoder*/,
                                         const FLAC__Frame* frame,
                                         const FLAC__int32* const channels[], void* data) {
  auto* state = static_cast<FlacDecodeState*>(data);
  const uint32_t block = frame->header.blocksize;
  const double scale = std::ldexp(1.0, -static_cast<int>(frame->header.bits_per_sample - 1));
  for (uint32_t c = 0; c < frame->header.channels; ++c) {
    double peak = 0, sum_squares = 0;
    for (uint32_t i = 0; i < block; ++i) {
      double x = channels[c][i] * scale;
      peak = std::max(peak, std::fabs(x));
      sum_squares += x * x;
    }
    state->meter.AddBlock(peak, sum_squares, block);
  }
  state->frames += block;
  return FLAC__STREAM_DECODER_WRITE_STATUS_CONTINUE;
}

void FlacError(const FLAC__StreamDecoder* /*decoder*/, FLAC__StreamDecoderErrorStatus status,
               void* data) {
  auto* state = static_cast<FlacDecodeState*>(data);
  if (state->errors++ == 0) state->first_error = FLAC__StreamDecoderErrorStatusString[status];
}

// Decodes the whole stream from the reader (at byte 0) with libFLAC's stream decoder, whose
// memory is bounded by the maximum block size, not the file size.
void MeasureFlacLevels(PeekingReader& reader, const StreamInfo& info, json* audio) {
  FlacDecodeState state;
  state.reader = &reader;
  FLAC__StreamDecoder* decoder = FLAC__stream_decoder_new();
  if (decoder == nullptr) {
    (*audio)["peak_dbfs"] = (*audio)["rms_dbfs"] = nullptr;
    (*audio)["levels"] = "not computed: out of memory";
    return;
  }
  bool ok = FLAC__stream_decoder_init_stream(decoder, FlacRead, nullptr, nullptr, nullptr, nullptr,
                                             FlacWrite, nullptr, FlacError,
                                             &state) == FLAC__STREAM_DECODER_INIT_STATUS_OK &&
            FLAC__stream_decoder_process_until_end_of_stream(decoder);
  const char* final_state = FLAC__StreamDecoderStateString[FLAC__stream_decoder_get_state(decoder)];
  FLAC__stream_decoder_delete(decoder);
  state.meter.Report(audio);
  if (!ok) (*audio)["decode_error"] = final_state;
  if (state.errors > 0) {
    (*audio)["decode_errors"] = state.errors;
    (*audio)["first_decode_error"] = state.first_error;
  }
  if (info.total_samples == 0) {
    AddFrames(info.sample_rate, state.frames, audio);
  } else if (state.frames < info.total_samples) {
    (*audio)["truncated"] = true;
    (*audio)["decoded_frames"] = state.frames;
  }
}

#else

void MeasureFlacLevels(PeekingReader&, const StreamInfo&, json* audio) {
  (*audio)["peak_dbfs"] = (*audio)["rms_dbfs"] = nullptr;
  (*audio)["levels"] = "not computed";
}

#endif  // TUSKD_HAVE_FLAC

}  // namespace

json AnalyzeFlac(PeekingReader& reader) {
  constexpr size_t kHeaderBytes = 4 + 4 + 34;  // "fLaC", block header, STREAMINFO
  std::string_view header = reader.Peek(kHeaderBytes);
  if (header.size() < 8 || header.substr(0, 4) != "fLaC") {
    return AudioError("truncated FLAC header");
  }
  const auto* p = reinterpret_cast<const unsigned char*>(header.data());
  if ((p[4] & 0x7F) != 0) return AudioError("first FLAC metadata block is not STREAMINFO");
  const uint32_t length = (p[5] << 16) | (p[6] << 8) | p[7];
  if (length < 34 || header.size() < kHeaderBytes) return AudioError("truncated STREAMINFO block");
  const StreamInfo info = ParseStreamInfo(p + 8);
  json audio = {{"format", "flac"},
                {"sample_rate", info.sample_rate},
                {"channels", info.channels},
                {"bits_per_sample", info.bits_per_sample}};
  if (info.sample_rate == 0) {
    audio["error"] = "STREAMINFO sample rate is 0";
    return audio;
  }
  if (info.total_samples != 0) {
    AddFrames(info.sample_rate, info.total_samples, &audio);
  } else {
    audio["frames"] = audio["duration_seconds"] = nullptr;  // unknown until decoded
  }
  MeasureFlacLevels(reader, info, &audio);
  return audio;
}

}  // namespace tuskd::predict
