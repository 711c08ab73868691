#include "protocol/body_checksum.h"

#include <algorithm>
#include <cctype>

namespace tuskd::protocol {

namespace {

bool Offers(const ServerPolicy& policy, const std::string& algorithm) {
  const auto& offered = policy.checksum_algorithms;
  return std::find(offered.begin(), offered.end(), algorithm) != offered.end();
}

// Whether a Trailer field's value names Upload-Checksum. A substring match, case-insensitive:
// what tuskd has always accepted (a list such as "Upload-Checksum, X-Other" included).
bool NamesUploadChecksum(std::string_view trailer) {
  std::string lower(trailer);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return lower.find("upload-checksum") != std::string::npos;
}

}  // namespace

BodyChecksum DecideBodyChecksum(const RequestHead& head,
                                const std::optional<ChecksumHeader>& header,
                                const ServerPolicy& policy) {
  BodyChecksum checksum;
  checksum.header = header;
  if (!header && head.chunked && policy.checksum_trailer) {
    if (auto announced = head.headers.Get("Trailer")) {
      checksum.trailer = NamesUploadChecksum(*announced);
    }
  }
  return checksum;
}

std::vector<std::string> AlgorithmsToCompute(const BodyChecksum& checksum,
                                             const ServerPolicy& policy) {
  if (checksum.header) return {checksum.header->algorithm};
  if (checksum.trailer) return policy.checksum_algorithms;
  return {};
}

bool AllowsCheckpoints(const BodyChecksum& checksum) { return !checksum.verified(); }

std::variant<ChecksumHeader, Failure> ExpectedChecksum(
    const BodyChecksum& checksum, std::optional<std::string_view> trailer_field,
    const ServerPolicy& policy) {
  if (checksum.header) return *checksum.header;
  if (!trailer_field) {
    return Failure{ErrorCode::kInvalidChecksumHeader, "no Upload-Checksum trailer", {}};
  }
  auto parsed = ParseChecksumHeader(*trailer_field);
  if (auto* failure = std::get_if<Failure>(&parsed)) return std::move(*failure);
  auto& header = std::get<ChecksumHeader>(parsed);
  if (!Offers(policy, header.algorithm)) {
    return Failure{ErrorCode::kUnsupportedChecksum, header.algorithm, {}};
  }
  return std::move(header);
}

Failure ChecksumMismatch(const ChecksumHeader& expected) {
  return Failure{ErrorCode::kChecksumMismatch, expected.algorithm, {}};
}

}  // namespace tuskd::protocol
