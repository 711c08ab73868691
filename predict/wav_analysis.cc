#include "predict/wav_analysis.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

#include "predict/audio_report.h"

namespace tuskd::predict {
namespace {

using nlohmann::json;

const unsigned char* Bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}
uint32_t Le16(const unsigned char* p) { return p[0] | (p[1] << 8); }
uint32_t Le32(const unsigned char* p) {
  return p[0] | (p[1] << 8) | (p[2] << 16) | (static_cast<uint32_t>(p[3]) << 24);
}
uint64_t Le64(const unsigned char* p) {
  return Le32(p) | (static_cast<uint64_t>(Le32(p + 4)) << 32);
}

// Error messages may quote bytes from the file (a chunk id), which must not break the JSON.
std::string Printable(std::string_view bytes) {
  std::string out(bytes);
  for (char& c : out) {
    if (c < 0x20 || c > 0x7E) c = '?';
  }
  return out;
}

enum class SampleFormat { kU8, kS16, kS24, kS32, kF32, kF64 };

template <SampleFormat F>
double Decode(const unsigned char* p) {
  if constexpr (F == SampleFormat::kU8) return (p[0] - 128) / 128.0;
  if constexpr (F == SampleFormat::kS16) return static_cast<int16_t>(Le16(p)) / 32768.0;
  if constexpr (F == SampleFormat::kS24) {
    auto v = static_cast<int32_t>(p[0] | (p[1] << 8) | (p[2] << 16));
    return ((v ^ 0x800000) - 0x800000) / 8388608.0;  // sign-extend 24 bits
  }
  if constexpr (F == SampleFormat::kS32) return static_cast<int32_t>(Le32(p)) / 2147483648.0;
  if constexpr (F == SampleFormat::kF32) return std::bit_cast<float>(Le32(p));
  if constexpr (F == SampleFormat::kF64) return std::bit_cast<double>(Le64(p));
}

// The hot loop: one decode per sample, no allocation. Non-finite floats are skipped so one bad
// sample cannot turn the whole file's levels into NaN.
template <SampleFormat F>
void MeasureBlock(std::string_view bytes, size_t width, LevelMeter* meter) {
  const unsigned char* p = Bytes(bytes);
  double peak = 0, sum_squares = 0;
  uint64_t count = 0;
  for (size_t i = 0; i + width <= bytes.size(); i += width) {
    double x = Decode<F>(p + i);
    if (!std::isfinite(x)) continue;
    peak = std::max(peak, std::fabs(x));
    sum_squares += x * x;
    ++count;
  }
  meter->AddBlock(peak, sum_squares, count);
}

using BlockMeasurer = void (*)(std::string_view, size_t, LevelMeter*);

struct WavFormat {
  uint32_t code = 0;  // WAVE_FORMAT_*, after resolving WAVE_FORMAT_EXTENSIBLE's sub-format
  uint32_t channels = 0;
  uint32_t sample_rate = 0;
  uint32_t bits_per_sample = 0;
  const char* name = nullptr;  // "pcm_s16le" ...; null when unsupported
  BlockMeasurer measure = nullptr;
};

bool ResolveEncoding(WavFormat* f) {
  struct Entry {
    uint32_t code, bits;
    const char* name;
    BlockMeasurer measure;
  };
  static constexpr Entry kEncodings[] = {
      {1, 8, "pcm_u8", MeasureBlock<SampleFormat::kU8>},
      {1, 16, "pcm_s16le", MeasureBlock<SampleFormat::kS16>},
      {1, 24, "pcm_s24le", MeasureBlock<SampleFormat::kS24>},
      {1, 32, "pcm_s32le", MeasureBlock<SampleFormat::kS32>},
      {3, 32, "float32", MeasureBlock<SampleFormat::kF32>},
      {3, 64, "float64", MeasureBlock<SampleFormat::kF64>},
  };
  for (const Entry& e : kEncodings) {
    if (e.code == f->code && e.bits == f->bits_per_sample) {
      f->name = e.name;
      f->measure = e.measure;
      return true;
    }
  }
  return false;
}

// Parses the first (up to 40) bytes of a fmt chunk.
bool ParseFmt(std::string_view chunk, WavFormat* f, std::string* error) {
  if (chunk.size() < 16) {
    *error = "fmt chunk shorter than 16 bytes";
    return false;
  }
  const unsigned char* p = Bytes(chunk);
  f->code = Le16(p);
  f->channels = Le16(p + 2);
  f->sample_rate = Le32(p + 4);
  f->bits_per_sample = Le16(p + 14);
  if (f->code == 0xFFFE) {  // WAVE_FORMAT_EXTENSIBLE: the real code leads the sub-format GUID
    static constexpr unsigned char kGuidTail[14] = {0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80,
                                                    0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71};
    if (chunk.size() < 40) {
      *error = "WAVE_FORMAT_EXTENSIBLE fmt chunk shorter than 40 bytes";
      return false;
    }
    if (std::memcmp(p + 26, kGuidTail, sizeof(kGuidTail)) != 0) {
      *error = "unknown WAVE_FORMAT_EXTENSIBLE sub-format";
      return false;
    }
    f->code = Le16(p + 24);
  }
  if (f->channels == 0 || f->sample_rate == 0) {
    *error = "fmt chunk has zero channels or zero sample rate";
    return false;
  }
  if (!ResolveEncoding(f)) {
    char text[96];
    std::snprintf(text, sizeof(text), "unsupported WAV encoding (format code 0x%04x, %u bits)",
                  f->code, f->bits_per_sample);
    *error = text;
    return false;
  }
  return true;
}

json FormatFacts(const WavFormat& f) {
  json audio = json::object();
  if (f.name != nullptr) audio["format"] = f.name;
  if (f.sample_rate != 0) audio["sample_rate"] = f.sample_rate;
  if (f.channels != 0) audio["channels"] = f.channels;
  if (f.bits_per_sample != 0) audio["bits_per_sample"] = f.bits_per_sample;
  return audio;
}

// Streams the data chunk (`declared` bytes, or to the end when unknown) through the reader's
// buffer, whole samples at a time; a sample split across two Reads waits in the buffer.
json MeasureWavData(PeekingReader& reader, const WavFormat& f, std::optional<uint64_t> declared) {
  const size_t width = f.bits_per_sample / 8;
  const size_t frame_bytes = width * f.channels;
  uint64_t remaining = declared.value_or(UINT64_MAX);
  uint64_t measured = 0;
  LevelMeter meter;
  while (remaining >= width) {
    auto want = static_cast<size_t>(std::min<uint64_t>(remaining, PeekingReader::kDefaultCapacity));
    std::string_view view = reader.Peek(want);
    size_t usable = std::min(view.size(), want);
    usable -= usable % width;
    if (usable == 0) break;  // end of data, perhaps inside a sample
    f.measure(view.substr(0, usable), width, &meter);
    reader.Consume(usable);
    remaining -= usable;
    measured += usable;
  }
  json audio = FormatFacts(f);
  AddFrames(f.sample_rate, measured / frame_bytes, &audio);
  meter.Report(&audio);
  if (declared.has_value() && remaining >= width) {
    audio["truncated"] = true;
    audio["declared_frames"] = *declared / frame_bytes;
  }
  return audio;
}

// The data chunk's size: 0xFFFFFFFF is RF64's "see ds64" and, like 0, what streaming writers
// leave when they cannot seek back; both then mean "to the end of the file".
std::optional<uint64_t> DataSize(uint32_t size, std::optional<uint64_t> ds64_size) {
  if (size == 0xFFFFFFFF && ds64_size.has_value()) return ds64_size;
  if (size == 0xFFFFFFFF || size == 0) return std::nullopt;
  return size;
}

}  // namespace

