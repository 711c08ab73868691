#include "server/server_config.h"

#include <algorithm>
#include <cctype>
#include <iostream>
#include <thread>

#include <boost/program_options.hpp>

#include "base/quantity.h"

namespace po = boost::program_options;

namespace tuskd::server {
namespace {

std::string NormalizeBasePath(std::string path) {
  if (path.empty() || path.front() != '/') path.insert(path.begin(), '/');
  if (path.back() != '/') path.push_back('/');
  return path;
}

std::vector<std::string> SplitList(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    if (comma == std::string::npos) comma = text.size();
    std::string item = text.substr(start, comma - start);
    item.erase(0, item.find_first_not_of(' '));
    item.erase(item.find_last_not_of(' ') + 1);
    if (!item.empty()) out.push_back(item);
    start = comma + 1;
  }
  return out;
}

// The flags, in the order --help lists them, added a concern at a time.
void AddListenOptions(po::options_description& d) {
  d.add_options()("help,h", "show this help and exit")("version", "print the version and exit")(
      "host", po::value<std::string>()->default_value("0.0.0.0"), "address to listen on")(
      "port", po::value<unsigned>()->default_value(1080),
      "TCP port (0: pick a free one; the chosen one is printed)")(
      "base-path", po::value<std::string>()->default_value("/files/"),
      "URL path of the upload collection")(
      "data-dir", po::value<std::string>()->default_value("./data"),
      "directory for the RocksDB state (db/) and upload data (uploads/)")(
      "max-size", po::value<std::string>()->default_value("0"),
      "largest upload accepted, bytes with optional K/M/G/T suffix (0: no limit)");
}

void AddThreadAndBufferOptions(po::options_description& d) {
  d.add_options()("threads", po::value<unsigned>()->default_value(0),
                  "io threads (0: one per core)")(
      "commit-threads", po::value<unsigned>()->default_value(2),
      "threads that run fdatasync and RocksDB commits off the io threads")(
      "checkpoint-bytes", po::value<std::string>()->default_value("64M"),
      "commit inside a long body every this many bytes")(
      "buffer-size", po::value<std::string>()->default_value("256K"),
      "bytes read per body piece (one buffer per io thread, 4K-4M)");
}

void AddTimeoutOptions(po::options_description& d) {
  d.add_options()("header-timeout", po::value<std::string>()->default_value("30s"),
                  "longest wait for a complete request head")(
      "idle-timeout", po::value<std::string>()->default_value("120s"),
      "close keep-alive connections idle this long")(
      "body-timeout", po::value<std::string>()->default_value("60s"),
      "longest a request body may stall before it is committed and ended")(
      "min-body-rate", po::value<std::string>()->default_value("256"),
      "bytes per second a request body must average over each --body-timeout, or it is "
      "committed and ended with 408 (0: no minimum)")(
      "expiration", po::value<std::string>()->default_value("7d"),
      "unfinished uploads expire this long after their last write (0: never)")(
      "sweep-interval", po::value<std::string>()->default_value("60s"),
      "how often expired uploads are removed")(
      "lock-timeout", po::value<unsigned>()->default_value(3000),
      "ms to wait for an older request on the same upload to let go before 423")(
      "shutdown-timeout", po::value<std::string>()->default_value("10s"),
      "on SIGTERM/SIGINT, longest wait for in-flight requests");
}

void AddHttpOptions(po::options_description& d) {
  d.add_options()("cors-origins", po::value<std::string>()->default_value("*"),
                  "comma-separated allowed browser origins ('*': any)")(
      "tls-cert", po::value<std::string>()->default_value(""),
      "PEM certificate chain (leaf first): serve HTTPS (TLS 1.2+) instead of HTTP; needs "
      "--tls-key; SIGHUP reads both files again")(
      "tls-key", po::value<std::string>()->default_value(""), "PEM private key of --tls-cert")(
      "behind-proxy", po::bool_switch(),
      "trust Forwarded / X-Forwarded-Host / X-Forwarded-Proto for Location URLs")(
      "log-format", po::value<std::string>()->default_value("text"),
      "stderr log lines: text | json (one object per line: ts, level, component, msg, fields)");
}

void AddPredictionOptions(po::options_description& d) {
  d.add_options()("predictor", po::value<std::string>()->default_value("builtin:content-info"),
                  "what runs on each new content hash: builtin:content-info | "
                  "exec:/path/to/program | http(s)://host/path")(
      "predictor-timeout", po::value<std::string>()->default_value("60s"),
      "longest one exec/http prediction may take")(
      "predictor-concurrency", po::value<unsigned>()->default_value(2), "predictions run at once")(
      "predictor-attempts", po::value<unsigned>()->default_value(5),
      "tries of a failing prediction (backoff doubles from 2s) before it is recorded as failed")(
      "prediction-lookup", po::value<std::string>()->default_value("open"),
      "who may GET /predictions/<sha256> (which tells whether anyone uploaded that content): "
      "open | admin (only with the admin token of <data-dir>/admin.json)");
}

void AddUploadFeatureOptions(po::options_description& d) {
  d.add_options()("compression", po::value<std::string>()->default_value("none"),
                  "compression at rest of new uploads: none | zstd | auto (zstd, except content "
                  "already compressed by its filetype or magic bytes)")(
      "concatenation", po::value<std::string>()->default_value("on"),
      "on | off: the concatenation and concatenation-unfinished extensions (parallel uploads); off "
      "answers Upload-Concat with 501")(
      "max-concat-parts", po::value<unsigned>()->default_value(256),
      "most parts one final upload may name (Upload-Concat: final;...)")(
      "concat-remove-parts", po::bool_switch(),
      "terminate a final upload's parts once it is complete (default: keep them, as the spec lets "
      "clients reuse parts)")(
      "compression-level", po::value<int>()->default_value(compress::kDefaultCompressionLevel),
      "zstd level, 1-19 (higher: smaller, slower; docs/compression.md has measurements)");
}

po::options_description Describe() {
  po::options_description d(
      "tuskd: a resumable-upload server (tus 1.0.0)\n\nOptions (each also as TUSKD_<NAME>, e.g. "
      "TUSKD_MAX_SIZE; a flag wins over the variable)");
  AddListenOptions(d);
  AddThreadAndBufferOptions(d);
  AddTimeoutOptions(d);
  AddHttpOptions(d);
  AddPredictionOptions(d);
  AddUploadFeatureOptions(d);
  return d;
}

std::string EnvToOption(const std::string& env) {
  static const std::string kPrefix = "TUSKD_";
  if (env.rfind(kPrefix, 0) != 0) return {};
  std::string name = env.substr(kPrefix.size());
  std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) {
    return c == '_' ? '-' : static_cast<char>(std::tolower(c));
  });
  static const po::options_description known = Describe();
  return known.find_nothrow(name, false) ? name : std::string();
}

