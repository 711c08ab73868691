// The completion pipeline through a real tuskd with an exec predictor that counts its runs:
// the same content uploaded twice runs the predictor once and the second upload reports a cache
// hit; a job queued or running when tuskd is killed with -9 is done after the restart (I7); the
// results API answers 404 for what it does not know, and the lookup by hash can be kept to
// holders of the admin token.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "store/admin_file.h"
#include "tests/server/raw_client.h"
#include "tests/server/tuskd_process.h"

namespace tuskd::server::testing {
namespace {

// A predictor program that appends a line to `runs` each time it starts, hangs while `hold`
// exists (so a test can kill tuskd mid-prediction), and answers with the byte count it read.
class CountingProgram {
 public:
  CountingProgram() {
    char tmpl[] = "/tmp/tuskd-predictor-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
    path_ = dir_ + "/predict.sh";
    std::ofstream(path_) << "#!/bin/sh\n"
                         << "echo run >> " << dir_ << "/runs\n"
                         << "while [ -e " << dir_ << "/hold ]; do sleep 0.05; done\n"
                         << "n=$(wc -c)\n"
                         << "echo \"{\\\"bytes\\\": $n}\"\n";
    ::chmod(path_.c_str(), 0700);
  }
  ~CountingProgram() { std::filesystem::remove_all(dir_); }
  std::string spec() const { return "exec:" + path_; }
  void Hold() { std::ofstream(dir_ + "/hold") << "1"; }
  void Release() { std::filesystem::remove(dir_ + "/hold"); }
  int runs() const {
    std::ifstream in(dir_ + "/runs");
    int lines = 0;
    for (std::string line; std::getline(in, line);) ++lines;
    return lines;
  }

