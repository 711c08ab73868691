// --compression and --compression-level (server/server_config.h): values, defaults, the
// TUSKD_* variables and the refusals.
#include <gtest/gtest.h>

#include <cstdlib>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "server/server_config.h"

namespace tuskd::server {
namespace {

std::optional<ServerConfig> Parse(std::vector<std::string> args, int* exit_code) {
  args.insert(args.begin(), "tuskd");
  std::vector<char*> argv;
  for (auto& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  std::ostringstream sink;  // keeps the error text out of the test log
  std::streambuf* old = std::cerr.rdbuf(sink.rdbuf());
  auto config = ParseServerConfig(static_cast<int>(args.size()), argv.data(), exit_code);
  std::cerr.rdbuf(old);
  return config;
}

TEST(CompressionConfigTest, DefaultsToNoneAtTheDefaultLevel) {
  int code = -1;
  auto config = Parse({}, &code);
  ASSERT_TRUE(config);
  EXPECT_EQ(config->compression, compress::CompressionMode::kNone);
  EXPECT_EQ(config->compression_level, compress::kDefaultCompressionLevel);
}

TEST(CompressionConfigTest, ReadsModesAndLevels) {
  for (const char* mode : {"none", "zstd", "auto"}) {
    int code = -1;
    auto config = Parse({"--compression", mode, "--compression-level", "6"}, &code);
    ASSERT_TRUE(config) << mode;
    EXPECT_EQ(config->compression, compress::CompressionModeFromString(mode));
    EXPECT_EQ(config->compression_level, 6);
  }
}

TEST(CompressionConfigTest, ReadsEnvironmentVariables) {
  ::setenv("TUSKD_COMPRESSION", "auto", 1);
  ::setenv("TUSKD_COMPRESSION_LEVEL", "1", 1);
  int code = -1;
  auto config = Parse({}, &code);
  ::unsetenv("TUSKD_COMPRESSION");
  ::unsetenv("TUSKD_COMPRESSION_LEVEL");
  ASSERT_TRUE(config);
  EXPECT_EQ(config->compression, compress::CompressionMode::kAuto);
  EXPECT_EQ(config->compression_level, 1);
}

TEST(CompressionConfigTest, RefusesUnknownModesAndLevels) {
  for (const std::vector<std::string>& args :
       std::vector<std::vector<std::string>>{{"--compression", "gzip"},
                                             {"--compression", "ZSTD"},
                                             {"--compression-level", "0"},
                                             {"--compression-level", "20"},
                                             {"--compression-level", "-3"},
                                             {"--compression-level", "fast"}}) {
    int code = -1;
    EXPECT_FALSE(Parse(args, &code)) << args[0] << " " << args[1];
    EXPECT_EQ(code, 2) << args[0] << " " << args[1];
  }
}

}  // namespace
}  // namespace tuskd::server
