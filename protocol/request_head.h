// A request's method, target and headers as plain values: what protocol/ decides on.
// server/ builds one from Beast's parsed head; tests build them by hand. Immutable after
// construction, so safe to share between threads.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tuskd::protocol {

// Header fields in arrival order with case-insensitive lookup. Small (a request has a dozen
// headers), so a vector beats a hash map.
class HeaderMap {
 public:
  void Add(std::string name, std::string value);
  // The first value of `name`, compared case-insensitively; nullopt when absent.
  std::optional<std::string_view> Get(std::string_view name) const;
  bool Has(std::string_view name) const { return Get(name).has_value(); }
  // How many fields are named `name` (duplicates of single-valued tus headers are errors).
  size_t Count(std::string_view name) const;
  const std::vector<std::pair<std::string, std::string>>& fields() const { return fields_; }

 private:
  std::vector<std::pair<std::string, std::string>> fields_;
};

struct RequestHead {
  std::string method;  // upper case, after X-HTTP-Method-Override was applied
  std::string path;    // origin-form path without query, e.g. "/files/abc"
  HeaderMap headers;
  // Body framing as the HTTP layer saw it.
  std::optional<uint64_t> content_length;  // nullopt for chunked or no body
  bool chunked = false;
  bool has_body() const { return chunked || content_length.value_or(0) > 0; }
};

bool EqualsIgnoreCase(std::string_view a, std::string_view b);

}  // namespace tuskd::protocol
