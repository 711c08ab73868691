#include "base/quantity.h"

#include <cctype>
#include <stdexcept>
#include <utility>
#include <vector>

namespace tuskd {
namespace {

std::optional<uint64_t> ParseScaled(const std::string& text,
                                    const std::vector<std::pair<char, uint64_t>>& units) {
  if (text.empty() || !std::isdigit(static_cast<unsigned char>(text[0]))) return std::nullopt;
  size_t used = 0;
  uint64_t value = 0;
  try {
    value = std::stoull(text, &used);
  } catch (const std::exception&) {
    return std::nullopt;
  }
  if (used == text.size()) return value;
  if (used + 1 != text.size()) return std::nullopt;
  char unit = static_cast<char>(std::tolower(static_cast<unsigned char>(text.back())));
  for (const auto& [name, scale] : units) {
    if (name == unit) {
      if (value > UINT64_MAX / scale) return std::nullopt;
      return value * scale;
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::chrono::seconds> ParseDuration(const std::string& text) {
  auto value = ParseScaled(text, {{'s', 1}, {'m', 60}, {'h', 3600}, {'d', 86400}});
  // Ten years is "forever" for every timeout here, and keeps clock arithmetic far from overflow.
  constexpr uint64_t kLongest = 10ull * 366 * 86400;
  if (!value || *value > kLongest) return std::nullopt;
  return std::chrono::seconds(*value);
}

std::optional<uint64_t> ParseByteSize(const std::string& text) {
  return ParseScaled(text,
                     {{'k', 1ull << 10}, {'m', 1ull << 20}, {'g', 1ull << 30}, {'t', 1ull << 40}});
}

}  // namespace tuskd
