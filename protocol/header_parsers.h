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
// hold no spaces or commas; values are strict base64 (padding required). Order kept. At most
// kMaxMetadataPairs pairs and keys of at most kMaxMetadataKeyBytes (tus-js-client and Uppy send
// a handful of short keys; the limits keep a hostile header from costing more than a
// microsecond per pair). Linear in the header's length.
constexpr size_t kMaxMetadataPairs = 256;
constexpr size_t kMaxMetadataKeyBytes = 256;
struct MetadataEntry {
  std::string key;
  std::optional<std::string> value;  // decoded; nullopt for a key sent without value
};
using Metadata = std::vector<MetadataEntry>;
std::variant<Metadata, Failure> ParseMetadata(std::string_view text);
// The decoded value of `key`, if present and non-empty.
std::optional<std::string> MetadataValue(const Metadata& metadata, std::string_view key);

// Upload-Checksum: "<algorithm> <base64 digest>", exactly one space. The algorithm name is
// lower-cased and made of letters, digits and '-'. For md5, sha1, sha224, sha256, sha384 and
// sha512 the digest must have that algorithm's size: a wrong-sized digest can never match, so it
// is refused before any body byte is read. Failure kInvalidChecksumHeader otherwise.
struct ChecksumHeader {
  std::string algorithm;
  std::string digest;  // raw bytes
};
std::variant<ChecksumHeader, Failure> ParseChecksumHeader(std::string_view text);

// Upload-Concat (concatenation extension): "partial", or "final;" followed by the URLs of the
// parts separated by spaces (extra spaces tolerated). Failure kInvalidConcat otherwise, including
// a final without parts or a part URL holding control characters.
struct UploadConcat {
  bool partial = false;
  std::vector<std::string> part_urls;  // non-empty exactly for a final upload, in order
};
std::variant<UploadConcat, Failure> ParseUploadConcat(std::string_view text);

// Content-Type of a tus body: application/offset+octet-stream, compared case-insensitively,
// with optional parameters after ';' tolerated (some HTTP stacks append a charset).
bool IsOffsetContentType(std::string_view content_type);

// Range: "bytes=a-b", "bytes=a-", "bytes=-n" against a resource of `size` bytes. A single range
// only. Returns [first, last] inclusive, or std::monostate when the header should be ignored
// (malformed or multi-range: RFC 9110 lets a server send the whole resource), or Failure 416
// when the range is well-formed but unsatisfiable; that Failure already carries
// "Content-Range: bytes */<size>" as RFC 9110 asks of a 416.
struct ByteRange {
  uint64_t first;
  uint64_t last;  // inclusive
};
std::variant<std::monostate, ByteRange, Failure> ParseRange(std::string_view text, uint64_t size);

// IMF-fixdate (RFC 9110 section 5.6.7), e.g. "Sun, 06 Nov 1994 08:49:37 GMT", from unix seconds.
// Returns "" for instants outside years 0000-9999, which the format cannot express.
std::string FormatHttpDate(int64_t unix_seconds);

}  // namespace tuskd::protocol
