// server_config: ParseServerConfig (flags, TUSKD_* variables, the exit code for bad values).
#include "server/server_config.h"

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

namespace tuskd::server {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// Sets an environment variable for one test and restores the previous value.
class ScopedEnv {
 public:
  ScopedEnv(std::string name, const std::string& value) : name_(std::move(name)) {
    if (const char* old = std::getenv(name_.c_str())) old_ = old;
    ::setenv(name_.c_str(), value.c_str(), 1);
  }
  ~ScopedEnv() {
    if (old_) {
      ::setenv(name_.c_str(), old_->c_str(), 1);
    } else {
      ::unsetenv(name_.c_str());
    }
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  std::string name_;
  std::optional<std::string> old_;
};

struct ParseResult {
  std::optional<ServerConfig> config;
  int exit_code = -1;
};

ParseResult Parse(std::vector<std::string> args) {
  args.insert(args.begin(), "tuskd");
  std::vector<char*> argv;
  for (auto& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  ParseResult result;
  result.config = ParseServerConfig(static_cast<int>(args.size()), argv.data(), &result.exit_code);
  return result;
}

// ---- ParseServerConfig ----

TEST(ParseServerConfigTest, DefaultsWithoutFlags) {
  ParseResult result = Parse({});
  ASSERT_TRUE(result.config);
  const ServerConfig& c = *result.config;
  EXPECT_EQ(c.host, "0.0.0.0");
  EXPECT_EQ(c.port, 1080);
  EXPECT_EQ(c.base_path, "/files/");
  EXPECT_EQ(c.max_size, 0u);
  EXPECT_GE(c.threads, 1u);
  EXPECT_EQ(c.checkpoint_bytes, 64ull << 20);
  EXPECT_EQ(c.piece_bytes, 256u << 10);
  EXPECT_EQ(c.header_timeout, seconds(30));
  EXPECT_EQ(c.idle_timeout, seconds(120));
  EXPECT_EQ(c.body_timeout, seconds(60));
  EXPECT_EQ(c.expiration, seconds(7 * 86400));
  EXPECT_EQ(c.lock_timeout, milliseconds(3000));
  EXPECT_EQ(c.shutdown_timeout, seconds(10));
  EXPECT_EQ(c.cors_origins, std::vector<std::string>{"*"});
  EXPECT_FALSE(c.behind_proxy);
  EXPECT_EQ(c.log_format, LogFormat::kText);
}

TEST(ParseServerConfigTest, ReadsEveryKindOfFlag) {
  ParseResult result = Parse({"--host",
                              "127.0.0.1",
                              "--port",
                              "0",
                              "--base-path",
                              "uploads",
                              "--data-dir",
                              "/d",
                              "--max-size",
                              "10M",
                              "--checkpoint-bytes",
                              "1K",
                              "--buffer-size",
                              "64K",
                              "--header-timeout",
                              "2s",
                              "--idle-timeout",
                              "1m",
                              "--body-timeout",
                              "1",
                              "--expiration",
                              "0",
                              "--sweep-interval",
                              "1s",
                              "--lock-timeout",
                              "0",
                              "--shutdown-timeout",
                              "3s",
                              "--cors-origins",
                              " https://a.example, ,https://b.example ",
                              "--behind-proxy",
                              "--log-format",
                              "json",
                              "--threads",
                              "3"});
  ASSERT_TRUE(result.config);
  const ServerConfig& c = *result.config;
  EXPECT_EQ(c.host, "127.0.0.1");
  EXPECT_EQ(c.port, 0);
  EXPECT_EQ(c.base_path, "/uploads/");  // normalized to start and end with '/'
  EXPECT_EQ(c.data_dir, "/d");
  EXPECT_EQ(c.max_size, 10ull << 20);
  EXPECT_EQ(c.checkpoint_bytes, 1024u);
  EXPECT_EQ(c.piece_bytes, 64u << 10);
  EXPECT_EQ(c.header_timeout, seconds(2));
  EXPECT_EQ(c.idle_timeout, seconds(60));
  EXPECT_EQ(c.body_timeout, seconds(1));
  EXPECT_EQ(c.expiration, seconds(0));
  EXPECT_EQ(c.sweep_interval, seconds(1));
  EXPECT_EQ(c.lock_timeout, milliseconds(0));
  EXPECT_EQ(c.shutdown_timeout, seconds(3));
  EXPECT_EQ(c.cors_origins, (std::vector<std::string>{"https://a.example", "https://b.example"}));
  EXPECT_TRUE(c.behind_proxy);
  EXPECT_EQ(c.log_format, LogFormat::kJson);
  EXPECT_EQ(c.threads, 3u);
}

TEST(ParseServerConfigTest, ReadsEnvironmentVariables) {
  ScopedEnv max_size("TUSKD_MAX_SIZE", "1K");
  ScopedEnv base_path("TUSKD_BASE_PATH", "/up/");
  ScopedEnv timeout("TUSKD_BODY_TIMEOUT", "5m");
  ScopedEnv lock("TUSKD_LOCK_TIMEOUT", "250");
  ScopedEnv unrelated("TUSKD_NOT_A_FLAG", "whatever");  // ignored, not an error
  ParseResult result = Parse({});
  ASSERT_TRUE(result.config);
  EXPECT_EQ(result.config->max_size, 1024u);
  EXPECT_EQ(result.config->base_path, "/up/");
  EXPECT_EQ(result.config->body_timeout, seconds(300));
  EXPECT_EQ(result.config->lock_timeout, milliseconds(250));
}

TEST(ParseServerConfigTest, FlagWinsOverEnvironmentVariable) {
  ScopedEnv port("TUSKD_PORT", "9999");
  ScopedEnv max_size("TUSKD_MAX_SIZE", "1K");
  ParseResult result = Parse({"--port", "7", "--max-size", "2K"});
  ASSERT_TRUE(result.config);
  EXPECT_EQ(result.config->port, 7);
  EXPECT_EQ(result.config->max_size, 2048u);
}

TEST(ParseServerConfigTest, BehindProxyFromEnvironment) {
  ScopedEnv behind("TUSKD_BEHIND_PROXY", "1");
  ParseResult result = Parse({});
  ASSERT_TRUE(result.config) << "exit code " << result.exit_code;
  EXPECT_TRUE(result.config->behind_proxy);
}

TEST(ParseServerConfigTest, TlsCertificateAndKeyFromFlagsOrEnvironment) {
  ParseResult plain = Parse({});
  ASSERT_TRUE(plain.config);
  EXPECT_TRUE(plain.config->tls_cert.empty());
  ParseResult flags = Parse({"--tls-cert", "/etc/c.pem", "--tls-key", "/etc/k.pem"});
  ASSERT_TRUE(flags.config) << "exit code " << flags.exit_code;
  EXPECT_EQ(flags.config->tls_cert, "/etc/c.pem");
  EXPECT_EQ(flags.config->tls_key, "/etc/k.pem");
  ScopedEnv cert("TUSKD_TLS_CERT", "/env/c.pem");
  ScopedEnv key("TUSKD_TLS_KEY", "/env/k.pem");
  ParseResult env = Parse({});
  ASSERT_TRUE(env.config) << "exit code " << env.exit_code;
  EXPECT_EQ(env.config->tls_cert, "/env/c.pem");
  EXPECT_EQ(env.config->tls_key, "/env/k.pem");
}

// Captures what ParseServerConfig prints on a stream (std::cout or std::cerr).
class CapturedStream {
 public:
  explicit CapturedStream(std::ostream& stream)
      : stream_(stream), old_(stream.rdbuf(text_.rdbuf())) {}
  ~CapturedStream() { stream_.rdbuf(old_); }
  CapturedStream(const CapturedStream&) = delete;
  CapturedStream& operator=(const CapturedStream&) = delete;
  std::string text() const { return text_.str(); }

 private:
  std::ostream& stream_;
  std::ostringstream text_;
  std::streambuf* old_;
};

TEST(ParseServerConfigTest, HelpDocumentsEveryFlagAndExitsZero) {
  for (const char* flag : {"--help", "-h"}) {
    CapturedStream out(std::cout);
    ParseResult result = Parse({flag});
    EXPECT_FALSE(result.config) << flag;
    EXPECT_EQ(result.exit_code, 0) << flag;
    for (const char* name : {"--host",
                             "--port",
                             "--base-path",
                             "--data-dir",
                             "--max-size",
                             "--header-timeout",
                             "--idle-timeout",
                             "--body-timeout",
                             "--min-body-rate",
                             "--expiration",
                             "--sweep-interval",
                             "--lock-timeout",
                             "--checkpoint-bytes",
                             "--buffer-size",
                             "--shutdown-timeout",
                             "--cors-origins",
                             "--behind-proxy",
                             "--tls-cert",
                             "--tls-key",
                             "--prediction-lookup",
                             "--max-concat-parts",
                             "TUSKD_"}) {
      EXPECT_NE(out.text().find(name), std::string::npos) << name;
    }
  }
}

TEST(ParseServerConfigTest, VersionExitsZero) {
  CapturedStream out(std::cout);
  ParseResult result = Parse({"--version"});
  EXPECT_FALSE(result.config);
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_NE(out.text().find("tus 1.0.0"), std::string::npos) << out.text();
}

TEST(ParseServerConfigTest, BadValuesExitTwo) {
  const std::vector<std::vector<std::string>> cases = {
      {"--port", "70000"},
      {"--port", "abc"},
      {"--max-size", "10Q"},
      {"--checkpoint-bytes", "0"},
      {"--buffer-size", "1K"},
      {"--buffer-size", "8M"},
      {"--header-timeout", "1.5s"},
      {"--body-timeout", "soon"},
      {"--min-body-rate", "fast"},
      {"--prediction-lookup", "secret"},
      {"--max-concat-parts", "0"},
      {"--expiration", "-1"},
      {"--sweep-interval", "0"},
      {"--lock-timeout", "x"},
      {"--log-format", "xml"},
      {"--no-such-flag"},
      {"--port"},
      {"--tls-cert", "c.pem"},
      {"--tls-key", "k.pem"},
  };
  for (const auto& args : cases) {
    std::string flags = args[0] + " " + (args.size() > 1 ? args[1] : "");
    CapturedStream err(std::cerr);
    ParseResult result = Parse(args);
    EXPECT_FALSE(result.config) << flags;
    EXPECT_EQ(result.exit_code, 2) << flags;
    EXPECT_EQ(err.text().rfind("tuskd: ", 0), 0u) << flags << ": " << err.text();
  }
}

TEST(ParseServerConfigTest, BadEnvironmentValueExitsTwo) {
  ScopedEnv max_size("TUSKD_MAX_SIZE", "lots");
  CapturedStream err(std::cerr);
  ParseResult result = Parse({});
  EXPECT_FALSE(result.config);
  EXPECT_EQ(result.exit_code, 2);
}

TEST(ParseServerConfigTest, BinaryExitsTwoOnABadFlag) {
  std::string command = std::string(TUSKD_BINARY) + " --port nope >/dev/null 2>&1";
  int status = std::system(command.c_str());
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 2);
}

}  // namespace
}  // namespace tuskd::server
