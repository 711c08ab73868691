// POST <base> with `Upload-Concat: final;<urls>`: resolves the part URLs to this server's
// uploads, checks them (protocol/concat_rules.h), creates the final upload and, when every part
// is already complete, joins it before answering, so the 201 reports it complete (as tusd
// does). A final over unfinished parts (concatenation-unfinished) is answered at once and
// joined by the store's ConcatJoiner when its last part completes. Runs on the exchange's
// coroutine.
#pragma once

#include <boost/asio/awaitable.hpp>

#include "protocol/decisions.h"
#include "server/http/exchange.h"

namespace tuskd::server {

boost::asio::awaitable<void> HandleCreateFinal(Exchange& exchange, protocol::CreatePlan plan);

// A final upload's length as HEAD reports it: its record's, or, while its parts are not joined,
// their sum once each part's length is known (parts may have deferred theirs). nullopt else.
// Point reads of the parts' records, inline (server/handlers/store_calls.h).
std::optional<uint64_t> FinalLengthNow(Services& services, const store::UploadRecord& final_upload);

}  // namespace tuskd::server
