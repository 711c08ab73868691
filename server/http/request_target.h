// Request-target handling (RFC 9112 section 3.2): origin-form and absolute-form targets reduce
// to a path without query; and the public base URL for Location headers, which may come from
// proxy headers when the operator trusts them. Pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "protocol/request_head.h"

namespace tuskd::server {

// "/files/x?y" -> "/files/x"; "http://host:1/files/x" -> "/files/x"; "*" -> "*".
std::string OriginPath(std::string_view target);

// Why a request's Host fields are refused (RFC 9112 section 3.2: 400 for an HTTP/1.1 request
// without Host, for any request with more than one, and for one whose value is not
// uri-host [":" port]); nullopt when they are fine. `version` is Beast's 10 or 11.
std::optional<std::string> HostProblem(const protocol::HeaderMap& headers, unsigned version);

// "scheme://host" for URLs sent back to the client. `own_scheme` ("http" or "https") is how the
// client reached us. With `behind_proxy`, Forwarded (host=, proto=) then X-Forwarded-Host /
// X-Forwarded-Proto win over Host and it.
std::string PublicOrigin(const protocol::HeaderMap& headers, bool behind_proxy,
                         std::string_view own_scheme);

}  // namespace tuskd::server
