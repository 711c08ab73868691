// The durable record of one upload, stored as JSON in the `uploads` column family so that
// tuskctl and people can read it. Plain value type.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "compress/compression.h"

namespace tuskd::store {

enum class UploadState { kReceiving, kComplete, kTerminated, kExpired };
std::string_view ToString(UploadState state);
std::optional<UploadState> UploadStateFromString(std::string_view text);

// Concatenation: an ordinary upload, a part of a later final upload, or a final upload made of
// parts. Spelled "", "partial", "final" in records.
enum class ConcatKind { kNone, kPartial, kFinal };
std::string_view ToString(ConcatKind kind);
std::optional<ConcatKind> ConcatKindFromString(std::string_view text);

struct UploadRecord {
  std::string id;
  std::optional<uint64_t> length;  // nullopt while deferred
  uint64_t offset = 0;             // committed uncompressed bytes
  uint64_t data_length = 0;        // committed bytes in the data file (== offset when raw)
  std::string metadata_raw;        // Upload-Metadata as received
  std::vector<std::pair<std::string, std::string>> metadata;  // decoded, for people and tools
  int64_t created_at = 0;                                     // unix seconds
  int64_t updated_at = 0;
  std::optional<int64_t> expires_at;  // unfinished uploads only
  UploadState state = UploadState::kReceiving;
  compress::Compression compression = compress::Compression::kNone;
  // Chosen by `--compression auto`: while nothing is committed, a first piece that starts like
  // compressed content (magic bytes) turns compression to none. Cleared by the first commit.
  bool compression_auto = false;
  std::optional<std::string> sha256;  // hex, once complete
  // Concatenation, and for a final upload its part ids.
  ConcatKind concat = ConcatKind::kNone;
  std::vector<std::string> concat_parts;
  // Completion pipeline fields (prediction status and result), owned by the pipeline.
  nlohmann::json prediction;  // null until the upload completes

  bool deferred() const { return !length.has_value(); }
  bool complete() const { return state == UploadState::kComplete; }
  bool compressed() const { return compression == compress::Compression::kZstd; }
  bool partial() const { return concat == ConcatKind::kPartial; }
  bool final_upload() const { return concat == ConcatKind::kFinal; }
};

nlohmann::json ToJson(const UploadRecord& record);
// nullopt when the JSON lacks required fields or has wrong types (a corrupt record).
std::optional<UploadRecord> RecordFromJson(const nlohmann::json& json);
std::string SerializeRecord(const UploadRecord& record);
std::optional<UploadRecord> ParseRecord(std::string_view bytes);

}  // namespace tuskd::store
