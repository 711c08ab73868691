// ByteSource: how a predictor reads an upload's (uncompressed) bytes, front to back, and
// MemoryByteSource, the one over bytes in memory that tests and small inputs use. A source is
// used by one thread at a time; nothing here throws.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>

namespace tuskd::predict {

// A sequential reader of an upload's (uncompressed) bytes.
class ByteSource {
 public:
  virtual ~ByteSource();
  // Reads up to out.size() bytes into `out` and stores the count in *n; *n == 0 means the end.
  // Returns false on an I/O error, with a reason in *error; the source is then unusable.
  virtual bool Read(std::span<char> out, size_t* n, std::string* error) = 0;
};

// A ByteSource over bytes the caller keeps alive. Handy for tests and small inputs. `max_chunk`
// caps each Read (0: no cap) so tests can force pieces that straddle any boundary.
class MemoryByteSource : public ByteSource {
 public:
  explicit MemoryByteSource(std::string_view bytes, size_t max_chunk = 0)
      : bytes_(bytes), max_chunk_(max_chunk) {}
  bool Read(std::span<char> out, size_t* n, std::string* error) override;

 private:
  std::string_view bytes_;
  size_t max_chunk_;
};

}  // namespace tuskd::predict
