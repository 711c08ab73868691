// What one prediction takes and gives back: PredictionInput (an upload's id, hash, size,
// metadata and a way to read its bytes) and PredictionOutcome (a JSON result, or an error that
// says whether a retry could help). Plain values: safe to share read-only between threads.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "predict/byte_source.h"

namespace tuskd::predict {

struct PredictionInput {
  std::string upload_id;
  std::string sha256_hex;  // of the whole upload, lowercase hex
  uint64_t size = 0;       // uncompressed length; `open` yields exactly this many bytes
  std::vector<std::pair<std::string, std::string>> metadata;  // decoded Upload-Metadata
  // Returns a fresh reader positioned at byte 0 each call, so a retry can re-read. A source
  // that cannot be opened should fail its first Read with the reason; nullptr is also accepted
  // and reported as a retryable error.
  std::function<std::unique_ptr<ByteSource>()> open;

  // {"id", "sha256", "size", "metadata": {key: value}}; later duplicate keys win. Metadata
  // values are arbitrary bytes: invalid UTF-8 is replaced by U+FFFD so dump() never throws.
  nlohmann::json Describe() const;
};

struct PredictionOutcome {
  bool ok = false;
  nlohmann::json result;   // when ok
  std::string error;       // when !ok: for people and logs
  bool retryable = false;  // when !ok: the same input may succeed later (timeout, crash, 5xx)

  static PredictionOutcome Success(nlohmann::json result);
  static PredictionOutcome Failure(std::string error, bool retryable);
};

}  // namespace tuskd::predict
