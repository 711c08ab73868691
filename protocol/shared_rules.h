// Rules used by more than one decision (creation and PATCH both carry bodies and checksums;
// HEAD, 201 and 204 all report expiry). Internal to protocol/: server/ and tests use
// decisions.h. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>

#include "protocol/decisions.h"

namespace tuskd::protocol {

// kDuplicateHeader naming the first single-valued tus header sent more than once, if any.
// HTTP allows a repeated field only where its value is a list; these are not lists, and taking
// the first of two conflicting offsets or lengths would act on a guess.
std::optional<Failure> CheckSingleValuedHeaders(const HeaderMap& headers);

// Upload-Checksum, when present: parsed, and its algorithm must be one the policy offers
// (kUnsupportedChecksum otherwise). nullopt inside the variant when the header is absent.
std::variant<std::optional<ChecksumHeader>, Failure> RequestChecksum(const HeaderMap& headers,
                                                                     const ServerPolicy& policy);

// Whether every byte of the upload is committed (its length is known and reached).
bool IsFinished(const UploadView& upload);

// A final concatenated upload whose parts are not joined yet: it reports no Upload-Offset.
bool IsUnjoinedFinal(const UploadView& upload);

// Appends Upload-Expires while the upload is unfinished and has an expiry.
void AddUploadExpires(const UploadView& upload, HeaderList& headers);

// Appends Repr-Digest (RFC 9530: "sha-256=:<base64>:") for a complete upload, whose whole
// representation is known; nothing otherwise.
void AddReprDigest(const UploadView& upload, HeaderList& headers);

// A Failure that carries no extra response headers.
Failure Fail(ErrorCode code, std::string detail = {});

}  // namespace tuskd::protocol
