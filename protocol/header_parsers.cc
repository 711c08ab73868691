#include "protocol/header_parsers.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <iterator>
#include <limits>
#include <string>
#include <unordered_set>

#include "base/base64.h"
#include "protocol/field_text.h"
#include "protocol/request_head.h"

namespace tuskd::protocol {
namespace {

Failure MetadataFailure(std::string detail) {
  return Failure{ErrorCode::kInvalidMetadata, std::move(detail), {}};
}

// One "key[ base64value]" element, already trimmed, so a non-empty element has a non-empty key.
std::variant<MetadataEntry, Failure> ParseMetadataEntry(std::string_view element) {
  if (element.empty()) return MetadataFailure("empty entry");
  size_t space = element.find(' ');
  std::string_view key = element.substr(0, space);
  if (HasControl(key)) return MetadataFailure("control character in key");
  MetadataEntry entry{std::string(key), std::nullopt};
  if (space != std::string_view::npos) {
    entry.value = DecodeBase64(element.substr(space + 1));
    if (!entry.value) return MetadataFailure("value of key \"" + entry.key + "\" is not base64");
  }
  return entry;
}

// Digest sizes of the algorithms whose names we know; others are left to the policy check.
std::optional<size_t> KnownDigestSize(std::string_view algorithm) {
  static constexpr std::array<std::pair<std::string_view, size_t>, 6> kSizes = {{
      {"md5", 16},
      {"sha1", 20},
      {"sha224", 28},
      {"sha256", 32},
      {"sha384", 48},
      {"sha512", 64},
  }};
  for (const auto& [name, size] : kSizes) {
    if (name == algorithm) return size;
  }
  return std::nullopt;
}

Failure RangeNotSatisfiable(uint64_t size) {
  return Failure{
      ErrorCode::kRangeNotSatisfiable, {}, {{"Content-Range", "bytes */" + std::to_string(size)}}};
}

}  // namespace

std::optional<uint64_t> ParseUnsigned(std::string_view text) {
  // 19 digits always fit in uint64_t (10^19 - 1 < 2^64), so the loop cannot overflow.
  if (text.empty() || text.size() > 19) return std::nullopt;
  uint64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + static_cast<uint64_t>(c - '0');
  }
  if (value > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) return std::nullopt;
  return value;
}

std::variant<Metadata, Failure> ParseMetadata(std::string_view text) {
  Metadata metadata;
  if (TrimOws(text).empty()) return metadata;
  // Keys seen so far, for a duplicate check in linear time: a 64 KiB head holds ~16,000 keys,
  // and comparing each with every earlier one held an io thread for most of a second.
  std::unordered_set<std::string_view> keys;
  while (true) {
    if (metadata.size() == kMaxMetadataPairs) {
      return MetadataFailure("more than " + std::to_string(kMaxMetadataPairs) + " pairs");
    }
    size_t comma = text.find(',');
    std::string_view element = TrimOws(text.substr(0, comma));
    auto parsed = ParseMetadataEntry(element);
    if (auto* failure = std::get_if<Failure>(&parsed)) return std::move(*failure);
    auto& entry = std::get<MetadataEntry>(parsed);
    if (entry.key.size() > kMaxMetadataKeyBytes) {
      return MetadataFailure("a key is longer than " + std::to_string(kMaxMetadataKeyBytes) +
                             " bytes");
    }
    // The view points into `text`, which outlives the set; entry.key is a copy that moves.
    if (!keys.insert(element.substr(0, entry.key.size())).second) {
      return MetadataFailure("duplicate key \"" + entry.key + "\"");
    }
    metadata.push_back(std::move(entry));
    if (comma == std::string_view::npos) return metadata;
    text.remove_prefix(comma + 1);
  }
}

std::optional<std::string> MetadataValue(const Metadata& metadata, std::string_view key) {
  for (const MetadataEntry& entry : metadata) {
    if (entry.key == key) {
      if (entry.value && !entry.value->empty()) return entry.value;
      return std::nullopt;
    }
  }
  return std::nullopt;
}

