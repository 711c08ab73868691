// PATCH <base><id>: the core of tus. Every refusal here happens before any body byte is stored.
#include <limits>
#include <utility>

#include "protocol/decisions.h"
#include "protocol/shared_rules.h"

namespace tuskd::protocol {
namespace {

// Upload-Length sent with a PATCH: declares a deferred length. On an upload whose length is
// known, repeating that same length is harmless and accepted; a different one is refused.
std::variant<std::optional<uint64_t>, Failure> DecideSetLength(const HeaderMap& headers,
                                                               const UploadView& upload,
                                                               const ServerPolicy& policy) {
  std::optional<std::string_view> value = headers.Get("Upload-Length");
  if (!value) return std::optional<uint64_t>();
  std::optional<uint64_t> length = ParseUnsigned(*value);
  if (!length) return Fail(ErrorCode::kInvalidLength);
  if (upload.length) {
    if (*length == *upload.length) return std::optional<uint64_t>();
    return Fail(ErrorCode::kLengthAlreadySet, "length is " + std::to_string(*upload.length));
  }
  if (*length < upload.offset) {
    return Fail(ErrorCode::kLengthBelowOffset, std::to_string(upload.offset) + " bytes received");
  }
  if (policy.max_size > 0 && *length > policy.max_size) return Fail(ErrorCode::kMaxSizeExceeded);
  return length;
}

// Bytes the upload can still take: up to its length, or up to --max-size while deferred.
uint64_t RemainingBytes(std::optional<uint64_t> length, uint64_t offset,
                        const ServerPolicy& policy) {
  if (length) return *length > offset ? *length - offset : 0;
  if (policy.max_size > 0) return policy.max_size > offset ? policy.max_size - offset : 0;
  return std::numeric_limits<uint64_t>::max();
}

Failure MismatchedOffset(uint64_t current, uint64_t sent) {
  std::string current_text = std::to_string(current);
  return Failure{ErrorCode::kMismatchedOffset,
                 "upload is at " + current_text + ", request sent " + std::to_string(sent),
                 {{"Upload-Offset", current_text}}};
}

}  // namespace

std::variant<PatchPlan, Failure> DecidePatch(const RequestHead& head, const UploadView& upload,
                                             const ServerPolicy& policy) {
  if (auto gone = CheckUsable(upload)) return std::move(*gone);
  if (auto duplicate = CheckSingleValuedHeaders(head.headers)) return std::move(*duplicate);
  if (!IsOffsetContentType(head.headers.Get("Content-Type").value_or(""))) {
    return Fail(ErrorCode::kInvalidContentType);
  }
  std::optional<uint64_t> offset = ParseUnsigned(head.headers.Get("Upload-Offset").value_or(""));
  if (!offset) return Fail(ErrorCode::kInvalidOffset);
  if (upload.concat_final) return Fail(ErrorCode::kConcatFinalPatch);
  if (*offset != upload.offset) return MismatchedOffset(upload.offset, *offset);

  PatchPlan plan;
  plan.offset = *offset;
  auto set_length = DecideSetLength(head.headers, upload, policy);
  if (auto* failure = std::get_if<Failure>(&set_length)) return std::move(*failure);
  plan.set_length = std::get<std::optional<uint64_t>>(set_length);
  plan.max_body_bytes =
      RemainingBytes(plan.set_length ? plan.set_length : upload.length, plan.offset, policy);
  // A chunked body has no Content-Length; the caller stops it at max_body_bytes instead.
  if (head.content_length.value_or(0) > plan.max_body_bytes) {
    return Fail(ErrorCode::kSizeExceeded,
                std::to_string(plan.max_body_bytes) + " bytes left in the upload");
  }
  auto checksum = RequestChecksum(head.headers, policy);
  if (auto* failure = std::get_if<Failure>(&checksum)) return std::move(*failure);
  plan.checksum = std::move(std::get<std::optional<ChecksumHeader>>(checksum));
  return plan;
}

Response PatchedResponse(const UploadView& upload, const ServerPolicy& policy) {
  Response response;
  response.status = 204;
  response.headers.emplace_back("Upload-Offset", std::to_string(upload.offset));
  if (policy.expiration) AddUploadExpires(upload, response.headers);
  return response;
}

}  // namespace tuskd::protocol
