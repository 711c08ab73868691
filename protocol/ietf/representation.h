// Metadata for a draft upload created without Upload-Metadata: the draft's creation request
// carries the file itself, so its representation headers say what the file is (URLSession
// sends them; tusd maps them too). Content-Type becomes `filetype` and Content-Disposition's
// `filename` parameter becomes `filename`, so downloads get the same safe Content-Type and
// attachment name as tus uploads. Pure functions; thread-safe.
#pragma once

#include <string>

#include "protocol/header_parsers.h"
#include "protocol/request_head.h"

namespace tuskd::protocol {

// `filetype` (the media type, lower case, without parameters; not for the protocol's own
// application/partial-upload and application/offset+octet-stream) and `filename` (RFC 6266:
// `filename*` decoded to UTF-8 when it can be, else `filename`), each only when present and
// non-empty.
Metadata RepresentationMetadata(const HeaderMap& headers);

// Upload-Metadata text for `metadata` ("key base64value,...", keys in order).
std::string SerializeMetadata(const Metadata& metadata);

}  // namespace tuskd::protocol
