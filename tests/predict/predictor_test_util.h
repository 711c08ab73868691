// Helpers shared by the predictor tests: inputs over in-memory bytes and byte sources that fail
// or run short on purpose. Header-only; an input may be opened from any thread, each source
// it opens is used by one.
#pragma once

#include <algorithm>
#include <cstring>
#include <memory>
#include <span>
#include <string>
#include <utility>

#include "predict/byte_source.h"
#include "predict/prediction.h"

namespace tuskd::predict::predictor_testing {

// Serves `bytes` and then fails with "disk on fire" instead of reporting the end.
class FailingByteSource : public ByteSource {
 public:
  explicit FailingByteSource(std::string bytes) : bytes_(std::move(bytes)) {}
  bool Read(std::span<char> out, size_t* n, std::string* error) override {
    if (bytes_.empty()) {
      *error = "disk on fire";
      return false;
    }
    *n = std::min(out.size(), bytes_.size());
    std::memcpy(out.data(), bytes_.data(), *n);
    bytes_.erase(0, *n);
    return true;
  }

 private:
  std::string bytes_;
};

// An input whose bytes are `bytes` (kept alive by the input), served at most `max_chunk` bytes
// per Read (0: no limit). `size` is bytes.size() unless the test lies on purpose.
inline PredictionInput InputOver(std::string bytes, size_t max_chunk = 0) {
  auto shared = std::make_shared<const std::string>(std::move(bytes));
  PredictionInput input;
  input.upload_id = "0123456789abcdef0123456789abcdef";
  input.sha256_hex = std::string(64, 'a');
  input.size = shared->size();
  input.metadata = {{"filename", "take1.wav"}, {"filetype", "audio/wav"}};
  input.open = [shared, max_chunk]() -> std::unique_ptr<ByteSource> {
    return std::make_unique<MemoryByteSource>(*shared, max_chunk);
  };
  return input;
}

inline PredictionInput FailingInput(const std::string& served_before_failing, uint64_t size) {
  PredictionInput input = InputOver("");
  input.size = size;
  input.open = [served_before_failing]() -> std::unique_ptr<ByteSource> {
    return std::make_unique<FailingByteSource>(served_before_failing);
  };
  return input;
}

}  // namespace tuskd::predict::predictor_testing
