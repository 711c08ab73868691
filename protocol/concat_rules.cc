#include "protocol/concat_rules.h"

#include "base/length_limit.h"

#include "protocol/shared_rules.h"

namespace tuskd::protocol {
namespace {

Failure InvalidPart(std::string_view url, std::string_view why) {
  return Fail(ErrorCode::kInvalidConcat, "part " + std::string(url) + ": " + std::string(why));
}

Failure InvalidPart(size_t index, std::string_view why) {
  return Fail(ErrorCode::kInvalidConcat,
              "part " + std::to_string(index + 1) + ": " + std::string(why));
}

}  // namespace

std::variant<std::string, Failure> PartIdFromUrl(std::string_view url, std::string_view base_path,
                                                 std::string_view origin) {
  if (url.find_first_of("?#") != std::string_view::npos) {
    return InvalidPart(url, "a part URL has no query or fragment");
  }
  std::string_view path = url;
  if (size_t scheme_end = url.find("://"); scheme_end != std::string_view::npos) {
    size_t path_start = url.find('/', scheme_end + 3);
    std::string_view authority = url.substr(0, path_start);
    // Parts must be this server's uploads: a final upload never fetches bytes from elsewhere.
    if (!EqualsIgnoreCase(authority, origin))
      return InvalidPart(url, "not an upload of this server");
    path = path_start == std::string_view::npos ? std::string_view() : url.substr(path_start);
  } else if (path.empty() || path.front() != '/') {
    // A relative reference resolves against the collection URL, which ends in base_path.
    if (path.empty() || path.find('/') != std::string_view::npos) {
      return InvalidPart(url, "not an upload URL");
    }
    return std::string(path);
  }
  if (path.substr(0, base_path.size()) != base_path) return InvalidPart(url, "not an upload URL");
  std::string_view id = path.substr(base_path.size());
  if (id.empty() || id.find('/') != std::string_view::npos) {
    return InvalidPart(url, "not an upload URL");
  }
  return std::string(id);
}

std::variant<FinalPlan, Failure> DecideFinalParts(const std::vector<UploadView>& parts,
                                                  const ServerPolicy& policy) {
  FinalPlan plan;
  plan.ready = true;
  uint64_t sum = 0;
  bool lengths_known = true;
  for (size_t i = 0; i < parts.size(); ++i) {
    const UploadView& part = parts[i];
    if (CheckUsable(part)) return InvalidPart(i, "the upload is gone (terminated or expired)");
    if (!part.concat_partial)
      return InvalidPart(i, "not a partial upload (Upload-Concat: partial)");
    if (part.state != UploadState::kComplete) plan.ready = false;
    if (!part.length) {
      lengths_known = false;
      continue;
    }
    if (*part.length > kMaxUploadLength - sum) {
      return Fail(ErrorCode::kInvalidLength, "the parts' lengths add up past 2^63-1");
    }
    sum += *part.length;
  }
  if (policy.max_size > 0 && sum > policy.max_size) return Fail(ErrorCode::kMaxSizeExceeded);
  if (lengths_known) plan.length = sum;
  return plan;
}

}  // namespace tuskd::protocol
