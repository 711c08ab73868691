// Small text rules for HTTP field values, shared by the parsers of protocol/ (internal: server/
// uses the parsers, not these). Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace tuskd::protocol {

// Optional whitespace (RFC 9110 OWS: spaces and tabs) removed from both ends.
std::string_view TrimOws(std::string_view text);
// Whether `text` holds a control character (below 0x20, or DEL).
bool HasControl(std::string_view text);
// ASCII lower case (field names and media types are case-insensitive ASCII).
char AsciiLower(char c);
std::string AsciiLower(std::string_view text);

}  // namespace tuskd::protocol
