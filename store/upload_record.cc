#include "store/upload_record.h"

#include <limits>

#include "store/upload_id.h"

namespace tuskd::store {
namespace {

using nlohmann::json;

// Field readers for RecordFromJson. Each returns false when the field is present with the
// wrong type (a corrupt record); an absent optional field keeps the caller's default. None
// throws: they test the type before every get<>.

bool ReadUint(const json& j, const char* key, bool required, uint64_t* out) {
  auto it = j.find(key);
  if (it == j.end()) return !required;
  if (it->is_number_unsigned()) {
    *out = it->get<uint64_t>();
    return true;
  }
  if (it->is_number_integer() && it->get<int64_t>() >= 0) {
    *out = static_cast<uint64_t>(it->get<int64_t>());
    return true;
  }
  return false;
}

bool ReadInt(const json& j, const char* key, bool required, int64_t* out) {
  auto it = j.find(key);
  if (it == j.end()) return !required;
  if (it->is_number_unsigned()) {
    uint64_t value = it->get<uint64_t>();
    if (value > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) return false;
    *out = static_cast<int64_t>(value);
    return true;
  }
  if (!it->is_number_integer()) return false;
  *out = it->get<int64_t>();
  return true;
}

bool ReadString(const json& j, const char* key, bool required, std::string* out) {
  auto it = j.find(key);
  if (it == j.end()) return !required;
  if (!it->is_string()) return false;
  *out = it->get<std::string>();
  return true;
}

bool ReadBool(const json& j, const char* key, bool* out) {
  auto it = j.find(key);
  if (it == j.end()) return true;  // optional: records written before the field read false
  if (!it->is_boolean()) return false;
  *out = it->get<bool>();
  return true;
}

// A nullable field: absent or null leaves nullopt.
template <typename T, typename Reader>
bool ReadNullable(const json& j, const char* key, Reader reader, std::optional<T>* out) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) {
    out->reset();
    return true;
  }
  T value{};
  if (!reader(j, key, true, &value)) return false;
  *out = std::move(value);
  return true;
}

bool ReadMetadata(const json& j, std::vector<std::pair<std::string, std::string>>* out) {
  auto it = j.find("metadata");
  if (it == j.end()) return true;
  if (!it->is_object()) return false;
  for (const auto& [key, value] : it->items()) {
    if (!value.is_string()) return false;
    out->emplace_back(key, value.get<std::string>());
  }
  return true;
}

bool ReadParts(const json& j, std::vector<std::string>* out) {
  auto it = j.find("concat_parts");
  if (it == j.end()) return true;
  if (!it->is_array()) return false;
  for (const auto& part : *it) {
    if (!part.is_string()) return false;
    out->push_back(part.get<std::string>());
  }
  return true;
}

bool ReadState(const json& j, UploadState* out) {
  std::string text;
  if (!ReadString(j, "state", true, &text)) return false;
  auto state = UploadStateFromString(text);
  if (!state) return false;
  *out = *state;
  return true;
}

// An enum spelled as a string; an absent field keeps the caller's default, an unknown spelling
// is a corrupt record (this build could only misread it).
template <typename T>
bool ReadEnum(const json& j, const char* key, std::optional<T> (*parse)(std::string_view), T* out) {
  std::string text;
  auto it = j.find(key);
  if (it == j.end()) return true;
  if (!ReadString(j, key, true, &text)) return false;
  std::optional<T> value = parse(text);
  if (!value) return false;
  *out = *value;
  return true;
}

