// POST <base>: creation, creation-defer-length, creation-with-upload and concatenation.
#include <limits>
#include <utility>

#include "protocol/decisions.h"
#include "protocol/shared_rules.h"

namespace tuskd::protocol {
namespace {

// Upload-Length xor Upload-Defer-Length: the length, or nullopt when deferred.
std::variant<std::optional<uint64_t>, Failure> DecideLength(const HeaderMap& headers) {
  std::optional<std::string_view> length = headers.Get("Upload-Length");
  std::optional<std::string_view> defer = headers.Get("Upload-Defer-Length");
  if (length && defer) return Fail(ErrorCode::kLengthAndDefer);
  if (defer) {
    if (*defer != "1") return Fail(ErrorCode::kInvalidDeferLength);
    return std::optional<uint64_t>();
  }
  if (!length) return Fail(ErrorCode::kMissingLength);
  std::optional<uint64_t> parsed = ParseUnsigned(*length);
  if (!parsed) return Fail(ErrorCode::kInvalidLength);
  return parsed;
}

// Fills the plan's concatenation fields from Upload-Concat, when present.
std::optional<Failure> DecideConcat(const RequestHead& head, const ServerPolicy& policy,
                                    CreatePlan& plan) {
  std::optional<std::string_view> value = head.headers.Get("Upload-Concat");
  if (!value) return std::nullopt;
  // tusd silently ignores Upload-Concat when it cannot concatenate; answering 501 instead tells
  // the client its partial uploads would never be joined.
  if (!policy.concatenation) return Fail(ErrorCode::kNotImplemented, "concatenation");
  auto parsed = ParseUploadConcat(*value);
  if (auto* failure = std::get_if<Failure>(&parsed)) return std::move(*failure);
  auto& concat = std::get<UploadConcat>(parsed);
  plan.concat_partial = concat.partial;
  if (concat.part_urls.size() > policy.max_concat_parts) {
    return Fail(ErrorCode::kInvalidConcat, "a final upload may name at most " +
                                               std::to_string(policy.max_concat_parts) +
                                               " parts (--max-concat-parts)");
  }
  plan.concat_part_urls = std::move(concat.part_urls);
  return std::nullopt;
}

// A final upload takes its length from its parts and its bytes from nowhere else.
std::optional<Failure> CheckFinalConcat(const RequestHead& head) {
  if (head.headers.Has("Upload-Length") || head.headers.Has("Upload-Defer-Length")) {
    return Fail(ErrorCode::kInvalidConcat, "a final upload takes its length from its parts");
  }
  if (head.has_body()) return Fail(ErrorCode::kConcatFinalPatch);
  return std::nullopt;
}

// creation-with-upload: the body is the first PATCH, at offset 0.
std::optional<Failure> DecideCreationBody(const RequestHead& head, const ServerPolicy& policy,
                                          CreatePlan& plan) {
  if (plan.length) {
    plan.max_body_bytes = *plan.length;
  } else {
    plan.max_body_bytes =
        policy.max_size > 0 ? policy.max_size : std::numeric_limits<uint64_t>::max();
  }
  if (!head.has_body()) return std::nullopt;
  if (!IsOffsetContentType(head.headers.Get("Content-Type").value_or(""))) {
    return Fail(ErrorCode::kInvalidContentType);
  }
  if (head.content_length.value_or(0) > plan.max_body_bytes) {
    return Fail(ErrorCode::kSizeExceeded);
  }
  plan.with_body = true;
  return std::nullopt;
}

}  // namespace

std::variant<CreatePlan, Failure> DecideCreate(const RequestHead& head,
                                               const ServerPolicy& policy) {
  if (auto duplicate = CheckSingleValuedHeaders(head.headers)) return std::move(*duplicate);
  CreatePlan plan;
  if (auto failure = DecideConcat(head, policy, plan)) return std::move(*failure);
  if (!plan.concat_part_urls.empty()) {
    if (auto failure = CheckFinalConcat(head)) return std::move(*failure);
  } else {
    auto length = DecideLength(head.headers);
    if (auto* failure = std::get_if<Failure>(&length)) return std::move(*failure);
    plan.length = std::get<std::optional<uint64_t>>(length);
    if (policy.max_size > 0 && plan.length.value_or(0) > policy.max_size) {
      return Fail(ErrorCode::kMaxSizeExceeded);
    }
  }
  if (std::optional<std::string_view> raw = head.headers.Get("Upload-Metadata")) {
    auto metadata = ParseMetadata(*raw);
    if (auto* failure = std::get_if<Failure>(&metadata)) return std::move(*failure);
    plan.metadata = std::move(std::get<Metadata>(metadata));
    plan.metadata_raw = std::string(*raw);
  }
  if (plan.concat_part_urls.empty()) {
    if (auto failure = DecideCreationBody(head, policy, plan)) return std::move(*failure);
  }
  auto checksum = RequestChecksum(head.headers, policy);
  if (auto* failure = std::get_if<Failure>(&checksum)) return std::move(*failure);
  plan.checksum = std::move(std::get<std::optional<ChecksumHeader>>(checksum));
  return plan;
}

Response CreatedResponse(const UploadView& upload, std::string_view location) {
  Response response;
  response.status = 201;
  response.headers.emplace_back("Location", std::string(location));
  if (!IsUnjoinedFinal(upload)) {
    response.headers.emplace_back("Upload-Offset", std::to_string(upload.offset));
  }
  AddUploadExpires(upload, response.headers);
  return response;
}

}  // namespace tuskd::protocol
