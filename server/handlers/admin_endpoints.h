// The admin API behind tuskctl's mutating commands while tuskd runs, so that the store keeps one
// writer (tuskctl acts directly only on a stopped store):
//   GET    /admin/expired          200 {"expired": [ids], "dry_run": true}   what a purge would do
//   POST   /admin/purge-expired    200 {"expired": [ids], "dry_run": false}
//   DELETE /admin/uploads/<id>     204, exactly as a tus DELETE (takes the lease; 404, 410, 423)
// Served only to loopback peers that present the token from <data-dir>/admin.json as
// "Authorization: Bearer <token>"; anyone else gets 403. Loopback alone is not enough: a
// reverse proxy on the same host forwards the whole internet from 127.0.0.1, and a browser on
// this host will send a web page's requests there too. ServeAdmin runs on the exchange's
// coroutine; the token functions are pure and thread-safe.
#pragma once

#include <string>
#include <string_view>

#include <boost/asio/awaitable.hpp>

#include "protocol/request_head.h"
#include "server/http/exchange.h"

namespace tuskd::server {

// The token this process published in <data_dir>/admin.json, which is where it lives (no copy
// is kept, so the file stays the one truth tuskctl also reads); "" when the file is missing or
// belongs to another process. Reads a small file: admin requests are rare.
std::string PublishedAdminToken(const std::string& data_dir);

// Constant-time check of "Authorization: Bearer <token>". Always false for an empty token.
bool AdminTokenMatches(const protocol::HeaderMap& headers, std::string_view token);

// Serves `method` on /admin/<sub>.
boost::asio::awaitable<void> ServeAdmin(Exchange& exchange, const std::string& method,
                                        const std::string& sub);

}  // namespace tuskd::server
