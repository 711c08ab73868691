// Bytes made readable for a failure message: non-printable bytes as \xNN, cut at `max`
// characters. Header-only: the protocol and server fuzz tests both print hostile inputs.
#pragma once

#include <string>
#include <string_view>

namespace tuskd::testing {

inline std::string Printable(std::string_view text, size_t max = 300) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : text.substr(0, max)) {
    if (c >= 0x20 && c < 0x7f && c != '\\') {
      out.push_back(static_cast<char>(c));
    } else {
      out.append("\\x").append(1, kHex[c >> 4]).append(1, kHex[c & 0xf]);
    }
  }
  if (text.size() > max) out.append("... (" + std::to_string(text.size()) + " bytes)");
  return out;
}

}  // namespace tuskd::testing
