#include "predict/byte_source.h"

#include <algorithm>
#include <cstring>

namespace tuskd::predict {

ByteSource::~ByteSource() = default;

bool MemoryByteSource::Read(std::span<char> out, size_t* n, std::string* /*error*/) {
  size_t count = std::min(out.size(), bytes_.size());
  if (max_chunk_ != 0) count = std::min(count, max_chunk_);
  if (count > 0) std::memcpy(out.data(), bytes_.data(), count);
  bytes_.remove_prefix(count);
  *n = count;
  return true;
}

}  // namespace tuskd::predict
