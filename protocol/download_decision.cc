// GET <base><id>: serving committed bytes without letting a browser run them. Uploaded content
// is attacker-controlled and served from our origin, so a type is only passed through when a
// browser cannot execute it; everything else is a download (tusd's filterContentType, stricter).
#include <algorithm>
#include <array>
#include <iterator>
#include <utility>

#include "protocol/decisions.h"
#include "protocol/shared_rules.h"

namespace tuskd::protocol {
namespace {

bool IsControl(unsigned char c) { return c < 0x20 || c == 0x7f; }

bool IsMediaTypeChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.';
}

// Types browsers display but never execute. audio/* and video/* are inert except for the XML
// based ones: Chromium renders any "+xml" type as an XML document, which can carry script.
bool IsInertMediaType(std::string_view type) {
  static constexpr std::array<std::string_view, 10> kInert = {
      "text/plain", "image/png",  "image/jpeg",      "image/gif",        "image/bmp",
      "image/webp", "image/avif", "application/pdf", "application/json", "application/ogg"};
  if (type.starts_with("audio/") || type.starts_with("video/")) {
    return type.find("xml") == std::string_view::npos &&
           type.find("html") == std::string_view::npos;
  }
  return std::find(kInert.begin(), kInert.end(), type) != kInert.end();
}

// The lower-cased "type/subtype" of `filetype` metadata when it is safe to serve inline.
// Parameters are dropped: a charset from the client is not worth the parsing risk.
std::optional<std::string> InlineMediaType(std::string_view filetype) {
  if (std::any_of(filetype.begin(), filetype.end(), [](char c) { return IsControl(c); })) {
    return std::nullopt;
  }
  std::string_view essence = filetype.substr(0, filetype.find(';'));
  while (!essence.empty() && essence.back() == ' ') essence.remove_suffix(1);
  while (!essence.empty() && essence.front() == ' ') essence.remove_prefix(1);
  std::string type;
  std::transform(essence.begin(), essence.end(), std::back_inserter(type), [](char c) {
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
  });
  size_t slash = type.find('/');
  if (slash == std::string::npos || slash == 0 || slash + 1 == type.size()) return std::nullopt;
  std::string_view view = type;
  std::string_view top = view.substr(0, slash);
  std::string_view sub = view.substr(slash + 1);
  bool well_formed = std::all_of(top.begin(), top.end(), IsMediaTypeChar) &&
                     std::all_of(sub.begin(), sub.end(), IsMediaTypeChar);
  if (!well_formed || !IsInertMediaType(type)) return std::nullopt;
  return type;
}

// RFC 5987 attr-char: what may appear unencoded in filename*.
bool IsAttrChar(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         std::string_view("!#$&+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos;
}

std::string PercentEncode(std::string_view bytes) {
  static constexpr std::string_view kHex = "0123456789ABCDEF";
  std::string encoded;
  for (unsigned char c : bytes) {
    if (IsAttrChar(c)) {
      encoded.push_back(static_cast<char>(c));
    } else {
      encoded.append({'%', kHex[c >> 4], kHex[c & 0xf]});
    }
  }
  return encoded;
}

// `disposition` plus the client's filename, which must not be able to end the header (CR/LF)
// or the quoted-string ('"', '\'). Non-ASCII names get an ASCII fallback (one '_' per
// character) and the exact name in filename* (RFC 6266 section 4.3).
std::string ContentDisposition(std::string_view disposition,
                               const std::optional<std::string>& filename) {
  std::string value(disposition);
  std::string clean;
  if (filename) {
    std::copy_if(filename->begin(), filename->end(), std::back_inserter(clean),
                 [](char c) { return !IsControl(static_cast<unsigned char>(c)); });
  }
  if (clean.empty()) return value;
  std::string fallback;
  bool non_ascii = false;
  for (unsigned char c : clean) {
    if (c < 0x80) {
      if (c == '"' || c == '\\') fallback.push_back('\\');
      fallback.push_back(static_cast<char>(c));
    } else {
      non_ascii = true;
      if (c >= 0xc0) fallback.push_back('_');  // a UTF-8 lead byte; continuations add nothing
    }
  }
  value.append("; filename=\"").append(fallback).append("\"");
  if (non_ascii) value.append("; filename*=UTF-8''").append(PercentEncode(clean));
  return value;
}

void AddContentHeaders(const UploadView& upload, HeaderList& headers) {
  auto parsed = ParseMetadata(upload.metadata_raw);
  // The raw metadata was validated at creation; if it is somehow unreadable, serve it as a
  // nameless download rather than fail the request.
  Metadata metadata =
      std::holds_alternative<Metadata>(parsed) ? std::get<Metadata>(parsed) : Metadata();
  std::optional<std::string> filename = MetadataValue(metadata, "filename");
  std::optional<std::string> filetype = MetadataValue(metadata, "filetype");
  std::optional<std::string> inline_type = filetype ? InlineMediaType(*filetype) : std::nullopt;
  if (inline_type) {
    headers.emplace_back("Content-Type", std::move(*inline_type));
    if (filename) {
      headers.emplace_back("Content-Disposition", ContentDisposition("inline", filename));
    }
  } else {
    headers.emplace_back("Content-Type", "application/octet-stream");
    headers.emplace_back("Content-Disposition", ContentDisposition("attachment", filename));
  }
}

// The single range to serve, if the request asks for one we honour.
std::variant<std::monostate, ByteRange, Failure> RequestedRange(const HeaderMap& headers,
                                                                uint64_t available) {
  std::optional<std::string_view> range = headers.Get("Range");
  // Two Range fields are as ambiguous as a multi-range. If-Range needs a validator (ETag or
  // Last-Modified) we do not send, so its condition can never be shown to hold: send it all.
  if (!range || headers.Count("Range") > 1 || headers.Has("If-Range")) return std::monostate{};
  return ParseRange(*range, available);
}

}  // namespace

std::variant<DownloadPlan, Failure> DecideDownload(const RequestHead& head,
                                                   const UploadView& upload) {
  if (auto gone = CheckUsable(upload)) return std::move(*gone);
  // A partial upload serves its committed prefix; bytes past the offset may not be durable.
  const uint64_t available = upload.offset;
  auto range = RequestedRange(head.headers, available);
  if (auto* failure = std::get_if<Failure>(&range)) return std::move(*failure);

  DownloadPlan plan;
  plan.count = available;
  plan.head.status = 200;
  HeaderList& headers = plan.head.headers;
  if (auto* byte_range = std::get_if<ByteRange>(&range)) {
    plan.first = byte_range->first;
    plan.count = byte_range->last - byte_range->first + 1;
    plan.head.status = 206;
    headers.emplace_back("Content-Range", "bytes " + std::to_string(byte_range->first) + "-" +
                                              std::to_string(byte_range->last) + "/" +
                                              std::to_string(available));
  }
  headers.emplace_back("Content-Length", std::to_string(plan.count));
  AddContentHeaders(upload, headers);
  // Want-Repr-Digest may ask for others, but sha-256 is the one digest we hold (RFC 9530 lets
  // a server send what it has).
  AddReprDigest(upload, headers);
  headers.emplace_back("Accept-Ranges", "bytes");
  headers.emplace_back("X-Content-Type-Options", "nosniff");
  headers.emplace_back("Cache-Control", "no-store");
  return plan;
}

}  // namespace tuskd::protocol
