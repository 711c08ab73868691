#include "protocol/request_head.h"

#include <algorithm>
#include <cctype>

namespace tuskd::protocol {

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](unsigned char x, unsigned char y) {
           return std::tolower(x) == std::tolower(y);
         });
}

void HeaderMap::Add(std::string name, std::string value) {
  fields_.emplace_back(std::move(name), std::move(value));
}

std::optional<std::string_view> HeaderMap::Get(std::string_view name) const {
  for (const auto& [key, value] : fields_) {
    if (EqualsIgnoreCase(key, name)) return std::string_view(value);
  }
  return std::nullopt;
}

size_t HeaderMap::Count(std::string_view name) const {
  return std::count_if(fields_.begin(), fields_.end(),
                       [&](const auto& field) { return EqualsIgnoreCase(field.first, name); });
}

}  // namespace tuskd::protocol
