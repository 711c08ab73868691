// The draft's rules (draft-ietf-httpbis-resumable-upload) for each request on the upload
// resources, given the request head, the interop version's traits and the upload's committed
// state: what the answer is, or what the store must do first. A draft upload is an ordinary
// upload record, so tus requests work on it too and the other way round. Pure functions over
// plain values (callers pass `now`, unix seconds); thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "protocol/decisions.h"
#include "protocol/ietf/problem.h"
#include "protocol/ietf/version.h"

namespace tuskd::protocol {

// Where a body may stop and what passing that point means.
struct IetfBodyLimit {
  uint64_t max_bytes = 0;
  // True when the limit is the upload's known length: passing it is an inconsistent length
  // (400). False when it is the server's --max-size: passing it is 413 with Upload-Limit.
  bool is_length = false;
};

// POST <base> with Upload-Complete (Upload-Incomplete in version 3): upload creation.
// Checks, in order: the completeness field (400; required except in version 3, where its absence
// means complete), duplicate headers (400), Upload-Length (400), lengths that disagree (400:
// Upload-Length against Content-Length when the request completes the upload, or a body longer
// than Upload-Length), --max-size (413), Upload-Metadata (400; tus-js-client sends it).
struct IetfCreatePlan {
  bool completes = false;          // this request's content is all of the upload
  std::optional<uint64_t> length;  // Upload-Length, or Content-Length when `completes`
  // `completes` with a chunked body and no Upload-Length: the length is what the body brings.
  bool length_from_body = false;
  std::string metadata_raw;
  Metadata metadata;
  IetfBodyLimit limit;
};
std::variant<IetfCreatePlan, IetfFailure> DecideIetfCreate(const RequestHead& head,
                                                           const IetfDraft& draft,
                                                           const ServerPolicy& policy);

// PATCH <base><id>: upload append. Checks, in order: gone (404: the drafts' "not active"),
// Content-Type application/partial-upload on a body (415, versions 6 and 8), duplicate headers
// (400), Upload-Offset (400), the completeness field (400; required in version 8, and its absence
// means "complete" in 3 and "not complete" in 5 and 6, as those drafts read), Upload-Length
// (400), a final concatenated upload (403), offset mismatch (409), an upload that is already
// complete (400: completed-upload, or for bytes in version 8 inconsistent length; an empty append
// that completes it again is answered as a success, since it asks for the state it has), lengths
// that disagree (400), --max-size (413).
struct IetfAppendPlan {
  uint64_t offset = 0;
  bool completes = false;
  std::optional<uint64_t> set_length;  // a length this request fixes on a deferred upload
  bool length_from_body = false;       // `completes`, chunked, no length known: fixed at the end
  bool already_complete = false;       // nothing to write: answer as for a completing append
  IetfBodyLimit limit;
};
// The checks of DecideIetfAppend that need only the request (media type, duplicates, field
// syntax). The draft's concurrency rule ends a request still writing the upload before a new one
// is decided on its state; these let a malformed request be refused without ending anything.
std::optional<IetfFailure> CheckIetfAppendRequest(const RequestHead& head, const IetfDraft& draft);
std::variant<IetfAppendPlan, IetfFailure> DecideIetfAppend(const RequestHead& head,
                                                           const IetfDraft& draft,
                                                           const UploadView& upload,
                                                           const ServerPolicy& policy);

// Versions 3, 5 and 6 forbid Upload-Offset and the completeness field (and, in 6, Upload-Length)
// on HEAD and DELETE: 400 kStateFieldNotAllowed. nullopt when the request is acceptable.
std::optional<IetfFailure> CheckNoStateFields(const RequestHead& head, const IetfDraft& draft);

// 404 for an upload that is gone (terminated or expired): the drafts answer "not active" so.
std::optional<IetfFailure> CheckActive(const UploadView& upload);

// HEAD <base><id>: 204 with Upload-Offset, the completeness field, Upload-Length when known
// (versions 6, 8), Upload-Limit (6, 8) and Cache-Control: no-store; 404 when gone.
std::variant<Response, IetfFailure> DecideIetfHead(const IetfDraft& draft, const UploadView& upload,
                                                   const ServerPolicy& policy, int64_t now);

// OPTIONS with the interop field: tus' OPTIONS answer plus Upload-Limit (6, 8) and
// Accept-Patch: application/partial-upload (8).
Response IetfOptionsResponse(const IetfDraft& draft, const ServerPolicy& policy);

// The headers of the 104 (Upload Resumption Supported) interim response to a creation:
// Upload-Draft-Interop-Version, Location and Upload-Limit (6, 8).
HeaderList IetfInterimHeaders(const IetfDraft& draft, const UploadView& upload,
                              std::string_view location, const ServerPolicy& policy, int64_t now);

// The final answer to a creation that went through, complete or not: 201 with Location,
// Upload-Offset, the completeness field, Upload-Length (6, 8) and Upload-Limit (6, 8).
Response IetfCreatedResponse(const IetfDraft& draft, const UploadView& upload,
                             std::string_view location, const ServerPolicy& policy, int64_t now);

// The answer to an append that went through: 201 in versions 3, 5, 6; in 8, 204 while the upload
// is unfinished and 200 once complete. Upload-Offset and the completeness field always (every
// client we know reads Upload-Offset, and version 8 asks for the completeness field).
Response IetfAppendedResponse(const IetfDraft& draft, const UploadView& upload);

}  // namespace tuskd::protocol
