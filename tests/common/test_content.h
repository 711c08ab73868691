// Deterministic test content for compression tests: incompressible (pseudo-random) bytes,
// text-like bytes (log lines from a small vocabulary) and their concatenations.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <string_view>

#include "compress/frame_decoder.h"

namespace tuskd {

inline std::string RandomContent(size_t size, uint32_t seed) {
  std::mt19937 rng(seed);
  std::string out(size, '\0');
  for (char& c : out) c = static_cast<char>(rng() & 0xff);
  return out;
}

// Log-like lines: compress to roughly a fifth with zstd.
inline std::string TextContent(size_t size, uint32_t seed) {
  static const char* kWords[] = {"GET",     "PUT",    "upload",  "commit", "frame", "offset",
                                 "session", "client", "storage", "ok",     "retry", "error",
                                 "latency", "bytes",  "user",    "node"};
  std::mt19937 rng(seed);
  std::string out;
  out.reserve(size + 128);
  uint64_t line = 0;
  while (out.size() < size) {
    out += "2024-05-01T12:" + std::to_string(10 + line % 50) + ":" +
           std::to_string(10 + rng() % 50) + " INFO req=" + std::to_string(rng() % 100000) + " ";
    for (int w = 0, n = 3 + static_cast<int>(rng() % 6); w < n; ++w) {
      out += kWords[rng() % 16];
      out += ' ';
    }
    out += '\n';
    ++line;
  }
  out.resize(size);
  return out;
}

// Compares byte strings without printing megabytes: sizes and the first difference.
inline ::testing::AssertionResult SameBytes(const std::optional<std::string>& actual,
                                            std::string_view expected) {
  if (!actual) return ::testing::AssertionFailure() << "no bytes (decoding failed)";
  if (*actual == expected) return ::testing::AssertionSuccess();
  size_t at = 0;
  while (at < actual->size() && at < expected.size() && (*actual)[at] == expected[at]) ++at;
  return ::testing::AssertionFailure() << "got " << actual->size() << " bytes, expected "
                                       << expected.size() << "; first difference at " << at;
}

// The bytes a run of whole zstd frames decodes to (a compressed data file); nullopt when they do
// not decode or end inside a frame. FrameDecoder is itself tested against zstd's one-shot API.
inline std::optional<std::string> DecodeFrames(const std::string& compressed) {
  compress::FrameDecoder decoder;
  std::string decoded;
  Status fed = decoder.Feed({compressed.data(), compressed.size()},
                            [&](std::span<const char> b) { decoded.append(b.data(), b.size()); });
  if (!fed.ok() || !decoder.at_frame_end()) return std::nullopt;
  return decoded;
}

}  // namespace tuskd
