// What a creation asks the store for (UploadStore::Create). Plain value.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "compress/compression_choice.h"
#include "store/upload_record.h"

namespace tuskd::store {

struct NewUpload {
  std::optional<uint64_t> length;  // nullopt: deferred
  std::string metadata_raw;
  std::vector<std::pair<std::string, std::string>> metadata;
  ConcatKind concat = ConcatKind::kNone;
  std::vector<std::string> concat_parts;  // a final upload's part ids, in order
  // `auto` is zstd unless the declared media type (compress::DeclaredMediaType) is already
  // compressed; the first piece's magic bytes may still turn it to none.
  compress::CompressionMode compression = compress::CompressionMode::kNone;
};

}  // namespace tuskd::store
