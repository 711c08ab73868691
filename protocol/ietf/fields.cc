#include "protocol/ietf/fields.h"

#include <string>

#include "protocol/field_text.h"

namespace tuskd::protocol {

std::optional<bool> ParseStructuredBoolean(std::string_view value) {
  value = TrimOws(value);
  if (value == "?1") return true;
  if (value == "?0") return false;
  return std::nullopt;
}

bool IsPartialUploadType(std::string_view content_type) {
  std::string_view media_type = TrimOws(content_type.substr(0, content_type.find(';')));
  return EqualsIgnoreCase(media_type, kPartialUploadType);
}

std::string_view CompletenessField(const IetfDraft& draft) {
  return draft.upload_incomplete_field ? "Upload-Incomplete" : "Upload-Complete";
}

std::variant<bool, Failure> RequestCompletes(const HeaderMap& headers, const IetfDraft& draft,
                                             std::optional<bool> when_missing) {
  std::string_view field = CompletenessField(draft);
  if (headers.Count(field) > 1) return Failure{ErrorCode::kDuplicateHeader, std::string(field), {}};
  std::optional<std::string_view> value = headers.Get(field);
  if (!value) {
    if (when_missing) return *when_missing;
    return Failure{ErrorCode::kInvalidUploadComplete, std::string(field) + " is required", {}};
  }
  std::optional<bool> flag = ParseStructuredBoolean(*value);
  if (!flag) return Failure{ErrorCode::kInvalidUploadComplete, std::string(field), {}};
  return draft.upload_incomplete_field ? !*flag : *flag;
}

void AddCompleteness(const IetfDraft& draft, bool complete, HeaderList& headers) {
  bool value = draft.upload_incomplete_field ? !complete : complete;
  headers.emplace_back(std::string(CompletenessField(draft)), value ? "?1" : "?0");
}

void AddUploadLimit(const IetfDraft& draft, uint64_t max_size,
                    std::optional<int64_t> lifetime_seconds, HeaderList& headers) {
  if (!draft.upload_limit) return;
  std::string limits;
  if (max_size > 0) limits = "max-size=" + std::to_string(max_size);
  if (lifetime_seconds) {
    if (!limits.empty()) limits += ", ";
    // Negative would be an invalid limit: an upload past its expiry has no time left.
    int64_t seconds = *lifetime_seconds < 0 ? 0 : *lifetime_seconds;
    limits.append(draft.lifetime_key).append("=").append(std::to_string(seconds));
  }
  if (limits.empty()) limits = "min-size=0";
  headers.emplace_back("Upload-Limit", std::move(limits));
}

}  // namespace tuskd::protocol
