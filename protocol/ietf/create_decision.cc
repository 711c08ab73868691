// Upload creation under the draft: which length the request declares, where its body may stop,
// and its metadata: the tus Upload-Metadata tus-js-client sends along, or else what the
// representation headers say (protocol/ietf/representation.h).
#include <limits>
#include <string>

#include "protocol/ietf/decisions.h"
#include "protocol/ietf/fields.h"
#include "protocol/ietf/representation.h"
#include "protocol/shared_rules.h"

namespace tuskd::protocol {

std::variant<IetfCreatePlan, IetfFailure> DecideIetfCreate(const RequestHead& head,
                                                           const IetfDraft& draft,
                                                           const ServerPolicy& policy) {
  // Version 3 lets a request without Upload-Incomplete through as a whole upload (its "feature
  // detection"); later versions make the field what identifies a creation.
  std::optional<bool> when_missing;
  if (draft.upload_incomplete_field) when_missing = true;
  auto completes = RequestCompletes(head.headers, draft, when_missing);
  if (auto* failure = std::get_if<Failure>(&completes)) return std::move(*failure);
  if (auto duplicate = CheckSingleValuedHeaders(head.headers)) return std::move(*duplicate);

  IetfCreatePlan plan;
  plan.completes = std::get<bool>(completes);
  std::optional<uint64_t> declared;
  if (auto value = head.headers.Get("Upload-Length")) {
    declared = ParseUnsigned(*value);
    if (!declared) return Fail(ErrorCode::kInvalidLength);
  }
  // A chunked body's size is unknown until it ends; no body at all is a size of 0.
  std::optional<uint64_t> body_size;
  if (!head.chunked) body_size = head.content_length.value_or(0);

  plan.length = declared;
  if (plan.completes && body_size) {
    if (declared && *declared != *body_size) {
      return Fail(ErrorCode::kInconsistentLength, "Upload-Length " + std::to_string(*declared) +
                                                      ", Content-Length " +
                                                      std::to_string(*body_size));
    }
    plan.length = body_size;
  }
  plan.length_from_body = plan.completes && !plan.length;
  if (policy.max_size > 0 && plan.length && *plan.length > policy.max_size) {
    return Fail(ErrorCode::kMaxSizeExceeded);
  }
  if (plan.length) {
    if (body_size && *body_size > *plan.length) {
      return Fail(ErrorCode::kInconsistentLength, "the body is longer than Upload-Length");
    }
    plan.limit = {*plan.length, true};
  } else {
    uint64_t room = policy.max_size > 0 ? policy.max_size : std::numeric_limits<uint64_t>::max();
    if (body_size && *body_size > room) return Fail(ErrorCode::kSizeExceeded);
    plan.limit = {room, false};
  }
  if (auto value = head.headers.Get("Upload-Metadata")) {
    auto parsed = ParseMetadata(*value);
    if (auto* failure = std::get_if<Failure>(&parsed)) return std::move(*failure);
    plan.metadata_raw = std::string(*value);
    plan.metadata = std::move(std::get<Metadata>(parsed));
  } else {
    plan.metadata = RepresentationMetadata(head.headers);
    plan.metadata_raw = SerializeMetadata(plan.metadata);
  }
  return plan;
}

}  // namespace tuskd::protocol
