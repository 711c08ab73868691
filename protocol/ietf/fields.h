// The draft's own header fields, read and written per interop version: the completeness flag
// (Upload-Complete, or Upload-Incomplete with the opposite meaning in version 3), structured-field
// booleans, and the Upload-Limit dictionary. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "protocol/error_catalogue.h"
#include "protocol/ietf/version.h"
#include "protocol/request_head.h"

namespace tuskd::protocol {

// An sf-boolean (RFC 9651 section 3.3.6): "?1" or "?0", with surrounding spaces allowed.
// nullopt for anything else ("true", "1", "?1;x"): the draft says to ignore such a field, and
// tuskd refuses the request instead, so a typo never silently reads as "not complete".
std::optional<bool> ParseStructuredBoolean(std::string_view value);

// Whether a Content-Type is application/partial-upload (case-insensitive, parameters allowed).
bool IsPartialUploadType(std::string_view content_type);

// The name of the completeness field in this version: Upload-Incomplete or Upload-Complete.
std::string_view CompletenessField(const IetfDraft& draft);

// Whether the request says its content ends the upload. `when_missing` is what an absent field
// means; nullopt makes it required. Failure kInvalidUploadComplete (400) for a missing required
// field or a value that is not an sf-boolean, kDuplicateHeader for a repeated one.
std::variant<bool, Failure> RequestCompletes(const HeaderMap& headers, const IetfDraft& draft,
                                             std::optional<bool> when_missing);

// Appends the completeness field as this version spells it (Upload-Incomplete: ?1 while
// unfinished for version 3, Upload-Complete: ?0 / ?1 otherwise).
void AddCompleteness(const IetfDraft& draft, bool complete, HeaderList& headers);

// Upload-Limit for versions that define it (nothing otherwise): max-size when the server has a
// --max-size, the remaining lifetime in seconds under the version's key (expires or max-age) when
// the upload has one, and "min-size=0" when neither applies, since -04 asks for a non-empty
// value rather than none.
void AddUploadLimit(const IetfDraft& draft, uint64_t max_size,
                    std::optional<int64_t> lifetime_seconds, HeaderList& headers);

}  // namespace tuskd::protocol
