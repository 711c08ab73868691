// --log-format against a real tuskd. json: every stderr line is one JSON object with ts, level,
// component and msg, including a predictor's own stderr (special characters escaped), a failed
// prediction and the SIGTERM "shutting down"; the listening line stays plain on stdout (Start()
// parses it). text: the lines keep their "tuskd: " prefix.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/server/raw_client.h"
#include "tests/server/tuskd_process.h"

namespace tuskd::server::testing {
namespace {

// What the predictor writes to its stderr: a quote, a backslash and a tab, which JSON escapes.
const std::string kPredictorLine = "said \"no\" \\ with\ta tab";

// A predictor that writes kPredictorLine to stderr and fails for good (exit 3), so tuskd logs
// both the program's line and the failed prediction.
class FailingProgram {
 public:
  FailingProgram() {
    char tmpl[] = "/tmp/tuskd-log-predictor-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
    path_ = dir_ + "/predict.sh";
    std::ofstream(path_) << "#!/bin/sh\n"
                         << "cat >/dev/null\n"
                         << "printf '%s\\n' '" << kPredictorLine << "' >&2\n"
                         << "exit 3\n";
    ::chmod(path_.c_str(), 0700);
  }
  ~FailingProgram() { std::filesystem::remove_all(dir_); }
  std::string spec() const { return "exec:" + path_; }

 private:
  std::string dir_;
  std::string path_;
};

std::string UploadComplete(uint16_t port, const std::string& data) {
  CreatedUpload upload = CreateUpload(port, data.size());
  EXPECT_EQ(upload.response.status, 201);
  RawClient client(port);
  HttpResponse r = client.RoundTrip(PatchRequest(upload.path, 0, data));
  EXPECT_EQ(r.status, 204) << r.body;
  return upload.id;
}

// Polls the server's stderr until it holds `needle` (or 10 s pass).
bool WaitForLog(const TuskdProcess& server, const std::string& needle) {
  for (int i = 0; i < 200; ++i) {
    if (server.Log().find(needle) != std::string::npos) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

std::vector<nlohmann::json> ParseJsonLines(const std::string& log) {
  std::vector<nlohmann::json> objects;
  std::istringstream in(log);
  for (std::string line; std::getline(in, line);) {
    nlohmann::json parsed = nlohmann::json::parse(line, nullptr, false);
    EXPECT_TRUE(parsed.is_object()) << "not a JSON object: " << line;
    if (parsed.is_object()) objects.push_back(std::move(parsed));
  }
  return objects;
}

TEST(LogFormatTest, JsonWritesOneObjectPerStderrLine) {
  FailingProgram program;
  TuskdProcess server(
      {"--log-format", "json", "--predictor", program.spec(), "--predictor-attempts", "1"});
  std::string error;
  ASSERT_TRUE(server.Start(&error)) << error;
  const std::string upload_id = UploadComplete(server.port(), TestBytes(1000, 61));
  ASSERT_TRUE(WaitForLog(server, "prediction for")) << server.Log();
  EXPECT_EQ(server.Stop(std::chrono::seconds(10)), 0) << server.Log();

  const std::string log = server.Log();
  std::vector<nlohmann::json> lines = ParseJsonLines(log);
  ASSERT_GE(lines.size(), 3u) << log;
  const std::regex rfc3339(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)");
  bool predictor_line = false, failure_line = false, shutdown_line = false;
  for (const nlohmann::json& line : lines) {
    ASSERT_TRUE(line["ts"].is_string() && line["level"].is_string() &&
                line["component"].is_string() && line["msg"].is_string())
        << line.dump();
    EXPECT_TRUE(std::regex_match(line["ts"].get<std::string>(), rfc3339)) << line.dump();
    EXPECT_TRUE(line["level"] == "info" || line["level"] == "warn" || line["level"] == "error")
        << line.dump();
    if (line["component"] == "predictor" && line["msg"] == kPredictorLine) {
      predictor_line = true;
      EXPECT_EQ(line.value("upload_id", ""), upload_id) << line.dump();
      EXPECT_EQ(line.value("predictor", ""), program.spec()) << line.dump();
    }
    if (line["component"] == "prediction" && line["level"] == "warn") {
      failure_line = true;
      EXPECT_NE(line["msg"].get<std::string>().find("exit status 3"), std::string::npos)
          << line.dump();
      EXPECT_EQ(line.value("attempt", 0), 1) << line.dump();
    }
    if (line["component"] == "server" && line["msg"] == "shutting down") {
      shutdown_line = true;
      EXPECT_EQ(line["level"], "info");
    }
  }
  EXPECT_TRUE(predictor_line) << log;
  EXPECT_TRUE(failure_line) << log;
  EXPECT_TRUE(shutdown_line) << log;
}

TEST(LogFormatTest, TextKeepsThePlainPrefixedLines) {
  TuskdProcess server;
  std::string error;
  ASSERT_TRUE(server.Start(&error)) << error;
  // An answer means Run() is serving, so SIGTERM meets its handler (the listening line comes
  // just before Run() installs it).
  ASSERT_EQ(Exchange(server.port(), "GET", "/healthz", {}).status, 200);
  EXPECT_EQ(server.Stop(std::chrono::seconds(10)), 0) << server.Log();
  EXPECT_NE(server.Log().find("tuskd: shutting down\n"), std::string::npos) << server.Log();
  EXPECT_EQ(server.Log().find('{'), std::string::npos) << server.Log();
}

}  // namespace
}  // namespace tuskd::server::testing
