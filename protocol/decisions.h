// The tus 1.0.0 rules: for each request, given its head and the upload's committed state, what
// the answer is, or what the store must do before answering. Pure functions over plain values;
// no sockets, no files, no clock reads (callers pass `now`). Thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "protocol/error_catalogue.h"
#include "protocol/header_parsers.h"
#include "protocol/request_head.h"
#include "protocol/response.h"
#include "protocol/upload_view.h"

namespace tuskd::protocol {

inline constexpr std::string_view kTusVersion = "1.0.0";
inline constexpr std::string_view kOffsetContentType = "application/offset+octet-stream";

// What this server offers; server/ fills it from its flags and the store's capabilities.
struct ServerPolicy {
  uint64_t max_size = 0;  // 0: no limit
  bool expiration = true;
  std::vector<std::string> checksum_algorithms = {"sha1", "sha256", "md5"};
  bool checksum_trailer = false;
  bool concatenation = false;
  size_t max_concat_parts = 256;  // the most part URLs one final may name
};

// Tus-Resumable must be present and 1.0.0 on every request but OPTIONS (412 with Tus-Version
// otherwise). nullopt when acceptable. GET is exempt too: downloads are not part of tus, and
// browsers follow download links without tus headers (tusd does the same). `method` is the
// effective one (after EffectiveMethod): a GET overridden to PATCH is a PATCH.
std::optional<Failure> CheckTusResumable(std::string_view method, const HeaderMap& headers);

// X-HTTP-Method-Override: the method to act as (upper case), or Failure 400 for an unknown one
// (kInvalidMethodOverride; an empty value is unknown too) or a repeated one (kDuplicateHeader).
// Without the header, `method` is returned unchanged: HTTP methods are case-sensitive.
std::variant<std::string, Failure> EffectiveMethod(std::string_view method,
                                                   const HeaderMap& headers);

// OPTIONS <base>: 204 with Tus-Version, Tus-Extension, Tus-Max-Size, Tus-Checksum-Algorithm.
Response DecideOptions(const ServerPolicy& policy);
// The Tus-Extension value derived from the policy, e.g. "creation,creation-with-upload,...".
std::string ExtensionList(const ServerPolicy& policy);

// POST <base>: creation, creation-defer-length, creation-with-upload, concatenation.
// Checks, in order: duplicate single-valued headers (400), Upload-Concat (501 when the policy
// has no concatenation, 400 when malformed), length headers (400), --max-size (413),
// Upload-Metadata (400), a body: Content-Type (415) and size (413), Upload-Checksum (400).
// A body whose Content-Type is not application/offset+octet-stream is refused with 415 (tusd
// ignores such a body instead; refusing keeps bytes from being silently dropped).
struct CreatePlan {
  std::optional<uint64_t> length;  // nullopt: deferred
  std::string metadata_raw;
  Metadata metadata;
  bool with_body = false;       // creation-with-upload: the body is a PATCH at offset 0
  uint64_t max_body_bytes = 0;  // how many body bytes fit (length, or max size if deferred)
  std::optional<ChecksumHeader> checksum;  // applies to the creation body
  // Concatenation (only with policy.concatenation). A final upload has no body and
  // `length == nullopt`, but it is NOT deferred: the caller resolves the part URLs, checks each
  // part is a complete partial upload (kInvalidConcat otherwise), sums their lengths and checks
  // the sum against max_size (kMaxSizeExceeded).
  bool concat_partial = false;
  std::vector<std::string> concat_part_urls;  // non-empty exactly for a final upload
};
std::variant<CreatePlan, Failure> DecideCreate(const RequestHead& head, const ServerPolicy& policy);
// 201 with Location, and Upload-Offset/Upload-Expires for the upload as it now stands
// (Upload-Expires only while it is unfinished and has an expiry).
Response CreatedResponse(const UploadView& upload, std::string_view location);

// Refuses requests on uploads that are gone: 410 for expired and terminated.
std::optional<Failure> CheckUsable(const UploadView& upload);

// HEAD <base><id>: 200 with Upload-Offset, Upload-Length or Upload-Defer-Length: 1,
// Upload-Metadata, Upload-Expires, Upload-Concat, Upload-Sha256 (once complete),
// Cache-Control: no-store; never a body.
std::variant<Response, Failure> DecideHead(const UploadView& upload, const ServerPolicy& policy);

// PATCH <base><id>: Content-Type, Upload-Offset == committed offset (409 with the current
// offset), Upload-Length for deferred uploads, Content-Length within what is left (413).
// Checks, in order (tusd's, with the 410s first): gone (410), duplicate headers (400),
// Content-Type (415), Upload-Offset malformed (400), final concatenation (403), offset mismatch
// (409), Upload-Length (400/413), Content-Length (413), Upload-Checksum (400).
struct PatchPlan {
  uint64_t offset = 0;
  std::optional<uint64_t> set_length;  // deferred length being declared by this request
  uint64_t max_body_bytes = 0;         // bytes the body may carry before 413
  std::optional<ChecksumHeader> checksum;
};
std::variant<PatchPlan, Failure> DecidePatch(const RequestHead& head, const UploadView& upload,
                                             const ServerPolicy& policy);
// 204 with the new Upload-Offset (and Upload-Expires while unfinished, if policy.expiration).
Response PatchedResponse(const UploadView& upload, const ServerPolicy& policy);

// DELETE <base><id>: termination. 204 on success.
std::optional<Failure> DecideDelete(const UploadView& upload);
Response DeletedResponse();

// GET <base><id>: the committed bytes (all of a complete upload, or the prefix received so far)
// with a safe Content-Type (from `filetype` metadata only when on an allow-list, else
// application/octet-stream + Content-Disposition: attachment with `filename`), nosniff,
// Accept-Ranges, and a single Range (206/416).
struct DownloadPlan {
  uint64_t first = 0;
  uint64_t count = 0;
  Response head;  // status 200 or 206 and its headers, empty body: the caller streams the bytes
};
std::variant<DownloadPlan, Failure> DecideDownload(const RequestHead& head,
                                                   const UploadView& upload);

}  // namespace tuskd::protocol
