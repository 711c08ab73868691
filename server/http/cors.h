// CORS for browser clients (tus-js-client, Uppy): allowed origins from --cors-origins, the
// preflight answer, and Access-Control-Expose-Headers listing every tus header so scripts can
// read them. Pure functions.
#pragma once

#include <optional>

#include "protocol/request_head.h"
#include "protocol/response.h"
#include "server/server_config.h"

namespace tuskd::server {

// Adds Access-Control-Allow-Origin (the request's Origin when allowed), Vary and
// Access-Control-Expose-Headers to a response. Nothing when there is no allowed Origin.
void AddCorsHeaders(const ServerConfig& config, const protocol::RequestHead& head,
                    protocol::HeaderList& headers);

// The answer to a CORS preflight (OPTIONS with Origin and Access-Control-Request-Method), or
// nullopt when the request is not one.
std::optional<protocol::Response> PreflightResponse(const ServerConfig& config,
                                                    const protocol::RequestHead& head);

}  // namespace tuskd::server
