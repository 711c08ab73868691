// RFC 8187 ext-values, the `filename*=UTF-8''na%C3%AFve.txt` form of a header parameter that
// carries characters outside ASCII (RFC 6266 Content-Disposition uses it; browsers and URLSession
// send it for such names). Pure function; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace tuskd::protocol {

// The value of an ext-value (charset'language'value-chars) as UTF-8: percent-decoded, and
// converted from ISO-8859-1 when that is its charset. nullopt for any other charset, a malformed
// value, or one that decodes to control characters.
std::optional<std::string> DecodeExtValue(std::string_view text);

}  // namespace tuskd::protocol