// The byte-size and duration flags (Apply's second half); an error message or "".
std::string ApplySizesAndDurations(const po::variables_map& vm, ServerConfig* c) {
  struct SizeFlag {
    const char* name;
    uint64_t* out;
  };
  uint64_t piece = 0;
  for (auto [name, out] :
       {SizeFlag{"max-size", &c->max_size}, SizeFlag{"checkpoint-bytes", &c->checkpoint_bytes},
        SizeFlag{"buffer-size", &piece}, SizeFlag{"min-body-rate", &c->min_body_rate}}) {
    auto value = ParseByteSize(vm[name].as<std::string>());
    if (!value) return std::string("--") + name + " is not a byte size";
    *out = *value;
  }
  if (piece < 4096 || piece > (4u << 20)) return "--buffer-size must be between 4K and 4M";
  c->piece_bytes = piece;
  if (c->checkpoint_bytes == 0) return "--checkpoint-bytes must be positive";

  struct TimeFlag {
    const char* name;
    std::chrono::seconds* out;
  };
  for (auto [name, out] :
       {TimeFlag{"header-timeout", &c->header_timeout}, TimeFlag{"idle-timeout", &c->idle_timeout},
        TimeFlag{"body-timeout", &c->body_timeout}, TimeFlag{"expiration", &c->expiration},
        TimeFlag{"sweep-interval", &c->sweep_interval},
        TimeFlag{"shutdown-timeout", &c->shutdown_timeout}}) {
    auto value = ParseDuration(vm[name].as<std::string>());
    if (!value) return std::string("--") + name + " is not a duration (e.g. 30s, 15m, 24h, 7d)";
    *out = *value;
  }
  if (c->sweep_interval.count() == 0) return "--sweep-interval must be positive";
  return {};
}

