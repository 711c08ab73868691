// The checksum extension's rules for one request body (tus checksum and checksum-trailer):
// which digest a body is checked against, whether it comes up front (Upload-Checksum) or in
// the chunked body's trailer (announced by `Trailer: Upload-Checksum`), which algorithms must run
// while the body streams, whether the body may be checkpointed, and what each failure answers.
// Computing the digests is base/checksum_verifier.h's; server/handlers/body_receiver.h wires the
// two together. Pure functions over plain values; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "protocol/decisions.h"
#include "protocol/error_catalogue.h"
#include "protocol/header_parsers.h"
#include "protocol/request_head.h"

namespace tuskd::protocol {

// How a body's checksum is known. Neither: the body is not verified.
struct BodyChecksum {
  std::optional<ChecksumHeader> header;  // Upload-Checksum sent up front
  bool trailer = false;                  // a checksum-trailer will name the digest at the end
  bool verified() const { return header.has_value() || trailer; }
};

// The checksum of a body with `head`, given the Upload-Checksum the request's decision already
// accepted (PatchPlan::checksum, CreatePlan::checksum; RequestChecksum checked its algorithm).
// Without one, a chunked body whose `Trailer` field names Upload-Checksum (case-insensitively,
// anywhere in the field's value) promises a trailer, when the policy offers checksum-trailer.
BodyChecksum DecideBodyChecksum(const RequestHead& head,
                                const std::optional<ChecksumHeader>& header,
                                const ServerPolicy& policy);

// The algorithms to compute while the body streams: the header's one, or every offered one for
// a trailer (which names its algorithm only at the end); none for an unverified body.
std::vector<std::string> AlgorithmsToCompute(const BodyChecksum& checksum,
                                             const ServerPolicy& policy);

// Whether the body may be committed before its end (--checkpoint-bytes). A verified body is
// all or nothing: bytes that were never verified must never become durable.
bool AllowsCheckpoints(const BodyChecksum& checksum);

// The digest a complete, verified body must match: the header's, or the trailer's.
// `trailer_field` is the Upload-Checksum trailer field as received (nullopt when there was
// none). Failure kInvalidChecksumHeader (400) for a promised trailer that is missing or does
// not parse, kUnsupportedChecksum (400) for one whose algorithm the policy does not offer.
std::variant<ChecksumHeader, Failure> ExpectedChecksum(
    const BodyChecksum& checksum, std::optional<std::string_view> trailer_field,
    const ServerPolicy& policy);

// What a body whose digest is not `expected` answers: kChecksumMismatch (460), naming the
// algorithm. The body is then rolled back to the previous commit.
Failure ChecksumMismatch(const ChecksumHeader& expected);

}  // namespace tuskd::protocol
