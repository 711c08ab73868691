// Error responses to draft requests. Where the request's interop version defines a problem type
// (RFC 9457) for the error, the body is application/problem+json with that type and its members
// (a mismatching offset carries expected-offset and provided-offset); otherwise it is tuskd's
// usual text/plain error. The status and the catalogue code are the same either way. Pure;
// thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "protocol/decisions.h"
#include "protocol/error_catalogue.h"
#include "protocol/ietf/version.h"
#include "protocol/response.h"

namespace tuskd::protocol {

inline constexpr std::string_view kProblemTypeBase =
    "https://iana.org/assignments/http-problem-types#";

// A refused draft request: the catalogue failure plus what a problem body may need.
struct IetfFailure {
  IetfFailure(Failure failure_in) : failure(std::move(failure_in)) {}  // NOLINT: most failures
  Failure failure;
  std::optional<uint64_t> expected_offset;  // kMismatchedOffset: the upload's offset
  std::optional<uint64_t> provided_offset;  // kMismatchedOffset: the request's Upload-Offset
};

// 409 for an append at `provided` while the upload stands at `expected`: Upload-Offset carries
// the upload's offset in every version.
IetfFailure MismatchedOffset(uint64_t expected, uint64_t provided);

// The problem type URI for `code` in this version, or "" when the version defines none for it.
std::string_view ProblemType(const IetfDraft& draft, ErrorCode code);

// The response for a failure. A 413 carries Upload-Limit where the version defines it, so the
// client learns the limit it ran into (`max_size`: the server's --max-size, 0 for none).
Response IetfErrorResponse(const IetfDraft& draft, const IetfFailure& failure, uint64_t max_size);

}  // namespace tuskd::protocol
