// Builders of WAV and FLAC bytes for the content-info tests: RIFF chunks, fmt chunks for every
// sample encoding, sines of a known level, and a hand-laid FLAC STREAMINFO header. Header-only
// pure functions; safe from any thread.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <numbers>
#include <string>

namespace tuskd::predict::predictor_testing {

inline std::string Le(uint64_t value, int bytes) {
  std::string out;
  for (int i = 0; i < bytes; ++i) out += static_cast<char>((value >> (8 * i)) & 0xFF);
  return out;
}

inline std::string Chunk(const std::string& id, const std::string& body) {
  return id + Le(body.size(), 4) + body + (body.size() % 2 ? std::string(1, '\0') : "");
}

struct WavSpec {
  uint16_t code = 1;  // 1 PCM, 3 IEEE float
  uint16_t channels = 2;
  uint32_t rate = 48000;
  uint16_t bits = 16;
  bool extensible = false;
};

inline std::string FmtChunk(const WavSpec& s) {
  const uint16_t block = s.channels * s.bits / 8;
  std::string body = Le(s.extensible ? 0xFFFE : s.code, 2) + Le(s.channels, 2) + Le(s.rate, 4) +
                     Le(uint64_t{s.rate} * block, 4) + Le(block, 2) + Le(s.bits, 2);
  if (s.extensible) {
    body += Le(22, 2) + Le(s.bits, 2) + Le(0x3, 4) + Le(s.code, 4) +
            std::string("\x00\x00\x10\x00\x80\x00\x00\xAA\x00\x38\x9B\x71", 12);
  }
  return Chunk("fmt ", body);
}

inline std::string Wav(const WavSpec& s, const std::string& samples,
                       const std::string& before = "") {
  std::string chunks = FmtChunk(s) + before + Chunk("data", samples);
  return "RIFF" + Le(4 + chunks.size(), 4) + "WAVE" + chunks;
}

inline std::string EncodeSample(const WavSpec& s, double x) {
  auto scaled = [&](double full_scale, double lo, double hi) {
    return static_cast<int64_t>(std::clamp(std::round(x * full_scale), lo, hi));
  };
  if (s.code == 3 && s.bits == 32) {
    uint32_t bits;
    auto f = static_cast<float>(x);
    std::memcpy(&bits, &f, 4);
    return Le(bits, 4);
  }
  if (s.code == 3) {
    uint64_t bits;
    std::memcpy(&bits, &x, 8);
    return Le(bits, 8);
  }
  switch (s.bits) {
    case 8:
      return Le(128 + scaled(128, -128, 127), 1);
    case 16:
      return Le(scaled(32768, -32768, 32767), 2);
    case 24:
      return Le(scaled(8388608, -8388608, 8388607), 3);
    default:
      return Le(scaled(2147483648.0, -2147483648.0, 2147483647.0), 4);
  }
}

// A 1 kHz sine of peak `amplitude` (full scale 1.0) on every channel. At 48 kHz there are 48
// samples per period, one exactly on each crest, so the peak is exact and the RMS is
// amplitude / sqrt(2) over whole periods.
inline std::string Sine(const WavSpec& s, double amplitude, double seconds) {
  std::string out;
  const auto frames = static_cast<size_t>(s.rate * seconds);
  for (size_t n = 0; n < frames; ++n) {
    double x = amplitude * std::sin(2 * std::numbers::pi * 1000 * n / s.rate);
    for (int c = 0; c < s.channels; ++c) out += EncodeSample(s, x);
  }
  return out;
}

// "fLaC" and a STREAMINFO block only, laid out by hand from https://xiph.org/flac/format.html.
inline std::string FlacHeader(uint32_t rate, uint32_t channels, uint32_t bits, uint64_t total) {
  std::string out = "fLaC";
  out += std::string("\x80\x00\x00\x22", 4);  // last metadata block, STREAMINFO, 34 bytes
  out += std::string("\x10\x00\x10\x00", 4);  // min and max block size 4096
  out += std::string(6, '\0');                // min and max frame size unknown
  const uint64_t packed = (static_cast<uint64_t>(rate) << 44) |
                          (static_cast<uint64_t>(channels - 1) << 41) |
                          (static_cast<uint64_t>(bits - 1) << 36) | total;
  for (int shift = 56; shift >= 0; shift -= 8) out += static_cast<char>((packed >> shift) & 0xFF);
  out += std::string(16, '\0');  // MD5 unknown
  return out;
}

}  // namespace tuskd::predict::predictor_testing
