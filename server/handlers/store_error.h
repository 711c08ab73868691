// The client-facing error for a store failure: the one place a Status from store/ becomes a
// protocol ErrorCode (and so an HTTP status, protocol/error_catalogue.h). A pure function.
#pragma once

#include "base/status.h"
#include "protocol/error_catalogue.h"

namespace tuskd::server {

// NotFound -> 404, NoSpace -> 507, Busy -> 423, anything else -> 500.
protocol::ErrorCode ErrorFor(const Status& status);

}  // namespace tuskd::server
