#include "protocol/error_catalogue.h"

#include <array>
#include <cstddef>

namespace tuskd::protocol {
namespace {

struct CatalogueEntry {
  ErrorCode code;
  ErrorInfo info;
};

// In enumerator order, so Describe() is an index; the static_assert below keeps it that way.
// Codes are "ERR_" + the enumerator name in upper snake case (tests/protocol checks this).
constexpr std::array kCatalogue = {
    CatalogueEntry{ErrorCode::kBadRequest,
                   {400, "ERR_BAD_REQUEST", "The request is not valid HTTP."}},
    CatalogueEntry{
        ErrorCode::kInvalidOffset,
        {400, "ERR_INVALID_OFFSET", "Upload-Offset is missing or not a non-negative integer."}},
    CatalogueEntry{ErrorCode::kInvalidLength,
                   {400, "ERR_INVALID_LENGTH", "Upload-Length is not a non-negative integer."}},
    CatalogueEntry{
        ErrorCode::kMissingLength,
        {400, "ERR_MISSING_LENGTH", "Either Upload-Length or Upload-Defer-Length: 1 is required."}},
    CatalogueEntry{ErrorCode::kLengthAndDefer,
                   {400, "ERR_LENGTH_AND_DEFER",
                    "Upload-Length and Upload-Defer-Length must not be sent together."}},
    CatalogueEntry{ErrorCode::kInvalidDeferLength,
                   {400, "ERR_INVALID_DEFER_LENGTH", "Upload-Defer-Length must be 1."}},
    CatalogueEntry{ErrorCode::kLengthAlreadySet,
                   {400, "ERR_LENGTH_ALREADY_SET",
                    "The upload already has a different length, which cannot change."}},
    CatalogueEntry{ErrorCode::kLengthBelowOffset,
                   {400, "ERR_LENGTH_BELOW_OFFSET",
                    "Upload-Length is smaller than the bytes already received."}},
    CatalogueEntry{ErrorCode::kInvalidMetadata,
                   {400, "ERR_INVALID_METADATA",
                    "Upload-Metadata is malformed, repeats a key or holds invalid base64."}},
    CatalogueEntry{
        ErrorCode::kDuplicateHeader,
        {400, "ERR_DUPLICATE_HEADER", "A single-valued header was sent more than once."}},
    CatalogueEntry{ErrorCode::kInvalidChecksumHeader,
                   {400, "ERR_INVALID_CHECKSUM_HEADER",
                    "Upload-Checksum must be an algorithm name, one space and a base64 digest."}},
    CatalogueEntry{ErrorCode::kUnsupportedChecksum,
                   {400, "ERR_UNSUPPORTED_CHECKSUM",
                    "The Upload-Checksum algorithm is not one listed in Tus-Checksum-Algorithm."}},
    CatalogueEntry{ErrorCode::kInvalidConcat,
                   {400, "ERR_INVALID_CONCAT",
                    "Upload-Concat is malformed or names parts that cannot be concatenated."}},
    CatalogueEntry{ErrorCode::kUploadInterrupted,
                   {400, "ERR_UPLOAD_INTERRUPTED",
                    "This request was ended because a newer request took over the upload."}},
    CatalogueEntry{ErrorCode::kInvalidMethodOverride,
                   {400, "ERR_INVALID_METHOD_OVERRIDE",
                    "X-HTTP-Method-Override names a method this server does not handle."}},
    CatalogueEntry{
        ErrorCode::kConcatFinalPatch,
        {403, "ERR_CONCAT_FINAL_PATCH", "A final concatenated upload cannot be written to."}},
    CatalogueEntry{ErrorCode::kAdminForbidden,
                   {403, "ERR_ADMIN_FORBIDDEN",
                    "Admin endpoints answer only local callers that present the admin token."}},
    CatalogueEntry{ErrorCode::kLookupForbidden,
                   {403, "ERR_LOOKUP_FORBIDDEN",
                    "Looking a prediction up by content hash needs the admin token."}},
    CatalogueEntry{ErrorCode::kNotFound, {404, "ERR_NOT_FOUND", "Nothing exists at this path."}},
    CatalogueEntry{ErrorCode::kUploadNotFound,
                   {404, "ERR_UPLOAD_NOT_FOUND", "The upload does not exist."}},
    CatalogueEntry{ErrorCode::kPredictionNotFound,
                   {404, "ERR_PREDICTION_NOT_FOUND",
                    "There is no prediction for this content; an upload gets one once complete."}},
    CatalogueEntry{ErrorCode::kMethodNotAllowed,
                   {405, "ERR_METHOD_NOT_ALLOWED", "This method is not allowed on this resource."}},
    CatalogueEntry{ErrorCode::kRequestTimeout,
                   {408, "ERR_REQUEST_TIMEOUT", "The request head or body stalled for too long."}},
    CatalogueEntry{ErrorCode::kMismatchedOffset,
                   {409, "ERR_MISMATCHED_OFFSET",
                    "Upload-Offset does not match the upload's current offset."}},
    CatalogueEntry{ErrorCode::kUploadExpired,
                   {410, "ERR_UPLOAD_EXPIRED", "The upload has expired."}},
    CatalogueEntry{ErrorCode::kUploadTerminated,
                   {410, "ERR_UPLOAD_TERMINATED", "The upload has been terminated."}},
    CatalogueEntry{ErrorCode::kLengthRequired,
                   {411, "ERR_LENGTH_REQUIRED",
                    "A request body needs Content-Length or chunked transfer encoding."}},
    CatalogueEntry{ErrorCode::kUnsupportedVersion,
                   {412, "ERR_UNSUPPORTED_VERSION",
                    "Tus-Resumable is missing or names a version this server does not support."}},
    CatalogueEntry{
        ErrorCode::kMaxSizeExceeded,
        {413, "ERR_MAX_SIZE_EXCEEDED", "The upload is larger than this server accepts."}},
    CatalogueEntry{ErrorCode::kSizeExceeded,
                   {413, "ERR_SIZE_EXCEEDED",
                    "The request body would pass the upload's length or the server's limit."}},
    CatalogueEntry{ErrorCode::kInvalidContentType,
                   {415, "ERR_INVALID_CONTENT_TYPE",
                    "The request body must be sent as application/offset+octet-stream."}},
    CatalogueEntry{ErrorCode::kRangeNotSatisfiable,
                   {416, "ERR_RANGE_NOT_SATISFIABLE",
                    "The requested range lies outside the bytes available."}},
    CatalogueEntry{ErrorCode::kUploadLocked,
                   {423, "ERR_UPLOAD_LOCKED",
                    "Another request holds the upload and did not release it in time."}},
    CatalogueEntry{ErrorCode::kHeadersTooLarge,
                   {431, "ERR_HEADERS_TOO_LARGE", "The request headers are too large."}},
    CatalogueEntry{
        ErrorCode::kChecksumMismatch,
        {460, "ERR_CHECKSUM_MISMATCH", "The request body does not match Upload-Checksum."}},
    CatalogueEntry{ErrorCode::kInternal,
                   {500, "ERR_INTERNAL", "The server failed to handle the request."}},
    CatalogueEntry{
        ErrorCode::kNotImplemented,
        {501, "ERR_NOT_IMPLEMENTED", "This server does not offer the requested feature."}},
    CatalogueEntry{ErrorCode::kShuttingDown,
                   {503, "ERR_SHUTTING_DOWN", "The server is shutting down; retry shortly."}},
    CatalogueEntry{ErrorCode::kInsufficientStorage,
                   {507, "ERR_INSUFFICIENT_STORAGE", "The server has no room to store more data."}},
    // IETF draft
    CatalogueEntry{
        ErrorCode::kUnsupportedInteropVersion,
        {400, "ERR_UNSUPPORTED_INTEROP_VERSION",
         "Upload-Draft-Interop-Version names a draft version this server does not speak."}},
    CatalogueEntry{
        ErrorCode::kInvalidUploadComplete,
        {400, "ERR_INVALID_UPLOAD_COMPLETE",
         "Upload-Complete (Upload-Incomplete for version 3) is missing or not ?0 or ?1."}},
    CatalogueEntry{
        ErrorCode::kInconsistentLength,
        {400, "ERR_INCONSISTENT_LENGTH",
         "The request's length disagrees with the upload's declared length or with itself."}},
    CatalogueEntry{
        ErrorCode::kUploadCompleted,
        {400, "ERR_UPLOAD_COMPLETED", "The upload is already complete and cannot be appended to."}},
    CatalogueEntry{
        ErrorCode::kStateFieldNotAllowed,
        {400, "ERR_STATE_FIELD_NOT_ALLOWED",
         "This request must not carry Upload-Offset, Upload-Complete or Upload-Length."}},
    CatalogueEntry{ErrorCode::kPartialUploadContentType,
                   {415, "ERR_PARTIAL_UPLOAD_CONTENT_TYPE",
                    "An append must be sent as application/partial-upload."}},
};

constexpr bool CatalogueIsInEnumOrder() {
  for (size_t i = 0; i < kCatalogue.size(); ++i) {
    if (static_cast<size_t>(kCatalogue[i].code) != i) return false;
  }
  return kCatalogue.size() == static_cast<size_t>(ErrorCode::kPartialUploadContentType) + 1;
}
static_assert(CatalogueIsInEnumOrder(), "kCatalogue must list every ErrorCode in enum order");

}  // namespace

const ErrorInfo& Describe(ErrorCode code) { return kCatalogue[static_cast<size_t>(code)].info; }

const std::vector<ErrorCode>& AllErrorCodes() {
  static const std::vector<ErrorCode>* const codes = [] {
    auto* all = new std::vector<ErrorCode>();
    for (const CatalogueEntry& entry : kCatalogue) all->push_back(entry.code);
    return all;
  }();
  return *codes;
}

}  // namespace tuskd::protocol
