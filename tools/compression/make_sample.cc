// make_sample: deterministic test content for the compression measurements
// (docs/compression.md). Writes SIZE bytes of one kind to stdout:
//   text    log lines (timestamps, levels, request paths with random ids, numbers, words)
//   wav     a WAV file: 48 kHz 16-bit stereo "field recording" (quiet noise floor, wind
//           rumble, bird-like chirps)
//   random  incompressible bytes
// Build: c++ -O2 -std=c++20 -o make_sample make_sample.cc
// Usage: make_sample text|wav|random SIZE [SEED] > file
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <string_view>

namespace {

constexpr size_t kChunk = 1 << 20;

struct Out {
  uint64_t left;
  std::string buf;
  // Appends what still fits of `s`; writes to stdout a chunk at a time and at the end.
  void Put(std::string_view s) {
    buf.append(s.substr(0, static_cast<size_t>(std::min<uint64_t>(s.size(), left - buf.size()))));
    if (buf.size() >= kChunk || buf.size() == left) Flush();
  }
  void Flush() {
    size_t n = static_cast<size_t>(std::min<uint64_t>(buf.size(), left));
    std::fwrite(buf.data(), 1, n, stdout);
    left -= n;
    buf.clear();
  }
};

void Text(uint64_t size, uint32_t seed) {
  static const char* kLevels[] = {"INFO", "INFO", "INFO", "INFO", "DEBUG", "WARN", "ERROR"};
  static const char* kWords[] = {"upload",   "commit",  "frame",    "offset",   "client", "session",
                                 "storage",  "retry",   "timeout",  "latency",  "bytes",  "request",
                                 "accepted", "resumed", "complete", "checksum", "range",  "cache"};
  static const char* kMethods[] = {"HEAD", "PATCH", "PATCH", "PATCH", "POST", "GET"};
  std::mt19937_64 rng(seed);
  Out out{size, {}};
  uint64_t ms = 1714564800000ull;  // 2024-05-01T12:00:00Z
  char line[512];
  while (out.left > 0) {
    ms += rng() % 40;
    uint64_t s = ms / 1000;
    int n = std::snprintf(
        line, sizeof line,
        "2024-05-%02llu %02llu:%02llu:%02llu.%03llu %-5s [worker-%llu] %s "
        "/files/%016llx%016llx %llu %lluB %llums",
        (unsigned long long)(1 + (s / 86400) % 28), (unsigned long long)((s / 3600) % 24),
        (unsigned long long)((s / 60) % 60), (unsigned long long)(s % 60),
        (unsigned long long)(ms % 1000), kLevels[rng() % 7], (unsigned long long)(rng() % 8),
        kMethods[rng() % 6], (unsigned long long)rng(), (unsigned long long)rng(),
        (unsigned long long)(rng() % 3 ? 204 : 201), (unsigned long long)(rng() % 4194304),
        (unsigned long long)(rng() % 250));
    std::string text(line, n);
    for (int w = 0, words = static_cast<int>(rng() % 6); w < words; ++w) {
      text += ' ';
      text += kWords[rng() % 18];
    }
    text += '\n';
    out.Put(text);
  }
}

void PutLe(std::string* s, uint32_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) s->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

void Wav(uint64_t size, uint32_t seed) {
  constexpr int kRate = 48000;
  std::string header = "RIFF";
  PutLe(&header, static_cast<uint32_t>(std::min<uint64_t>(size - 8, UINT32_MAX)), 4);
  header += "WAVEfmt ";
  PutLe(&header, 16, 4);
  PutLe(&header, 1, 2);  // PCM
  PutLe(&header, 2, 2);  // stereo
  PutLe(&header, kRate, 4);
  PutLe(&header, kRate * 4, 4);
  PutLe(&header, 4, 2);
  PutLe(&header, 16, 2);
  header += "data";
  PutLe(&header, static_cast<uint32_t>(std::min<uint64_t>(size - 44, UINT32_MAX)), 4);
  Out out{size, {}};
  out.Put(header);
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> floor_noise(0.0, 2.5);  // recorder self-noise, in LSB
  std::normal_distribution<double> gust(0.0, 1.0);
  double wind = 0, wind_level = 30, phase = 0, chirp_left = 0, chirp_len = 1, f0 = 0, f1 = 0;
  double amp = 0;
  std::string frame;
  for (uint64_t i = 0; out.left > 0; ++i) {
    // Wind: low-passed noise whose level drifts slowly.
    wind += 0.002 * (gust(rng) * wind_level - wind);
    if (i % kRate == 0) wind_level = 10 + (rng() % 60);
    // A bird-like chirp now and then: a 0.1-0.4 s sweep between 2 and 6 kHz.
    if (chirp_left <= 0 && rng() % (kRate * 2) == 0) {
      chirp_len = chirp_left = kRate * (0.1 + (rng() % 300) / 1000.0);
      f0 = 2000 + rng() % 4000;
      f1 = 2000 + rng() % 4000;
      amp = 500 + rng() % 4000;
    }
    double bird = 0;
    if (chirp_left > 0) {
      double t = 1.0 - chirp_left / chirp_len;
      phase += 2 * M_PI * (f0 + (f1 - f0) * t) / kRate;
      bird = amp * std::sin(phase) * std::sin(M_PI * t);
      --chirp_left;
    }
    frame.clear();
    for (int ch = 0; ch < 2; ++ch) {
      double v = wind + bird * (ch ? 0.8 : 1.0) + floor_noise(rng);
      int sample = static_cast<int>(std::lround(std::max(-32768.0, std::min(32767.0, v))));
      PutLe(&frame, static_cast<uint16_t>(static_cast<int16_t>(sample)), 2);
    }
    out.Put(frame);
  }
}

void Random(uint64_t size, uint32_t seed) {
  std::mt19937_64 rng(seed);
  Out out{size, {}};
  std::string block(kChunk, '\0');
  while (out.left > 0) {
    for (size_t i = 0; i < block.size(); i += 8) {
      uint64_t v = rng();
      std::memcpy(&block[i], &v, 8);
    }
    out.Put(block);
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: make_sample text|wav|random SIZE [SEED] > file\n");
    return 2;
  }
  std::string kind = argv[1];
  uint64_t size = std::strtoull(argv[2], nullptr, 10);
  uint32_t seed = argc > 3 ? static_cast<uint32_t>(std::strtoul(argv[3], nullptr, 10)) : 1;
  if (kind == "text")
    Text(size, seed);
  else if (kind == "wav" && size >= 44)
    Wav(size, seed);
  else if (kind == "random")
    Random(size, seed);
  else {
    std::fprintf(stderr, "unknown kind '%s' (or a WAV under 44 bytes)\n", kind.c_str());
    return 2;
  }
  return std::fflush(stdout) == 0 ? 0 : 1;
}
