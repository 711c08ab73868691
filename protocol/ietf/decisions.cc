// The draft decisions that need no body (HEAD, DELETE's checks, OPTIONS) and the success
// responses the handlers send.
#include "protocol/ietf/decisions.h"

#include <string>
#include <utility>

#include "protocol/ietf/fields.h"
#include "protocol/shared_rules.h"

namespace tuskd::protocol {
namespace {

// Seconds until an unfinished upload expires; nullopt when it never does or is finished.
std::optional<int64_t> Lifetime(const UploadView& upload, int64_t now) {
  if (!upload.expires_at || upload.state != UploadState::kReceiving) return std::nullopt;
  return *upload.expires_at - now;
}

bool IsComplete(const UploadView& upload) { return upload.state == UploadState::kComplete; }

void AddLength(const IetfDraft& draft, const UploadView& upload, HeaderList& headers) {
  if (draft.upload_length_field && upload.length) {
    headers.emplace_back("Upload-Length", std::to_string(*upload.length));
  }
}

}  // namespace

std::optional<IetfFailure> CheckNoStateFields(const RequestHead& head, const IetfDraft& draft) {
  if (!draft.refuse_state_fields) return std::nullopt;
  for (std::string_view field : {std::string_view("Upload-Offset"), CompletenessField(draft)}) {
    if (head.headers.Has(field)) return Fail(ErrorCode::kStateFieldNotAllowed, std::string(field));
  }
  if (draft.upload_length_field && head.headers.Has("Upload-Length")) {
    return Fail(ErrorCode::kStateFieldNotAllowed, "Upload-Length");
  }
  return std::nullopt;
}

std::optional<IetfFailure> CheckActive(const UploadView& upload) {
  switch (upload.state) {
    case UploadState::kTerminated:
      return Fail(ErrorCode::kUploadNotFound, "terminated");
    case UploadState::kExpired:
      return Fail(ErrorCode::kUploadNotFound, "expired");
    case UploadState::kReceiving:
    case UploadState::kComplete:
      break;
  }
  return std::nullopt;
}

std::variant<Response, IetfFailure> DecideIetfHead(const IetfDraft& draft, const UploadView& upload,
                                                   const ServerPolicy& policy, int64_t now) {
  if (auto gone = CheckActive(upload)) return std::move(*gone);
  Response response;
  response.status = 204;
  response.headers.emplace_back("Upload-Offset", std::to_string(upload.offset));
  AddCompleteness(draft, IsComplete(upload), response.headers);
  AddLength(draft, upload, response.headers);
  AddUploadLimit(draft, policy.max_size, Lifetime(upload, now), response.headers);
  // The offset changes with every append; a cached one would make a client resume wrongly.
  response.headers.emplace_back("Cache-Control", "no-store");
  return response;
}

Response IetfOptionsResponse(const IetfDraft& draft, const ServerPolicy& policy) {
  Response response = DecideOptions(policy);
  AddUploadLimit(draft, policy.max_size, std::nullopt, response.headers);
  if (draft.accept_patch_in_options) {
    response.headers.emplace_back("Accept-Patch", std::string(kPartialUploadType));
  }
  return response;
}

HeaderList IetfInterimHeaders(const IetfDraft& draft, const UploadView& upload,
                              std::string_view location, const ServerPolicy& policy, int64_t now) {
  HeaderList headers;
  // The field that tells a draft client this 104 is for its version (it ignores others).
  headers.emplace_back(std::string(kInteropVersionField), std::to_string(draft.interop_version));
  headers.emplace_back("Location", std::string(location));
  AddUploadLimit(draft, policy.max_size, Lifetime(upload, now), headers);
  return headers;
}

Response IetfCreatedResponse(const IetfDraft& draft, const UploadView& upload,
                             std::string_view location, const ServerPolicy& policy, int64_t now) {
  Response response;
  response.status = 201;
  response.headers.emplace_back("Location", std::string(location));
  response.headers.emplace_back("Upload-Offset", std::to_string(upload.offset));
  AddCompleteness(draft, IsComplete(upload), response.headers);
  AddLength(draft, upload, response.headers);
  AddUploadLimit(draft, policy.max_size, Lifetime(upload, now), response.headers);
  AddReprDigest(upload, response.headers);
  return response;
}

Response IetfAppendedResponse(const IetfDraft& draft, const UploadView& upload) {
  Response response;
  if (draft.append_answers_created)
    response.status = 201;
  else
    response.status = IsComplete(upload) ? 200 : 204;
  response.headers.emplace_back("Upload-Offset", std::to_string(upload.offset));
  AddCompleteness(draft, IsComplete(upload), response.headers);
  AddReprDigest(upload, response.headers);
  return response;
}

}  // namespace tuskd::protocol