// Fills the config from parsed values; returns an error message or "".
std::string Apply(const po::variables_map& vm, ServerConfig* c) {
  c->host = vm["host"].as<std::string>();
  unsigned port = vm["port"].as<unsigned>();
  if (port > 65535) return "--port must be 0-65535";
  c->port = static_cast<uint16_t>(port);
  c->base_path = NormalizeBasePath(vm["base-path"].as<std::string>());
  c->data_dir = vm["data-dir"].as<std::string>();
  c->threads = vm["threads"].as<unsigned>();
  if (c->threads == 0) c->threads = std::max(1u, std::thread::hardware_concurrency());
  c->commit_threads = std::max(1u, vm["commit-threads"].as<unsigned>());
  c->lock_timeout = std::chrono::milliseconds(vm["lock-timeout"].as<unsigned>());
  c->behind_proxy = vm["behind-proxy"].as<bool>();
  c->tls_cert = vm["tls-cert"].as<std::string>();
  c->tls_key = vm["tls-key"].as<std::string>();
  if (c->tls_cert.empty() != c->tls_key.empty()) return "--tls-cert and --tls-key go together";
  const std::string log_format = vm["log-format"].as<std::string>();
  c->log_format = log_format == "json" ? LogFormat::kJson : LogFormat::kText;
  if (log_format != "text" && log_format != "json") return "--log-format must be text or json";
  c->cors_origins = SplitList(vm["cors-origins"].as<std::string>());
  c->predictor = vm["predictor"].as<std::string>();
  c->predictor_concurrency = std::max(1u, vm["predictor-concurrency"].as<unsigned>());
  c->predictor_attempts = static_cast<int>(std::max(1u, vm["predictor-attempts"].as<unsigned>()));
  std::optional<compress::CompressionMode> compression =
      compress::CompressionModeFromString(vm["compression"].as<std::string>());
  if (!compression) return "--compression must be none, zstd or auto";
  c->compression = *compression;
  std::string concatenation = vm["concatenation"].as<std::string>();
  if (concatenation != "on" && concatenation != "off") return "--concatenation must be on or off";
  c->concatenation = concatenation == "on";
  c->concat_remove_parts = vm["concat-remove-parts"].as<bool>();
  c->max_concat_parts = vm["max-concat-parts"].as<unsigned>();
  if (c->max_concat_parts == 0) return "--max-concat-parts must be positive";
  const std::string lookup = vm["prediction-lookup"].as<std::string>();
  if (lookup != "open" && lookup != "admin") return "--prediction-lookup must be open or admin";
  c->prediction_lookup = lookup == "admin" ? PredictionLookup::kAdmin : PredictionLookup::kOpen;
  c->compression_level = vm["compression-level"].as<int>();
  if (c->compression_level < 1 || c->compression_level > 19)
    return "--compression-level must be between 1 and 19";
  auto predictor_timeout = ParseDuration(vm["predictor-timeout"].as<std::string>());
  if (!predictor_timeout || predictor_timeout->count() == 0)
    return "--predictor-timeout is not a positive duration";
  c->predictor_timeout = *predictor_timeout;
  return ApplySizesAndDurations(vm, c);
}

}  // namespace

std::optional<ServerConfig> ParseServerConfig(int argc, char** argv, int* exit_code) {
  po::options_description desc = Describe();
  po::variables_map vm;
  try {
    po::store(po::parse_command_line(argc, argv, desc), vm);
    po::store(po::parse_environment(desc, EnvToOption), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    std::cerr << "tuskd: " << e.what() << "\n(see tuskd --help)\n";
    *exit_code = 2;
    return std::nullopt;
  }
  if (vm.count("help")) {
    std::cout << desc << "\n";
    *exit_code = 0;
    return std::nullopt;
  }
  if (vm.count("version")) {
    std::cout << "tuskd 0.1.0 (tus 1.0.0)\n";
    *exit_code = 0;
    return std::nullopt;
  }
  ServerConfig config;
  if (std::string error = Apply(vm, &config); !error.empty()) {
    std::cerr << "tuskd: " << error << "\n";
    *exit_code = 2;
    return std::nullopt;
  }
  return config;
}

}  // namespace tuskd::server