bool ReadFields(const json& j, UploadRecord* r) {
  return ReadString(j, "id", true, &r->id) && IsValidUploadId(r->id) &&
         ReadNullable<uint64_t>(j, "length", ReadUint, &r->length) &&
         ReadUint(j, "offset", true, &r->offset) &&
         ReadUint(j, "data_length", true, &r->data_length) &&
         ReadString(j, "metadata_raw", false, &r->metadata_raw) && ReadMetadata(j, &r->metadata) &&
         ReadInt(j, "created_at", true, &r->created_at) &&
         ReadInt(j, "updated_at", true, &r->updated_at) &&
         ReadNullable<int64_t>(j, "expires_at", ReadInt, &r->expires_at) &&
         ReadState(j, &r->state) &&
         ReadEnum(j, "compression", compress::CompressionFromString, &r->compression) &&
         ReadBool(j, "compression_auto", &r->compression_auto) &&
         ReadNullable<std::string>(j, "sha256", ReadString, &r->sha256) &&
         ReadEnum(j, "concat", ConcatKindFromString, &r->concat) && ReadParts(j, &r->concat_parts);
}

}  // namespace

std::string_view ToString(UploadState state) {
  switch (state) {
    case UploadState::kReceiving:
      return "receiving";
    case UploadState::kComplete:
      return "complete";
    case UploadState::kTerminated:
      return "terminated";
    case UploadState::kExpired:
      return "expired";
  }
  return "unknown";
}

std::optional<UploadState> UploadStateFromString(std::string_view text) {
  if (text == "receiving") return UploadState::kReceiving;
  if (text == "complete") return UploadState::kComplete;
  if (text == "terminated") return UploadState::kTerminated;
  if (text == "expired") return UploadState::kExpired;
  return std::nullopt;
}

std::string_view ToString(ConcatKind kind) {
  switch (kind) {
    case ConcatKind::kNone:
      return "";
    case ConcatKind::kPartial:
      return "partial";
    case ConcatKind::kFinal:
      return "final";
  }
  return "";
}

std::optional<ConcatKind> ConcatKindFromString(std::string_view text) {
  if (text.empty()) return ConcatKind::kNone;
  if (text == "partial") return ConcatKind::kPartial;
  if (text == "final") return ConcatKind::kFinal;
  return std::nullopt;
}

nlohmann::json ToJson(const UploadRecord& record) {
  json metadata = json::object();
  for (const auto& [key, value] : record.metadata) metadata[key] = value;
  json j = {
      {"id", record.id},
      {"length", record.length ? json(*record.length) : json(nullptr)},
      {"offset", record.offset},
      {"data_length", record.data_length},
      {"metadata_raw", record.metadata_raw},
      {"metadata", std::move(metadata)},
      {"created_at", record.created_at},
      {"updated_at", record.updated_at},
      {"expires_at", record.expires_at ? json(*record.expires_at) : json(nullptr)},
      {"state", ToString(record.state)},
      {"compression", compress::ToString(record.compression)},
      {"compression_auto", record.compression_auto},
      {"sha256", record.sha256 ? json(*record.sha256) : json(nullptr)},
      {"concat", ToString(record.concat)},
      {"concat_parts", record.concat_parts},
      {"prediction", record.prediction},
  };
  return j;
}

std::optional<UploadRecord> RecordFromJson(const nlohmann::json& json) {
  if (!json.is_object()) return std::nullopt;
  UploadRecord record;
  try {
    // The readers check types before converting, so this catch is a second line of defence:
    // a corrupt record must come back as nullopt, never as an exception out of the store.
    if (!ReadFields(json, &record)) return std::nullopt;
    if (auto it = json.find("prediction"); it != json.end()) record.prediction = *it;
  } catch (const nlohmann::json::exception&) {
    return std::nullopt;
  }
  if (record.length && record.offset > *record.length) return std::nullopt;
  return record;
}

std::string SerializeRecord(const UploadRecord& record) {
  // Decoded metadata may hold bytes that are not UTF-8; the default dump() would throw on them.
  // Replacing keeps the record writable; metadata_raw (base64) still holds the exact bytes.
  return ToJson(record).dump(-1, ' ', false, json::error_handler_t::replace);
}

std::optional<UploadRecord> ParseRecord(std::string_view bytes) {
  json parsed = json::parse(bytes, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) return std::nullopt;
  return RecordFromJson(parsed);
}

}  // namespace tuskd::store