std::variant<ChecksumHeader, Failure> ParseChecksumHeader(std::string_view text) {
  auto invalid = [](std::string detail) {
    return Failure{ErrorCode::kInvalidChecksumHeader, std::move(detail), {}};
  };
  size_t space = text.find(' ');
  if (space == std::string_view::npos) return invalid("no space after the algorithm");
  std::string_view name = text.substr(0, space);
  bool name_ok = !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
  });
  if (!name_ok) return invalid("bad algorithm name");
  ChecksumHeader checksum;
  std::transform(name.begin(), name.end(), std::back_inserter(checksum.algorithm),
                 [](char c) { return AsciiLower(c); });
  std::string_view encoded = text.substr(space + 1);
  std::optional<std::string> digest = encoded.empty() ? std::nullopt : DecodeBase64(encoded);
  if (!digest) return invalid("digest is not base64");
  std::optional<size_t> expected = KnownDigestSize(checksum.algorithm);
  if (expected && digest->size() != *expected) {
    return invalid(checksum.algorithm + " digest must be " + std::to_string(*expected) + " bytes");
  }
  checksum.digest = std::move(*digest);
  return checksum;
}

std::variant<UploadConcat, Failure> ParseUploadConcat(std::string_view text) {
  auto invalid = [](std::string detail) {
    return Failure{ErrorCode::kInvalidConcat, std::move(detail), {}};
  };
  UploadConcat concat;
  if (text == "partial") {
    concat.partial = true;
    return concat;
  }
  constexpr std::string_view kFinal = "final;";
  if (text.substr(0, kFinal.size()) != kFinal) return invalid("expected partial or final;<urls>");
  std::string_view urls = text.substr(kFinal.size());
  if (HasControl(urls)) return invalid("control character in part URL");
  while (!urls.empty()) {
    size_t space = urls.find(' ');
    std::string_view url = urls.substr(0, space);
    if (!url.empty()) concat.part_urls.emplace_back(url);
    urls.remove_prefix(space == std::string_view::npos ? urls.size() : space + 1);
  }
  if (concat.part_urls.empty()) return invalid("final upload names no parts");
  return concat;
}

bool IsOffsetContentType(std::string_view content_type) {
  std::string_view media_type = TrimOws(content_type.substr(0, content_type.find(';')));
  return EqualsIgnoreCase(media_type, "application/offset+octet-stream");
}

std::variant<std::monostate, ByteRange, Failure> ParseRange(std::string_view text, uint64_t size) {
  constexpr std::string_view kUnit = "bytes=";
  text = TrimOws(text);
  if (text.size() < kUnit.size() || !EqualsIgnoreCase(text.substr(0, kUnit.size()), kUnit)) {
    return std::monostate{};
  }
  std::string_view spec = TrimOws(text.substr(kUnit.size()));
  size_t dash = spec.find('-');
  // Several ranges would need multipart/byteranges; RFC 9110 lets us answer 200 instead.
  if (spec.find(',') != std::string_view::npos || dash == std::string_view::npos) {
    return std::monostate{};
  }
  std::string_view first_text = spec.substr(0, dash);
  std::string_view last_text = spec.substr(dash + 1);
  if (first_text.empty()) {  // suffix range: the last n bytes
    std::optional<uint64_t> suffix = ParseUnsigned(last_text);
    if (!suffix) return std::monostate{};
    if (*suffix == 0 || size == 0) return RangeNotSatisfiable(size);
    return ByteRange{size - std::min(*suffix, size), size - 1};
  }
  std::optional<uint64_t> first = ParseUnsigned(first_text);
  std::optional<uint64_t> last = last_text.empty()
                                     ? std::optional<uint64_t>(std::numeric_limits<uint64_t>::max())
                                     : ParseUnsigned(last_text);
  if (!first || !last || *last < *first) return std::monostate{};
  if (*first >= size) return RangeNotSatisfiable(size);
  return ByteRange{*first, std::min(*last, size - 1)};
}

std::string FormatHttpDate(int64_t unix_seconds) {
  // Fixed English names: strftime's %a and %b follow the locale, and HTTP dates must not.
  static constexpr std::array<std::string_view, 7> kDays = {"Sun", "Mon", "Tue", "Wed",
                                                            "Thu", "Fri", "Sat"};
  static constexpr std::array<std::string_view, 12> kMonths = {
      "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  auto time = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  if (gmtime_r(&time, &tm) == nullptr) return {};
  int year = tm.tm_year + 1900;
  if (year < 0 || year > 9999) return {};
  std::array<char, 64> buffer{};
  std::snprintf(buffer.data(), buffer.size(), "%s, %02d %s %04d %02d:%02d:%02d GMT",
                kDays[tm.tm_wday].data(), tm.tm_mday, kMonths[tm.tm_mon].data(), year, tm.tm_hour,
                tm.tm_min, tm.tm_sec);
  return buffer.data();
}

}  // namespace tuskd::protocol
