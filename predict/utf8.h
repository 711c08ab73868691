// UTF-8 validation for the predictors: metadata and program output are untrusted bytes, and
// nlohmann::json::dump throws on invalid UTF-8, so text is checked or repaired before it goes
// into a JSON value. Pure functions; safe from any thread.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace tuskd::predict {

// The length of the longest prefix of `bytes` that is valid UTF-8 (RFC 3629: no overlongs, no
// surrogates, nothing above U+10FFFF).
size_t ValidUtf8Prefix(std::string_view bytes);
// `bytes` with each invalid sequence replaced by U+FFFD.
std::string ToValidUtf8(std::string_view bytes);

}  // namespace tuskd::predict
