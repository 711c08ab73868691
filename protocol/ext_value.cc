#include "protocol/ext_value.h"

#include "base/hex.h"
#include "protocol/field_text.h"

namespace tuskd::protocol {
namespace {

// RFC 8187 attr-char: ALPHA / DIGIT / "!" / "#" / "$" / "&" / "+" / "-" / "." / "^" / "_" / "`" /
// "|" / "~". Anything else must arrive percent-encoded.
bool IsAttrChar(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("!#$&+-.^_`|~").find(c) != std::string_view::npos;
}

}  // namespace

std::optional<std::string> DecodeExtValue(std::string_view text) {
  size_t charset_end = text.find('\'');
  if (charset_end == std::string_view::npos) return std::nullopt;
  size_t language_end = text.find('\'', charset_end + 1);
  if (language_end == std::string_view::npos) return std::nullopt;
  const std::string charset = AsciiLower(text.substr(0, charset_end));
  const bool latin1 = charset == "iso-8859-1";
  if (charset != "utf-8" && !latin1) return std::nullopt;
  std::string bytes;
  for (size_t i = language_end + 1; i < text.size(); ++i) {
    char c = text[i];
    if (c == '%') {
      int high = i + 2 < text.size() ? HexDigitValue(text[i + 1]) : -1;
      int low = high >= 0 ? HexDigitValue(text[i + 2]) : -1;
      if (low < 0) return std::nullopt;
      bytes.push_back(static_cast<char>(high * 16 + low));
      i += 2;
    } else if (IsAttrChar(c)) {
      bytes.push_back(c);
    } else {
      return std::nullopt;
    }
  }
  std::string value;
  if (latin1) {
    // ISO-8859-1 maps each byte to the code point of the same number.
    for (unsigned char byte : bytes) {
      if (byte < 0x80) {
        value.push_back(static_cast<char>(byte));
      } else {
        value.push_back(static_cast<char>(0xC0 | (byte >> 6)));
        value.push_back(static_cast<char>(0x80 | (byte & 0x3F)));
      }
    }
  } else {
    value = std::move(bytes);
  }
  if (value.empty() || HasControl(value)) return std::nullopt;
  return value;
}

}  // namespace tuskd::protocol