 private:
  std::string dir_;
  std::string path_;
};

std::string Upload(uint16_t port, const std::string& data) {
  CreatedUpload upload = CreateUpload(port, data.size());
  EXPECT_EQ(upload.response.status, 201);
  RawClient client(port);
  HttpResponse r = client.RoundTrip(PatchRequest(upload.path, 0, data));
  EXPECT_EQ(r.status, 204) << r.body;
  return upload.path;
}

// Polls `target` until its JSON status is `want` (or 10 s pass); returns the last document.
nlohmann::json WaitForStatus(uint16_t port, const std::string& target, const std::string& want) {
  nlohmann::json doc;
  for (int i = 0; i < 200; ++i) {
    HttpResponse r = Exchange(port, "GET", target, {});
    doc = nlohmann::json::parse(r.body, nullptr, false);
    if (r.status == 200 && !doc.is_discarded() && doc.value("status", "") == want) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return doc;
}

TEST(PredictionPipelineTest, SameContentTwicePredictsOnceAndTheSecondIsACacheHit) {
  CountingProgram program;
  TuskdProcess server({"--predictor", program.spec()});
  std::string error;
  ASSERT_TRUE(server.Start(&error)) << error;
  const std::string data = TestBytes(300000, 7);
  std::string first = Upload(server.port(), data);
  nlohmann::json one = WaitForStatus(server.port(), first + "/prediction", "done");
  EXPECT_EQ(one["result"]["bytes"], data.size());
  EXPECT_EQ(one["cache_hit"], false);
  EXPECT_EQ(one["sha256"], Sha256Of(data));

  std::string second = Upload(server.port(), data);
  nlohmann::json two = WaitForStatus(server.port(), second + "/prediction", "done");
  EXPECT_EQ(two["cache_hit"], true);
  EXPECT_EQ(two["result"], one["result"]);
  EXPECT_EQ(program.runs(), 1);

  nlohmann::json by_hash = WaitForStatus(server.port(), "/predictions/" + Sha256Of(data), "done");
  EXPECT_EQ(by_hash["result"], one["result"]);
}

TEST(PredictionPipelineTest, JobRunningAtKillNineIsDoneAfterRestart) {
  CountingProgram program;
  program.Hold();
  TuskdProcess server({"--predictor", program.spec()});
  std::string error;
  ASSERT_TRUE(server.Start(&error)) << error;
  const std::string data = TestBytes(100000, 8);
  std::string path = Upload(server.port(), data);
  nlohmann::json running = WaitForStatus(server.port(), path + "/prediction", "running");
  ASSERT_EQ(running.value("status", ""), "running");

  server.Kill9();
  program.Release();
  ASSERT_TRUE(server.Restart(&error)) << error;
  nlohmann::json done = WaitForStatus(server.port(), path + "/prediction", "done");
  EXPECT_EQ(done.value("status", ""), "done") << done.dump();
  EXPECT_EQ(done["result"]["bytes"], data.size());
  EXPECT_EQ(program.runs(), 2);  // the killed run, then the one after restart
}

TEST(PredictionPipelineTest, ResultsApiAnswers404ForWhatItDoesNotKnow) {
  TuskdProcess server;
  std::string error;
  ASSERT_TRUE(server.Start(&error)) << error;
  EXPECT_EQ(Exchange(server.port(), "GET", "/predictions/" + std::string(64, 'a'), {}).status, 404);
  EXPECT_EQ(Exchange(server.port(), "GET", "/predictions/not-a-hash", {}).status, 404);
  CreatedUpload open = CreateUpload(server.port(), 10);
  HttpResponse incomplete = Exchange(server.port(), "GET", open.path + "/prediction", {});
  EXPECT_EQ(incomplete.status, 404);
  EXPECT_EQ(incomplete.body.rfind("ERR_PREDICTION_NOT_FOUND: ", 0), 0u) << incomplete.body;
  EXPECT_EQ(
      Exchange(server.port(), "GET", "/files/" + std::string(32, '0') + "/prediction", {}).status,
      404);
  EXPECT_EQ(Exchange(server.port(), "POST", open.path + "/prediction").status, 405);
}

// --prediction-lookup admin: the lookup by hash would tell anyone whether some content was
// uploaded, so it answers only with the admin token, and a refusal does not say whether the
// hash is known. The per-upload result stays open.
TEST(PredictionPipelineTest, LookupByHashNeedsTheAdminTokenWhenAsked) {
  TuskdProcess server({"--prediction-lookup", "admin"});
  std::string error;
  ASSERT_TRUE(server.Start(&error)) << error;
  const std::string data = TestBytes(1000, 9);
  std::string path = Upload(server.port(), data);
  WaitForStatus(server.port(), path + "/prediction", "done");
  const std::string known = "/predictions/" + Sha256Of(data);
  const std::string unknown = "/predictions/" + std::string(64, 'b');
  std::optional<store::AdminInfo> admin = store::ReadAdminFile(server.data_dir());
  ASSERT_TRUE(admin);

  for (const HeaderFields& headers :
       {HeaderFields{}, HeaderFields{{"Authorization", "Bearer " + admin->token + "x"}},
        HeaderFields{{"Authorization", admin->token}}}) {
    for (const std::string& target : {known, unknown}) {
      HttpResponse r = Exchange(server.port(), "GET", target, headers);
      EXPECT_EQ(r.status, 403) << target;
      EXPECT_EQ(r.body.rfind("ERR_LOOKUP_FORBIDDEN: ", 0), 0u) << r.body;
    }
  }
  const HeaderFields bearer = {{"Authorization", "Bearer " + admin->token}};
  HttpResponse found = Exchange(server.port(), "GET", known, bearer);
  EXPECT_EQ(found.status, 200) << found.body;
  EXPECT_EQ(nlohmann::json::parse(found.body, nullptr, false).value("status", ""), "done");
  EXPECT_EQ(Exchange(server.port(), "GET", unknown, bearer).status, 404);
  EXPECT_EQ(Exchange(server.port(), "GET", path + "/prediction", {}).status, 200);
}

}  // namespace
}  // namespace tuskd::server::testing