json AnalyzeWav(PeekingReader& reader) {
  std::string_view header = reader.Peek(12);
  if (header.size() < 12) return AudioError("truncated RIFF header");
  std::string_view riff = header.substr(0, 4);
  const bool rf64 = riff == "RF64" || riff == "BW64";
  if ((riff != "RIFF" && !rf64) || header.substr(8, 4) != "WAVE") {
    return AudioError("not RIFF/WAVE");
  }
  reader.Consume(12);
  WavFormat format;
  bool have_format = false;
  std::optional<uint64_t> ds64_data_size;
  while (true) {
    std::string_view chunk_header = reader.Peek(8);
    if (chunk_header.size() < 8) return AudioError(have_format ? "no data chunk" : "no fmt chunk");
    const std::string id(chunk_header.substr(0, 4));
    const uint32_t size = Le32(Bytes(chunk_header) + 4);
    reader.Consume(8);
    if (id == "data") {
      if (!have_format) return AudioError("data chunk before fmt chunk");
      return MeasureWavData(reader, format, DataSize(size, ds64_data_size));
    }
    if (id == "fmt ") {
      const size_t want = std::min<uint32_t>(size, 40);
      std::string_view body = reader.Peek(want);
      if (body.size() < want) return AudioError("truncated fmt chunk");
      std::string error;
      if (!ParseFmt(body.substr(0, want), &format, &error)) {
        json audio = FormatFacts(format);
        audio["error"] = error;
        return audio;
      }
      have_format = true;
    } else if (id == "ds64" && rf64) {
      std::string_view body = reader.Peek(16);
      if (body.size() >= 16) ds64_data_size = Le64(Bytes(body) + 8);
    }
    // Chunks are padded to even sizes; a missing pad byte at the very end is forgiven.
    if (reader.Skip(size) < size) return AudioError("truncated \"" + Printable(id) + "\" chunk");
    if (size & 1) reader.Skip(1);
  }
}

}  // namespace tuskd::predict
