// Client helpers for the concatenation tests: partial uploads, final uploads over them, and
// the path a 201 names. Blocking, one call at a time per thread (RawClient underneath).
#pragma once

#include <optional>
#include <string>

#include <gtest/gtest.h>

#include "tests/server/raw_client.h"

namespace tuskd::server::testing {

inline HeaderFields With(HeaderFields fields, const HeaderFields& more) {
  fields.insert(fields.end(), more.begin(), more.end());
  return fields;
}

// A partial upload of `length` bytes (nullopt: deferred) holding `content` so far.
inline std::string NewPart(uint16_t port, std::optional<uint64_t> length,
                           const std::string& content) {
  CreatedUpload created = CreateUpload(port, length, {{"Upload-Concat", "partial"}});
  EXPECT_EQ(created.response.status, 201) << created.response.error << created.response.body;
  if (!content.empty()) {
    HttpResponse patched = Exchange(port, "PATCH", created.path, PatchHeaders(0), content);
    EXPECT_EQ(patched.status, 204) << patched.error << patched.body;
  }
  return created.path;
}

inline HttpResponse PostFinal(uint16_t port, const std::string& parts,
                              const HeaderFields& extra = {}) {
  return Exchange(port, "POST", "/files/",
                  With(kTusHeaders, With({{"Upload-Concat", "final;" + parts}}, extra)));
}

inline std::string PathOf(const HttpResponse& created) {
  std::string location = created.Header("Location").value_or("");
  size_t path = location.find("/files/");
  return path == std::string::npos ? "" : location.substr(path);
}

}  // namespace tuskd::server::testing
