#include "tools/tuskctl/humanize.h"

#include <array>
#include <cstdio>
#include <ctime>

namespace tuskd::tuskctl {
namespace {

constexpr std::array<const char*, 7> kUnits = {"B", "K", "M", "G", "T", "P", "E"};

// The value scaled to its unit, and the unit's index.
std::pair<double, size_t> Scale(uint64_t bytes) {
  auto value = static_cast<double>(bytes);
  size_t unit = 0;
  while (value >= 1024 && unit + 1 < kUnits.size()) {
    value /= 1024;
    ++unit;
  }
  return {value, unit};
}

std::string Format(const char* format, double value, const char* unit) {
  char text[32];
  std::snprintf(text, sizeof(text), format, value, unit);
  return text;
}

}  // namespace

std::string HumanBytes(uint64_t bytes) {
  auto [value, unit] = Scale(bytes);
  if (unit == 0) return std::to_string(bytes) + " B";
  std::string suffix = std::string(kUnits[unit]) + "iB";
  return Format(value < 100 ? "%.1f %s" : "%.0f %s", value, suffix.c_str());
}

std::string CompactBytes(uint64_t bytes) {
  auto [value, unit] = Scale(bytes);
  if (unit == 0) return std::to_string(bytes) + "B";
  return Format(value < 10 ? "%.1f%s" : "%.0f%s", value, kUnits[unit]);
}

std::string ShortDuration(int64_t seconds) {
  if (seconds < 0) seconds = 0;
  if (seconds < 60) return std::to_string(seconds) + "s";
  if (seconds < 3600) return std::to_string(seconds / 60) + "m";
  if (seconds < 86400) return std::to_string(seconds / 3600) + "h";
  return std::to_string(seconds / 86400) + "d";
}

std::string LongDuration(int64_t seconds) {
  if (seconds < 0) seconds = 0;
  if (seconds < 60) return std::to_string(seconds) + "s";
  auto two = [](int64_t big, const char* big_unit, int64_t small, const char* small_unit) {
    std::string text = std::to_string(big) + big_unit;
    if (small > 0) text += " " + std::to_string(small) + small_unit;
    return text;
  };
  if (seconds < 3600) return two(seconds / 60, "m", seconds % 60, "s");
  if (seconds < 86400) return two(seconds / 3600, "h", seconds % 3600 / 60, "m");
  return two(seconds / 86400, "d", seconds % 86400 / 3600, "h");
}

std::string Percent(uint64_t part, std::optional<uint64_t> whole) {
  if (!whole) return "?";
  if (*whole == 0 || part >= *whole) return "100%";
  return std::to_string(static_cast<unsigned>(static_cast<double>(part) * 100 / *whole)) + "%";
}

std::string Timestamp(int64_t unix_seconds) {
  auto time = static_cast<std::time_t>(unix_seconds);
  std::tm local = {};
  if (::localtime_r(&time, &local) == nullptr) return std::to_string(unix_seconds);
  char text[32];
  std::strftime(text, sizeof(text), "%Y-%m-%d %H:%M:%S", &local);
  return text;
}

std::string Relative(int64_t unix_seconds, int64_t now) {
  if (unix_seconds <= now) return ShortDuration(now - unix_seconds) + " ago";
  return "in " + ShortDuration(unix_seconds - now);
}

}  // namespace tuskd::tuskctl
