// Translations between the store's values and the protocol's: a record becomes the plain
// UploadView the tus rules decide on, and a store failure becomes the client-facing error.
#pragma once

#include <cstdint>

#include "base/status.h"
#include "protocol/error_catalogue.h"
#include "protocol/upload_view.h"
#include "store/upload_record.h"

namespace tuskd::server {

protocol::UploadView ToView(const store::UploadRecord& record);
// NotFound -> 404, NoSpace -> 507, Busy -> 423, anything else -> 500.
protocol::ErrorCode ErrorFor(const Status& status);

}  // namespace tuskd::server
