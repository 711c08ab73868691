// How an UploadStore behaves: where the embedded store keeps its files, expiry, the zstd level
// of new uploads and what concatenation does with parts. Plain value.
#pragma once

#include <cstdint>
#include <string>

#include "base/file_system.h"
#include "base/posix_file_system.h"
#include "compress/compression_choice.h"

namespace tuskd::store {

struct StoreOptions {
  // The embedded store (UploadStore::Open): db/ (RocksDB) and uploads/ (data files) live here.
  std::string data_dir;
  // Unfinished uploads expire this long after their last commit; 0: never.
  int64_t expiration_seconds = 0;
  FileSystem* fs = PosixFileSystem();  // the seam tests replace; must outlive the store
  // zstd level of the uploads this process writes (docs/compression.md explains the default).
  int compression_level = compress::kDefaultCompressionLevel;
  // Concatenation: terminate a final upload's parts once it is complete (unless another final
  // still waits for one). Off by default, as in tusd: the spec lets clients reuse parts.
  bool remove_parts_after_concat = false;
  // The largest upload (--max-size; 0: none, which still means at most 2^63-1). A final upload
  // whose parts turn out to add up to more, once a deferred part's length is known, is
  // terminated before any byte is joined.
  uint64_t max_size = 0;
};

}  // namespace tuskd::store
