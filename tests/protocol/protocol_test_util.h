// Small builders and lookups shared by the protocol tests.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "protocol/decisions.h"

namespace tuskd::protocol::testing {

using Fields = std::vector<std::pair<std::string, std::string>>;

inline RequestHead MakeHead(std::string method, const Fields& fields,
                            std::optional<uint64_t> content_length = std::nullopt,
                            bool chunked = false) {
  RequestHead head;
  head.method = std::move(method);
  head.path = "/files/abc";
  for (const auto& [name, value] : fields) head.headers.Add(name, value);
  head.content_length = content_length;
  head.chunked = chunked;
  return head;
}

inline HeaderMap MakeHeaders(const Fields& fields) {
  HeaderMap headers;
  for (const auto& [name, value] : fields) headers.Add(name, value);
  return headers;
}

// The first value of `name` (case-insensitive) in a response's headers.
inline std::optional<std::string> Find(const HeaderList& headers, std::string_view name) {
  for (const auto& [key, value] : headers) {
    if (EqualsIgnoreCase(key, name)) return value;
  }
  return std::nullopt;
}

inline size_t CountOf(const HeaderList& headers, std::string_view name) {
  size_t count = 0;
  for (const auto& field : headers) count += EqualsIgnoreCase(field.first, name) ? 1 : 0;
  return count;
}

// The failure code of a decision, or nullopt when it succeeded.
template <typename Variant>
std::optional<ErrorCode> FailureCode(const Variant& result) {
  if (const auto* failure = std::get_if<Failure>(&result)) return failure->code;
  return std::nullopt;
}
inline std::optional<ErrorCode> FailureCode(const std::optional<Failure>& result) {
  if (result) return result->code;
  return std::nullopt;
}

inline UploadView MakeUpload(std::optional<uint64_t> length, uint64_t offset,
                             UploadState state = UploadState::kReceiving) {
  UploadView upload;
  upload.id = "0123456789abcdef0123456789abcdef";
  upload.length = length;
  upload.offset = offset;
  upload.state = state;
  return upload;
}

}  // namespace tuskd::protocol::testing
