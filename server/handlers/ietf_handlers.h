// The handlers for requests that speak the IETF resumable-upload draft (they carry
// Upload-Draft-Interop-Version): creation by POST to the collection with a 104 interim response,
// offset retrieval by HEAD, append by PATCH, cancellation by DELETE, OPTIONS. They serve the same
// upload records as the tus handlers (server/handlers/tus_handlers.h), share their body streaming
// (server/handlers/body_receiver.h) and lease hand-over (server/handlers/upload_lease.h: a new
// request for an upload ends the one still writing it, as the draft recommends), and ask
// protocol/ietf_*.h for every decision. Each runs on its exchange's coroutine.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <string>

#include "server/http/exchange.h"
#include "server/http/router.h"

namespace tuskd::server {

// Serves a draft request on the upload collection or on one upload (`route.kind` kCollection or
// kUpload). An interop version tuskd does not speak is answered 400. Downloads (GET) are the
// same for draft and tus uploads and go to the tus download handler.
boost::asio::awaitable<void> ServeIetfDraft(Exchange& exchange, const std::string& method,
                                            const Route& route);

}  // namespace tuskd::server
