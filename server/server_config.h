// tuskd's configuration: every flag, with a matching TUSKD_* environment variable (the flag
// wins). Parsed once at start-up; read-only afterwards, so safe to share between threads.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/log.h"
#include "compress/compression_choice.h"

namespace tuskd::server {

// Who may look a prediction up by content hash (GET /predictions/<sha256>), which tells whether
// anyone uploaded that content: anyone, or only callers with the admin token.
enum class PredictionLookup { kOpen, kAdmin };

struct ServerConfig {
  std::string host = "0.0.0.0";
  uint16_t port = 1080;
  std::string base_path = "/files/";  // always starts and ends with '/'
  std::string data_dir = "./data";
  uint64_t max_size = 0;  // bytes; 0: no limit
  unsigned threads = 0;   // io threads; 0: one per core
  unsigned commit_threads = 2;
  uint64_t checkpoint_bytes = 64ull << 20;
  size_t piece_bytes = 256 << 10;  // body bytes read per piece (the per-thread buffer)
  std::chrono::seconds header_timeout{30};
  std::chrono::seconds idle_timeout{120};
  std::chrono::seconds body_timeout{60};  // longest a body may stall
  uint64_t min_body_rate = 256;  // bytes/s a body must average over each body_timeout; 0: off
  std::chrono::seconds expiration{7 * 24 * 3600};  // 0: uploads never expire
  std::chrono::seconds sweep_interval{60};
  std::chrono::milliseconds lock_timeout{3000};  // wait for a holder to let go, then 423
  std::chrono::seconds shutdown_timeout{10};
  std::vector<std::string> cors_origins = {"*"};
  bool behind_proxy = false;
  // HTTPS: PEM certificate chain and key (both or neither; empty: plain HTTP).
  std::string tls_cert;
  std::string tls_key;
  LogFormat log_format = LogFormat::kText;
  // Completion pipeline: which predictor runs on new content, and how.
  std::string predictor = "builtin:content-info";
  std::chrono::milliseconds predictor_timeout{60000};
  unsigned predictor_concurrency = 2;
  int predictor_attempts = 5;
  PredictionLookup prediction_lookup = PredictionLookup::kOpen;
  // Compression at rest of new uploads: none | zstd | auto (zstd unless the content is already
  // compressed), and the zstd level.
  compress::CompressionMode compression = compress::CompressionMode::kNone;
  int compression_level = compress::kDefaultCompressionLevel;
  // Concatenation (parallel uploads), and whether joined parts are terminated.
  bool concatenation = true;
  bool concat_remove_parts = false;
  // The most parts one final upload may name (each is a record read and a join to run).
  unsigned max_concat_parts = 256;
};

// Parses argv and the environment. Returns nullopt after printing --help/--version (exit 0) or
// an error (exit 2) to the given streams; *exit_code says which.
std::optional<ServerConfig> ParseServerConfig(int argc, char** argv, int* exit_code);

}  // namespace tuskd::server
