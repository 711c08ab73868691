// Parsers for the tus request headers and the few HTTP headers tus relies on. Each takes the
// raw header value and returns a value or nullopt/Failure; none throws. Pure functions.
#pragma once

#include <cstdint>
#include <ctime>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "protocol/error_catalogue.h"

namespace tuskd::protocol {

// A non-negative decimal integer without sign, spaces or leading '+', fitting in int64
// (tus offsets and lengths). "007" is accepted as 7; "", "-1", "1.0", "1e3" are not.
std::optional<uint64_t> ParseUnsigned(std::string_view text);

// Upload-Metadata: comma-separated "key[ base64value]" pairs. Keys are non-empty, unique, and
// hold no spaces or commas; values are strict base64 (padding required). Order kept.
struct MetadataEntry {
  std::string key;
  std::optional<std::string> value;  // decoded; nullopt for a key sent without value
};
using Metadata = std::vector<MetadataEntry>;
std::variant<Metadata, Failure> ParseMetadata(std::string_view text);
// The decoded value of `key`, if present and non-empty.
std::optional<std::string> MetadataValue(const Metadata& metadata, std::string_view key);

// Standard base64 (RFC 4648 section 4) with padding; nullopt on any invalid character.
std::optional<std::string> DecodeBase64(std::string_view text);
std::string EncodeBase64(std::string_view bytes);

// Upload-Checksum: "<algorithm> <base64 digest>". The algorithm name is lower-cased.
struct ChecksumHeader {
  std::string algorithm;
  std::string digest;  // raw bytes
};
std::variant<ChecksumHeader, Failure> ParseChecksumHeader(std::string_view text);

// Range: "bytes=a-b", "bytes=a-", "bytes=-n" against a resource of `size` bytes. A single range
// only. Returns [first, last] inclusive, or nullopt when the header should be ignored
// (malformed or multi-range: RFC 9110 lets a server send the whole resource), or Failure 416
// when the range is well-formed but unsatisfiable.
struct ByteRange {
  uint64_t first;
  uint64_t last;  // inclusive
};
std::variant<std::monostate, ByteRange, Failure> ParseRange(std::string_view text, uint64_t size);

// IMF-fixdate (RFC 9110 section 5.6.7), e.g. "Sun, 06 Nov 1994 08:49:37 GMT", from unix seconds.
std::string FormatHttpDate(int64_t unix_seconds);

}  // namespace tuskd::protocol
