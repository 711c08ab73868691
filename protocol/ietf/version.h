// The IETF "Resumable Uploads for HTTP" draft (draft-ietf-httpbis-resumable-upload) as tuskd
// speaks it beside tus 1.0: a request that carries Upload-Draft-Interop-Version is a draft
// request, and the interop version it names decides every detail that differs between draft
// revisions. Those details are the traits below, one row per version; docs/ietf-draft.md is the
// same table for people, with the draft text each row follows. Pure data; thread-safe.
#pragma once

#include <string_view>
#include <variant>
#include <vector>

#include "protocol/error_catalogue.h"
#include "protocol/request_head.h"

namespace tuskd::protocol {

inline constexpr std::string_view kInteropVersionField = "Upload-Draft-Interop-Version";
inline constexpr std::string_view kPartialUploadType = "application/partial-upload";

// What one interop version asks of a server. The comments name the revisions that ask it.
struct IetfDraft {
  int interop_version = 0;
  std::string_view revisions;  // e.g. "-04, -05"
  // -01 (version 3) reports completeness as Upload-Incomplete, true while unfinished; later
  // revisions as Upload-Complete, true once finished.
  bool upload_incomplete_field = false;
  // -04 on: an append's body is labelled application/partial-upload (415 otherwise).
  bool partial_upload_type = false;
  // -04 on: the Upload-Limit dictionary (OPTIONS, 104, creation, HEAD, and on 413).
  bool upload_limit = false;
  // The Upload-Limit key for the upload's remaining lifetime: "expires" until -05, "max-age" on.
  std::string_view lifetime_key;
  // -05 on: HEAD reports a known length as Upload-Length.
  bool upload_length_field = false;
  // -04 on: problem+json (RFC 9457) for a mismatching offset and for a completed upload.
  bool offset_and_completed_problems = false;
  // -06 on: problem+json for inconsistent lengths; an append of bytes to a completed upload is
  // one of them.
  bool inconsistent_length_problem = false;
  // -01 to -05: HEAD and DELETE must refuse Upload-Offset and the completeness field (400).
  bool refuse_state_fields = false;
  // -01 to -05: an append that succeeds answers 201 Created. Later revisions leave the 2xx to
  // the server: 204 while unfinished and 200 once complete, as their examples do.
  bool append_answers_created = false;
  // How an append without the completeness field reads: -01 makes a missing Upload-Incomplete
  // mean "complete", -02 to -05 make a missing Upload-Complete mean "not complete" (only ?1
  // completes), and -06 on require the field.
  enum class MissingOnAppend { kComplete, kIncomplete, kRefused };
  MissingOnAppend missing_on_append = MissingOnAppend::kRefused;
  // -10 on: OPTIONS answers Accept-Patch: application/partial-upload.
  bool accept_patch_in_options = false;
};

// Whether the request speaks the draft (it carries Upload-Draft-Interop-Version at all).
bool IsIetfDraftRequest(const HeaderMap& headers);

// The traits of the version the request names. Failure kUnsupportedInteropVersion (400) for a
// value other than 3, 5, 6 or 8 (4 and 7 were never shipped by a client we know of), and
// kDuplicateHeader for a repeated field.
std::variant<IetfDraft, Failure> ParseInteropVersion(const HeaderMap& headers);

// Every supported version in ascending order (for documentation and table tests).
const std::vector<IetfDraft>& SupportedIetfDrafts();

}  // namespace tuskd::protocol
