// Upload append under the draft: the checks before any body byte is read, and which length the
// append fixes. Completeness is explicit in the draft (Upload-Complete: ?1), while the store
// completes an upload when its offset reaches a known length; so an append that completes fixes
// the length (offset + Content-Length, or what a chunked body brings) and the store does the rest.
#include <limits>
#include <string>

#include "protocol/ietf/decisions.h"
#include "protocol/ietf/fields.h"
#include "protocol/shared_rules.h"

namespace tuskd::protocol {
namespace {

std::optional<bool> MissingMeans(const IetfDraft& draft) {
  switch (draft.missing_on_append) {
    case IetfDraft::MissingOnAppend::kComplete:
      return true;
    case IetfDraft::MissingOnAppend::kIncomplete:
      return false;
    case IetfDraft::MissingOnAppend::kRefused:
      break;
  }
  return std::nullopt;
}

// Appending to a complete upload changes nothing; only an empty append that completes it again
// (a retry whose answer was lost) is answered as a success.
std::variant<IetfAppendPlan, IetfFailure> AppendToComplete(const RequestHead& head,
                                                           const IetfDraft& draft, uint64_t offset,
                                                           bool completes) {
  if (!head.has_body() && completes) {
    IetfAppendPlan plan;
    plan.offset = offset;
    plan.completes = true;
    plan.already_complete = true;
    return plan;
  }
  if (head.has_body() && draft.inconsistent_length_problem) {
    return Fail(ErrorCode::kInconsistentLength, "the upload is already complete");
  }
  return Fail(ErrorCode::kUploadCompleted);
}

// What an append says about itself, before any look at the upload.
struct ParsedAppend {
  uint64_t offset = 0;
  bool completes = false;
  std::optional<uint64_t> declared;  // Upload-Length
};

std::variant<ParsedAppend, IetfFailure> ParseAppend(const RequestHead& head,
                                                    const IetfDraft& draft) {
  if (draft.partial_upload_type && head.has_body()) {
    auto type = head.headers.Get("Content-Type");
    if (!type || !IsPartialUploadType(*type)) return Fail(ErrorCode::kPartialUploadContentType);
  }
  if (auto duplicate = CheckSingleValuedHeaders(head.headers)) return std::move(*duplicate);
  ParsedAppend parsed;
  auto offset_text = head.headers.Get("Upload-Offset");
  std::optional<uint64_t> offset = offset_text ? ParseUnsigned(*offset_text) : std::nullopt;
  if (!offset) return Fail(ErrorCode::kInvalidOffset);
  parsed.offset = *offset;
  auto completes = RequestCompletes(head.headers, draft, MissingMeans(draft));
  if (auto* failure = std::get_if<Failure>(&completes)) return std::move(*failure);
  parsed.completes = std::get<bool>(completes);
  if (auto value = head.headers.Get("Upload-Length")) {
    parsed.declared = ParseUnsigned(*value);
    if (!parsed.declared) return Fail(ErrorCode::kInvalidLength);
  }
  return parsed;
}

}  // namespace

std::optional<IetfFailure> CheckIetfAppendRequest(const RequestHead& head, const IetfDraft& draft) {
  auto parsed = ParseAppend(head, draft);
  if (auto* failure = std::get_if<IetfFailure>(&parsed)) return std::move(*failure);
  return std::nullopt;
}

std::variant<IetfAppendPlan, IetfFailure> DecideIetfAppend(const RequestHead& head,
                                                           const IetfDraft& draft,
                                                           const UploadView& upload,
                                                           const ServerPolicy& policy) {
  if (auto gone = CheckActive(upload)) return std::move(*gone);
  auto parsed = ParseAppend(head, draft);
  if (auto* failure = std::get_if<IetfFailure>(&parsed)) return std::move(*failure);
  const uint64_t offset = std::get<ParsedAppend>(parsed).offset;
  const bool completes = std::get<ParsedAppend>(parsed).completes;
  const std::optional<uint64_t> declared = std::get<ParsedAppend>(parsed).declared;
  if (upload.concat_final) return Fail(ErrorCode::kConcatFinalPatch);
  if (offset != upload.offset) return MismatchedOffset(upload.offset, offset);
  if (upload.state == UploadState::kComplete) {
    return AppendToComplete(head, draft, offset, completes);
  }

  IetfAppendPlan plan;
  plan.offset = offset;
  plan.completes = completes;
  std::optional<uint64_t> body_size;
  if (!head.chunked) body_size = head.content_length.value_or(0);
  std::optional<uint64_t> known = upload.length;
  if (declared) {
    if (known && *known != *declared) {
      return Fail(ErrorCode::kInconsistentLength, "Upload-Length " + std::to_string(*declared) +
                                                      ", the upload's " + std::to_string(*known));
    }
    if (*declared < upload.offset) {
      return Fail(ErrorCode::kInconsistentLength, "Upload-Length is below the offset");
    }
    known = declared;
  }
  if (completes && body_size) {
    uint64_t total = offset + *body_size;
    if (known && *known != total) {
      return Fail(ErrorCode::kInconsistentLength, "the upload would end at " +
                                                      std::to_string(total) + ", its length is " +
                                                      std::to_string(*known));
    }
    known = total;
  }
  if (known && !upload.length) plan.set_length = known;
  plan.length_from_body = completes && !known;
  if (policy.max_size > 0 && known && *known > policy.max_size) {
    return Fail(ErrorCode::kMaxSizeExceeded);
  }
  if (known) {
    if (body_size && *body_size > *known - offset) {
      return Fail(ErrorCode::kInconsistentLength, "the body passes the upload's length");
    }
    plan.limit = {*known - offset, true};
  } else {
    uint64_t room = std::numeric_limits<uint64_t>::max();
    if (policy.max_size > 0) room = policy.max_size > offset ? policy.max_size - offset : 0;
    if (body_size && *body_size > room) return Fail(ErrorCode::kSizeExceeded);
    plan.limit = {room, false};
  }
  return plan;
}

}  // namespace tuskd::protocol
