#include "protocol/shared_rules.h"

#include <algorithm>
#include <array>
#include <string_view>
#include <utility>

#include "base/base64.h"
#include "base/hex.h"

namespace tuskd::protocol {

std::optional<Failure> CheckSingleValuedHeaders(const HeaderMap& headers) {
  static constexpr std::array<std::string_view, 7> kSingleValued = {
      "Tus-Resumable",   "Upload-Length",   "Upload-Defer-Length", "Upload-Offset",
      "Upload-Metadata", "Upload-Checksum", "Upload-Concat"};
  for (std::string_view name : kSingleValued) {
    if (headers.Count(name) > 1) return Fail(ErrorCode::kDuplicateHeader, std::string(name));
  }
  return std::nullopt;
}

std::variant<std::optional<ChecksumHeader>, Failure> RequestChecksum(const HeaderMap& headers,
                                                                     const ServerPolicy& policy) {
  std::optional<std::string_view> value = headers.Get("Upload-Checksum");
  if (!value) return std::optional<ChecksumHeader>();
  auto parsed = ParseChecksumHeader(*value);
  if (auto* failure = std::get_if<Failure>(&parsed)) return std::move(*failure);
  auto& checksum = std::get<ChecksumHeader>(parsed);
  const auto& offered = policy.checksum_algorithms;
  if (std::find(offered.begin(), offered.end(), checksum.algorithm) == offered.end()) {
    return Fail(ErrorCode::kUnsupportedChecksum, checksum.algorithm);
  }
  return std::optional<ChecksumHeader>(std::move(checksum));
}

bool IsFinished(const UploadView& upload) {
  return upload.state == UploadState::kComplete ||
         (upload.length.has_value() && upload.offset >= *upload.length);
}

bool IsUnjoinedFinal(const UploadView& upload) {
  return upload.concat_final && upload.state != UploadState::kComplete;
}

void AddUploadExpires(const UploadView& upload, HeaderList& headers) {
  if (!upload.expires_at || IsFinished(upload)) return;
  std::string date = FormatHttpDate(*upload.expires_at);
  if (!date.empty()) headers.emplace_back("Upload-Expires", std::move(date));
}

Failure Fail(ErrorCode code, std::string detail) { return Failure{code, std::move(detail), {}}; }

void AddReprDigest(const UploadView& upload, HeaderList& headers) {
  if (upload.state != UploadState::kComplete || !upload.sha256_hex) return;
  auto digest = FromHex(*upload.sha256_hex);
  if (!digest || digest->size() != 32) return;
  headers.emplace_back("Repr-Digest", "sha-256=:" + EncodeBase64(*digest) + ":");
}

}  // namespace tuskd::protocol
