// Every error tuskd can answer a client with, in one table: its HTTP status, a stable
// machine-readable code and a human message. Read this file to know which statuses the server
// can send. Pure data; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tuskd::protocol {

enum class ErrorCode {
  // 400
  kBadRequest,             // malformed HTTP the parser refused
  kInvalidOffset,          // Upload-Offset missing or not a non-negative integer
  kInvalidLength,          // Upload-Length not a non-negative integer
  kMissingLength,          // neither Upload-Length nor Upload-Defer-Length: 1
  kLengthAndDefer,         // both Upload-Length and Upload-Defer-Length
  kInvalidDeferLength,     // Upload-Defer-Length other than 1
  kLengthAlreadySet,       // PATCH sets Upload-Length on an upload that has one
  kLengthBelowOffset,      // a deferred length set smaller than the bytes received
  kInvalidMetadata,        // Upload-Metadata malformed, duplicate key or bad base64
  kDuplicateHeader,        // a single-valued tus header sent twice
  kInvalidChecksumHeader,  // Upload-Checksum malformed
  kUnsupportedChecksum,    // Upload-Checksum algorithm not offered
  kInvalidConcat,          // Upload-Concat malformed or naming unusable parts
  kUploadInterrupted,      // this request was ended because a newer one took the upload
  kInvalidMethodOverride,  // X-HTTP-Method-Override names an unknown method
  // 403
  kConcatFinalPatch,  // PATCH to a final concatenated upload
  kAdminForbidden,    // /admin/ from a non-loopback peer or without the admin token
  kLookupForbidden,   // GET /predictions/<sha256> without the admin token (--prediction-lookup)
  // 404
  kNotFound,            // no such route
  kUploadNotFound,      // no such upload
  kPredictionNotFound,  // no prediction for this upload or hash (yet)
  // 405
  kMethodNotAllowed,
  // 408
  kRequestTimeout,  // head or body stalled past its timeout
  // 409
  kMismatchedOffset,  // Upload-Offset differs from the committed offset
  // 410
  kUploadExpired,
  kUploadTerminated,
  // 411
  kLengthRequired,  // a body with neither Content-Length nor chunked encoding
  // 412
  kUnsupportedVersion,  // Tus-Resumable missing or not 1.0.0
  // 413
  kMaxSizeExceeded,  // Upload-Length above --max-size
  kSizeExceeded,     // body would pass Upload-Length (or --max-size when deferred)
  // 415
  kInvalidContentType,  // PATCH body not application/offset+octet-stream
  // 416
  kRangeNotSatisfiable,
  // 423
  kUploadLocked,  // another request holds the upload and did not let go in time
  // 431
  kHeadersTooLarge,
  // 460
  kChecksumMismatch,
  // 500
  kInternal,
  // 501
  kNotImplemented,
  // 503
  kShuttingDown,
  // 507
  kInsufficientStorage,
  // IETF draft (draft-ietf-httpbis-resumable-upload; protocol/ietf_*.h)
  // 400
  kUnsupportedInteropVersion,  // Upload-Draft-Interop-Version other than 3, 5, 6, 8
  kInvalidUploadComplete,      // Upload-Complete (Upload-Incomplete) missing or not ?0 / ?1
  kInconsistentLength,         // Upload-Length, Content-Length and earlier lengths disagree
  kUploadCompleted,            // an append to an upload that is already complete
  kStateFieldNotAllowed,       // HEAD or DELETE carrying Upload-Offset or Upload-Complete
  // 415
  kPartialUploadContentType,  // an append body not labelled application/partial-upload
};

struct ErrorInfo {
  int status;
  std::string_view code;     // stable, e.g. "ERR_MISMATCHED_OFFSET"
  std::string_view message;  // human, one sentence
};

// The catalogue entry for `code`. Never fails: every enumerator has an entry.
const ErrorInfo& Describe(ErrorCode code);

// Every enumerator, for table tests and documentation.
const std::vector<ErrorCode>& AllErrorCodes();

using HeaderList = std::vector<std::pair<std::string, std::string>>;

// A refused request: what went wrong, an optional detail for the message, and headers the
// response must carry (409 carries the current Upload-Offset, 412 carries Tus-Version ...).
struct Failure {
  ErrorCode code;
  std::string detail;
  HeaderList headers;
};

}  // namespace tuskd::protocol
