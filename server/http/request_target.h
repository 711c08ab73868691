// Request-target handling (RFC 9112 section 3.2): origin-form and absolute-form targets reduce
// to a path without query; and the public base URL for Location headers, which may come from
// proxy headers when the operator trusts them. Pure functions.
#pragma once

#include <string>
#include <string_view>

#include "protocol/request_head.h"

namespace tuskd::server {

// "/files/x?y" -> "/files/x"; "http://host:1/files/x" -> "/files/x"; "*" -> "*".
std::string OriginPath(std::string_view target);

// "scheme://host" for URLs sent back to the client. `own_scheme` ("http" or "https") is how the
// client reached us. With `behind_proxy`, Forwarded (host=, proto=) then X-Forwarded-Host /
// X-Forwarded-Proto win over Host and it.
std::string PublicOrigin(const protocol::HeaderMap& headers, bool behind_proxy,
                         std::string_view own_scheme);

}  // namespace tuskd::server
