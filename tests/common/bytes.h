// A string literal or string as the byte span the file and writer interfaces take.
#pragma once

#include <span>
#include <string_view>

namespace tuskd {

inline std::span<const char> Bytes(std::string_view text) { return {text.data(), text.size()}; }

}  // namespace tuskd
