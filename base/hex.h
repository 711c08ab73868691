// Lower-case hexadecimal, the one spelling tuskd writes (SHA-256 digests, upload ids, the admin
// token), and its decoding (any case, as clients send digests). Pure functions; thread-safe.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace tuskd {

std::string ToHex(std::span<const unsigned char> bytes);
std::string ToHex(std::string_view bytes);
// nullopt for an odd length or a character that is not a hex digit.
std::optional<std::string> FromHex(std::string_view hex);
// 0-15 for '0'-'9', 'a'-'f', 'A'-'F'; -1 for anything else.
int HexDigitValue(char c);

}  // namespace tuskd
