#include "protocol/ietf/version.h"

#include <string>

#include "protocol/header_parsers.h"

namespace tuskd::protocol {
namespace {

using Missing = IetfDraft::MissingOnAppend;

// Sources: the draft revisions themselves (datatracker.ietf.org/doc/draft-ietf-httpbis-
// resumable-upload) and their "Changes" appendix; docs/ietf-draft.md cites the sections.
std::vector<IetfDraft> BuildTable() {
  IetfDraft v3;  // draft -01: iOS 17 / macOS 14
  v3.interop_version = 3;
  v3.revisions = "-01";
  v3.upload_incomplete_field = true;
  v3.refuse_state_fields = true;
  v3.append_answers_created = true;
  v3.missing_on_append = Missing::kComplete;

  IetfDraft v5;  // draft -03: iOS 18.0 / macOS 15.0, tus-js-client 'ietf-draft-03'
  v5.interop_version = 5;
  v5.revisions = "-03";
  v5.refuse_state_fields = true;
  v5.append_answers_created = true;
  v5.missing_on_append = Missing::kIncomplete;

  IetfDraft v6 = v5;  // drafts -04, -05: iOS 18.1 / macOS 15.1, tus-js-client 'ietf-draft-05'
  v6.interop_version = 6;
  v6.revisions = "-04, -05";
  v6.partial_upload_type = true;
  v6.upload_limit = true;
  v6.lifetime_key = "expires";
  v6.upload_length_field = true;
  v6.offset_and_completed_problems = true;

  IetfDraft v8;  // drafts -09 to -11 (the latest)
  v8.interop_version = 8;
  v8.revisions = "-09, -10, -11";
  v8.partial_upload_type = true;
  v8.upload_limit = true;
  v8.lifetime_key = "max-age";
  v8.upload_length_field = true;
  v8.offset_and_completed_problems = true;
  v8.inconsistent_length_problem = true;
  v8.missing_on_append = Missing::kRefused;
  v8.accept_patch_in_options = true;
  return {v3, v5, v6, v8};
}

}  // namespace

const std::vector<IetfDraft>& SupportedIetfDrafts() {
  static const std::vector<IetfDraft>* const table = new std::vector<IetfDraft>(BuildTable());
  return *table;
}

bool IsIetfDraftRequest(const HeaderMap& headers) { return headers.Has(kInteropVersionField); }

std::variant<IetfDraft, Failure> ParseInteropVersion(const HeaderMap& headers) {
  if (headers.Count(kInteropVersionField) > 1) {
    return Failure{ErrorCode::kDuplicateHeader, std::string(kInteropVersionField), {}};
  }
  std::optional<std::string_view> value = headers.Get(kInteropVersionField);
  std::optional<uint64_t> number = value ? ParseUnsigned(*value) : std::nullopt;
  for (const IetfDraft& draft : SupportedIetfDrafts()) {
    if (number && *number == static_cast<uint64_t>(draft.interop_version)) return draft;
  }
  // The value is not echoed: it is client text and may hold anything.
  return Failure{ErrorCode::kUnsupportedInteropVersion, "this server speaks 3, 5, 6 and 8", {}};
}

}  // namespace tuskd::protocol
