// The predictor seam of the completion pipeline (docs/architecture.md, "A PATCH, file by file"): when an
// upload completes, a worker hands its bytes and description to a Predictor, which returns a
// JSON result or an error that says whether a retry could help. Three kinds exist, chosen by
// the --predictor spec: builtin:content-info, exec:/path/to/program and http(s)://...
// Thread-safety: a Predictor is shared by all worker threads, so Predict() must be safe to call
// concurrently. A ByteSource is used by one thread at a time. Nothing here throws.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

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

class Predictor {
 public:
  virtual ~Predictor();
  // The spec this predictor was made from, e.g. "exec:/usr/local/bin/classify".
  virtual std::string name() const = 0;
  // Blocking; called from worker threads, concurrently. Never throws: every failure, including
  // a failing ByteSource, comes back as an outcome with ok == false.
  virtual PredictionOutcome Predict(const PredictionInput& input) = 0;
};

struct PredictorOptions {
  // Per prediction, for exec and http (the builtin has none: it is bounded by the data).
  std::chrono::milliseconds timeout{60000};
  // How many exec/http predictions may run at once; further callers wait. 0 counts as 1.
  size_t max_concurrency = 2;
};

// Makes the predictor named by `spec`: "builtin:content-info", "exec:/absolute/path" (which
// must be an executable file) or an "http://" / "https://" URL with a host. Returns nullptr with
// a reason in *error for anything else, so a bad --predictor fails at start-up.
std::unique_ptr<Predictor> MakePredictor(const std::string& spec, const PredictorOptions& options,
                                         std::string* error);

// UTF-8 helpers shared by the predictors: metadata and program output are untrusted bytes, and
// nlohmann::json::dump throws on invalid UTF-8.
// The length of the longest prefix of `bytes` that is valid UTF-8 (RFC 3629: no overlongs, no
// surrogates, nothing above U+10FFFF).
size_t ValidUtf8Prefix(std::string_view bytes);
// `bytes` with each invalid sequence replaced by U+FFFD.
std::string ToValidUtf8(std::string_view bytes);

}  // namespace tuskd::predict
