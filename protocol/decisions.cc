// The decisions that need no request body: version check, method override, OPTIONS, HEAD,
// DELETE, and the gone-upload check they share. Creation, PATCH and GET have their own files.
#include "protocol/decisions.h"

#include <array>
#include <utility>

#include "protocol/shared_rules.h"

namespace tuskd::protocol {

std::optional<Failure> CheckTusResumable(std::string_view method, const HeaderMap& headers) {
  // OPTIONS is exempt by the spec (it is how a client learns the version). GET is not part of
  // tus: browsers follow download links without tus headers, so tusd exempts it too, and so do
  // the other GET routes (predictions, health, metrics).
  if (method == "OPTIONS" || method == "GET") return std::nullopt;
  if (headers.Get("Tus-Resumable") == kTusVersion) return std::nullopt;
  return Failure{ErrorCode::kUnsupportedVersion, {}, {{"Tus-Version", std::string(kTusVersion)}}};
}

std::variant<std::string, Failure> EffectiveMethod(std::string_view method,
                                                   const HeaderMap& headers) {
  static constexpr std::array<std::string_view, 6> kOverridable = {"HEAD", "PATCH", "DELETE",
                                                                   "POST", "GET",   "OPTIONS"};
  std::optional<std::string_view> override_value = headers.Get("X-HTTP-Method-Override");
  if (!override_value) return std::string(method);
  if (headers.Count("X-HTTP-Method-Override") > 1) {
    return Fail(ErrorCode::kDuplicateHeader, "X-HTTP-Method-Override");
  }
  for (std::string_view allowed : kOverridable) {
    if (EqualsIgnoreCase(*override_value, allowed)) return std::string(allowed);
  }
  // The value is not echoed: it is client text and may hold anything.
  return Fail(ErrorCode::kInvalidMethodOverride);
}

std::string ExtensionList(const ServerPolicy& policy) {
  std::string list = "creation,creation-with-upload,creation-defer-length,termination";
  if (policy.expiration) list += ",expiration";
  if (!policy.checksum_algorithms.empty()) list += ",checksum";
  if (policy.checksum_trailer) list += ",checksum-trailer";
  // Both together: a final upload may name parts still being uploaded and completes when they do.
  if (policy.concatenation) list += ",concatenation,concatenation-unfinished";
  return list;
}

Response DecideOptions(const ServerPolicy& policy) {
  Response response;
  response.status = 204;
  response.headers.emplace_back("Tus-Version", std::string(kTusVersion));
  response.headers.emplace_back("Tus-Extension", ExtensionList(policy));
  if (policy.max_size > 0) {
    response.headers.emplace_back("Tus-Max-Size", std::to_string(policy.max_size));
  }
  if (!policy.checksum_algorithms.empty()) {
    std::string algorithms;
    for (const std::string& algorithm : policy.checksum_algorithms) {
      if (!algorithms.empty()) algorithms += ',';
      algorithms += algorithm;
    }
    response.headers.emplace_back("Tus-Checksum-Algorithm", std::move(algorithms));
  }
  return response;
}

std::optional<Failure> CheckUsable(const UploadView& upload) {
  switch (upload.state) {
    case UploadState::kExpired:
      return Fail(ErrorCode::kUploadExpired);
    case UploadState::kTerminated:
      return Fail(ErrorCode::kUploadTerminated);
    case UploadState::kReceiving:
    case UploadState::kComplete:
      return std::nullopt;
  }
  return std::nullopt;
}

std::variant<Response, Failure> DecideHead(const UploadView& upload, const ServerPolicy& policy) {
  if (auto gone = CheckUsable(upload)) return std::move(*gone);
  Response response;
  response.status = 200;
  HeaderList& headers = response.headers;
  // A final upload has no offset to resume from until its parts are joined (the spec leaves
  // it undefined until then, and a client must not PATCH it anyway).
  if (!IsUnjoinedFinal(upload)) {
    headers.emplace_back("Upload-Offset", std::to_string(upload.offset));
  }
  if (upload.length) {
    headers.emplace_back("Upload-Length", std::to_string(*upload.length));
  } else if (!upload.concat_final) {
    headers.emplace_back("Upload-Defer-Length", "1");
  }
  if (!upload.metadata_raw.empty()) headers.emplace_back("Upload-Metadata", upload.metadata_raw);
  if (policy.expiration) AddUploadExpires(upload, headers);
  if (upload.concat_partial) headers.emplace_back("Upload-Concat", "partial");
  if (upload.concat_final) {
    std::string value = "final;";
    for (size_t i = 0; i < upload.concat_part_urls.size(); ++i) {
      if (i > 0) value += ' ';
      value += upload.concat_part_urls[i];
    }
    headers.emplace_back("Upload-Concat", std::move(value));
  }
  // docs/architecture.md: the content hash is reported in HEAD once the upload is complete.
  if (upload.sha256_hex && upload.state == UploadState::kComplete) {
    headers.emplace_back("Upload-Sha256", *upload.sha256_hex);
  }
  AddReprDigest(upload, headers);
  // A HEAD's offset changes with every PATCH; a cached one would make a client resume wrongly.
  headers.emplace_back("Cache-Control", "no-store");
  return response;
}

std::optional<Failure> DecideDelete(const UploadView& upload) { return CheckUsable(upload); }

Response DeletedResponse() {
  Response response;
  response.status = 204;
  return response;
}

}  // namespace tuskd::protocol
