// Durations and byte sizes as people write them in flags and tuskctl arguments ("90s", "64M").
// Pure functions; thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace tuskd {

// "90", "90s", "15m", "24h", "7d" -> seconds; nullopt when malformed or above ten years.
std::optional<std::chrono::seconds> ParseDuration(const std::string& text);
// "1048576", "512K", "64M", "2G", "1T" (binary multiples) -> bytes; nullopt when malformed.
std::optional<uint64_t> ParseByteSize(const std::string& text);

}  // namespace tuskd
