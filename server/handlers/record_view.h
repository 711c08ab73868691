// The protocol's view of a stored upload: the plain UploadView the tus and IETF rules decide on
// (protocol/upload_view.h), made from the store's record. A pure function.
#pragma once

#include "protocol/upload_view.h"
#include "store/upload_record.h"

namespace tuskd::server {

protocol::UploadView ToView(const store::UploadRecord& record);

}  // namespace tuskd::server
