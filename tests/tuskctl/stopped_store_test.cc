// Every read command against a data dir built with UploadStore directly, with no tuskd running
// (the point-in-time read-only open), and --json output parsed.
#include <gtest/gtest.h>

#include <filesystem>
#include <set>
#include <sstream>

#include "store/completion_pipeline.h"
#include "store/rocksdb/writer_lock.h"
#include "tests/tuskctl/tuskctl_test_util.h"
#include "tools/tuskctl/terminal.h"

namespace tuskd::tuskctl::testing {
namespace {

using nlohmann::json;

// A data dir with one upload in every interesting state, built once for the suite.
struct Fixture {
  TempDir dir;
  int64_t now = UnixNow();
  std::string complete_id, cached_id, pending_id, receiving_id, deferred_id, terminated_id,
      expired_id, due_id;
  std::string content = TestBytes(100 << 10, 1);
  std::string other = TestBytes(5000, 2);

  Fixture() {
    DirectStore store(dir.path(), /*expiration_seconds=*/3600);
    // An upload that expired and was swept, at the time a sweep would have found it.
    expired_id = store.Create(50, "old.bin", now - 10000);
    size_t swept = 0;
    EXPECT_TRUE(store->SweepExpired(now - 5000, &swept).ok());
    // Complete in two commits; its job runs, so the cache holds its result.
    complete_id = store.Create(content.size(), "report.pdf", now - 7200);
    store.Append(complete_id, std::string_view(content).substr(0, 40000), now - 7000);
    store.Append(complete_id, std::string_view(content).substr(40000), now - 3700);
    store::PredictionJob job;
    int64_t next_due = 0;
    EXPECT_TRUE(store->pipeline().ClaimNext(now, &job, &next_due));
    EXPECT_TRUE(store->pipeline()
                    .Finish(job, store::JobOutcome::Success({{"type", "application/pdf"}}),
                            "builtin:test", store::RetryPolicy(), now - 3650)
                    .ok());
    // The same content again: a cache hit. Other content: a job left queued.
    cached_id = store.Create(content.size(), "copy.pdf", now - 3000);
    store.Append(cached_id, content, now - 2900);
    pending_id = store.Create(other.size(), "notes.txt", now - 2000);
    store.Append(pending_id, other, now - 1900);
    // Receiving: due for expiry (idle since long ago) and fresh.
    due_id = store.Create(1 << 20, "stalled.iso", now - 8000);
    store.Append(due_id, TestBytes(1000, 3), now - 7900);
    receiving_id =
        store.Create(1 << 20, "video-with-a-rather-long-name-for-the-table.mp4", now - 600);
    store.Append(receiving_id, TestBytes(300 << 10, 4), now - 60);
    deferred_id = store.Create(std::nullopt, "stream.raw", now - 300);
    store.Append(deferred_id, TestBytes(2000, 5), now - 30);
    terminated_id = store.Create(100, "gone.txt", now - 500);
    auto lease = store->locks().TryAcquire(terminated_id, [] {});
    EXPECT_TRUE(store->Terminate(terminated_id, now - 400).ok());
  }
};

class StoppedStoreTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { fixture_ = new Fixture(); }
  static void TearDownTestSuite() { delete fixture_; }
  static Fixture& f() { return *fixture_; }
  static RunResult Run(const std::vector<std::string>& args,
                       const std::vector<std::string>& env = {}) {
    return RunTuskctl(f().dir.path(), args, env);
  }
  static json One(const std::vector<std::string>& args) {
    RunResult result = Run(args);
    EXPECT_EQ(result.exit_code, 0) << result.err;
    auto lines = JsonLines(result.out);
    EXPECT_EQ(lines.size(), 1u) << result.out;
    return lines.empty() ? json() : lines[0];
  }
  static Fixture* fixture_;
};
Fixture* StoppedStoreTest::fixture_ = nullptr;

TEST_F(StoppedStoreTest, ListJsonHasEveryUploadMostRecentFirst) {
  RunResult result = Run({"list", "--json"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  auto lines = JsonLines(result.out);
  ASSERT_EQ(lines.size(), 8u) << result.out;
  for (size_t i = 1; i < lines.size(); ++i) {
    EXPECT_GE(lines[i - 1]["updated_at"].get<int64_t>(), lines[i]["updated_at"].get<int64_t>());
  }
  EXPECT_EQ(lines[0]["id"], f().deferred_id);
  EXPECT_TRUE(lines[0]["percent"].is_null());
  EXPECT_TRUE(lines[0]["length"].is_null());
  json receiving = lines[1];
  EXPECT_EQ(receiving["id"], f().receiving_id);
  EXPECT_EQ(receiving["state"], "receiving");
  EXPECT_EQ(receiving["offset"], 300 << 10);
  EXPECT_EQ(receiving["disk_bytes"], 300 << 10);
  EXPECT_NEAR(receiving["percent"].get<double>(), 29.3, 0.1);
  EXPECT_EQ(receiving["filename"], "video-with-a-rather-long-name-for-the-table.mp4");
  for (const json& line : lines) {
    if (line["id"] == f().terminated_id) {
      EXPECT_EQ(line["state"], "terminated");
      EXPECT_TRUE(line["disk_bytes"].is_null());
    }
    if (line["id"] == f().expired_id) {
      EXPECT_EQ(line["state"], "expired");
    }
  }
}

TEST_F(StoppedStoreTest, ListFiltersByStateAndIdleTime) {
  RunResult result = Run({"list", "--state", "receiving", "--json"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  std::set<std::string> ids;
  for (const json& line : JsonLines(result.out)) ids.insert(line["id"].get<std::string>());
  EXPECT_EQ(ids, (std::set<std::string>{f().receiving_id, f().deferred_id, f().due_id}));

  result = Run({"list", "--older-than", "1h", "--json"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  ids.clear();
  for (const json& line : JsonLines(result.out)) ids.insert(line["id"].get<std::string>());
  EXPECT_EQ(ids, (std::set<std::string>{f().complete_id, f().due_id, f().expired_id}));

  result = Run({"list", "--state", "complete", "--older-than", "90m", "--json"});
  EXPECT_EQ(JsonLines(result.out).size(), 0u);
  EXPECT_EQ(Run({"list", "--state", "done"}).exit_code, 2);
  EXPECT_EQ(Run({"list", "--older-than", "soon"}).exit_code, 2);
  EXPECT_EQ(Run({"list", "--bogus"}).exit_code, 2);
}

TEST_F(StoppedStoreTest, ListTableFitsEightyColumnsWithoutColorsInAPipe) {
  RunResult result = Run({"list"}, {"COLUMNS=80"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out.find('\x1b'), std::string::npos);
  std::istringstream lines(result.out);
  std::string line;
  std::getline(lines, line);
  EXPECT_TRUE(line.starts_with("ID")) << line;
  EXPECT_NE(line.find("PROGRESS"), std::string::npos);
  size_t rows = 0;
  for (; std::getline(lines, line); ++rows) {
    EXPECT_LE(DisplayWidth(line), 80u) << line;
  }
  EXPECT_EQ(rows, 8u);
  EXPECT_NE(result.out.find(f().receiving_id.substr(0, 12)), std::string::npos);
  EXPECT_NE(result.out.find("300K/1.0M 29%"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("video-with-a"), std::string::npos);
  EXPECT_NE(result.out.find("..."), std::string::npos) << "the long name is cut to fit";
  // --color=always colors even a pipe; the plain text stays aligned underneath.
  result = Run({"--color", "always", "list"}, {"COLUMNS=80"});
  EXPECT_NE(result.out.find("\x1b[32mcomplete\x1b[0m"), std::string::npos) << result.out;
}

TEST_F(StoppedStoreTest, ShowJsonHasEverythingRecorded) {
  json complete = One({"show", f().complete_id, "--json"});
  EXPECT_EQ(complete["state"], "complete");
  EXPECT_EQ(complete["sha256"], Sha256Hex(f().content));
  EXPECT_EQ(complete["offset"], f().content.size());
  EXPECT_EQ(complete["length"], f().content.size());
  EXPECT_EQ(complete["compression"], "none");
  EXPECT_EQ(complete["metadata"]["filename"], "report.pdf");
  EXPECT_FALSE(complete["hash_state"]["present"].get<bool>());
  EXPECT_EQ(complete["data_file"]["size"], f().content.size());
  EXPECT_EQ(complete["prediction"]["cache_hit"], false);
  EXPECT_EQ(complete["prediction_status"]["status"], "done");
  EXPECT_EQ(complete["prediction_status"]["result"]["type"], "application/pdf");
  EXPECT_TRUE(complete["expires_at"].is_null());

  json receiving = One({"show", f().receiving_id.substr(0, 8), "--json"});  // a prefix
  EXPECT_EQ(receiving["id"], f().receiving_id);
  EXPECT_TRUE(receiving["hash_state"]["valid"].get<bool>());
  EXPECT_EQ(receiving["hash_state"]["offset"], 300 << 10);
  EXPECT_TRUE(receiving["expires_at"].is_number());
  EXPECT_TRUE(receiving["prediction_status"].is_null());
  EXPECT_EQ(One({"show", f().cached_id, "--json"})["prediction"]["cache_hit"], true);
  EXPECT_EQ(One({"show", f().pending_id, "--json"})["prediction_status"]["status"], "pending");
}

TEST_F(StoppedStoreTest, ShowHumanAndErrors) {
  RunResult result = Run({"show", f().receiving_id});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  for (const char* label : {"state", "offset", "hash state", "compression", "sha256", "expires",
                            "prediction", "concat", "metadata"}) {
    EXPECT_NE(result.out.find(label), std::string::npos) << label;
  }
  EXPECT_NE(result.out.find("covers 307200 bytes"), std::string::npos) << result.out;
  EXPECT_EQ(Run({"show", "00000000000000000000000000000000"}).exit_code, 1);
  EXPECT_EQ(Run({"show", "zz"}).exit_code, 1);
  EXPECT_EQ(Run({"show"}).exit_code, 2);
}

TEST_F(StoppedStoreTest, StatsJson) {
  json stats = One({"stats", "--json"});
  EXPECT_EQ(stats["uploads"]["total"], 8);
  EXPECT_EQ(stats["uploads"]["receiving"], 3);
  EXPECT_EQ(stats["uploads"]["complete"], 3);
  EXPECT_EQ(stats["uploads"]["expired"], 1);
  EXPECT_EQ(stats["uploads"]["terminated"], 1);
  uint64_t logical = 2 * f().content.size() + f().other.size() + 1000 + (300 << 10) + 2000;
  EXPECT_EQ(stats["bytes"]["logical"], logical);
  EXPECT_EQ(stats["bytes"]["stored"], logical);
  EXPECT_DOUBLE_EQ(stats["bytes"]["compression_ratio"].get<double>(), 1.0);
  EXPECT_EQ(stats["predictions"]["entries"], 1);
  EXPECT_EQ(stats["predictions"]["lookups"], 3);
  EXPECT_EQ(stats["predictions"]["hits"], 1);
  EXPECT_EQ(stats["jobs"]["queued"], 1);
  EXPECT_EQ(stats["oldest_open"]["id"], f().due_id);
  RunResult human = Run({"stats"});
  EXPECT_NE(human.out.find("8 (3 receiving, 3 complete, 1 expired, 1 terminated)"),
            std::string::npos)
      << human.out;
}

TEST_F(StoppedStoreTest, PredictionsAndJobs) {
  RunResult result = Run({"predictions", "--json"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  auto cache = JsonLines(result.out);
  ASSERT_EQ(cache.size(), 1u);
  EXPECT_EQ(cache[0]["sha256"], Sha256Hex(f().content));
  EXPECT_EQ(cache[0]["predictor"], "builtin:test");

  json entry = One({"predictions", Sha256Hex(f().content).substr(0, 10), "--json"});
  EXPECT_EQ(entry["status"], "done");
  EXPECT_EQ(entry["result"]["type"], "application/pdf");
  std::set<std::string> holders(entry["uploads"].begin(), entry["uploads"].end());
  EXPECT_EQ(holders, (std::set<std::string>{f().complete_id, f().cached_id}));

  json queued = One({"predictions", Sha256Hex(f().other), "--json"});
  EXPECT_EQ(queued["status"], "pending");
  EXPECT_EQ(queued["job"]["uploads"], json::array({f().pending_id}));
  EXPECT_EQ(Run({"predictions", "abcdef0123456789"}).exit_code, 1);

  json job = One({"jobs", "--json"});
  EXPECT_EQ(job["sha256"], Sha256Hex(f().other));
  EXPECT_EQ(job["attempts"], 0);
  RunResult human = Run({"jobs"});
  EXPECT_NE(human.out.find(Sha256Hex(f().other).substr(0, 16)), std::string::npos);
  EXPECT_NE(Run({"predictions"}).out.find("application/pdf"), std::string::npos);
}

TEST_F(StoppedStoreTest, VerifyAllPassesOnAnIntactStore) {
  RunResult result = Run({"verify", "--all", "--json"});
  EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
  auto reports = JsonLines(result.out);
  ASSERT_EQ(reports.size(), 8u);
  for (const json& report : reports) {
    EXPECT_TRUE(report["ok"].get<bool>()) << report.dump();
    if (report["state"] == "terminated" || report["state"] == "expired") {
      EXPECT_TRUE(report["skipped"].get<bool>());
    }
  }
  result = Run({"verify", "--all"});
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_NE(result.out.find("8 uploads: 6 ok, 0 failed, 2 skipped"), std::string::npos)
      << result.out;
  EXPECT_EQ(Run({"verify"}).exit_code, 2);
}

TEST_F(StoppedStoreTest, ReadCommandsLeaveTheStoreUnlockedAndUnchanged) {
  EXPECT_FALSE(store::StateDbWriterPid(f().dir.path() + "/db").has_value());
  EXPECT_FALSE(std::filesystem::exists(f().dir.path() + "/admin.json"));
  EXPECT_EQ(Run({"watch", "--count", "1"}).exit_code, 0);
}

TEST_F(StoppedStoreTest, WatchPrintsPlainFramesIntoAPipe) {
  RunResult result = Run({"watch", "-n", "2", "--interval", "0.1"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out.find('\x1b'), std::string::npos);
  EXPECT_NE(result.out.find("tuskd not running"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find(f().receiving_id.substr(0, 12)), std::string::npos);
  EXPECT_EQ(result.out.find(f().complete_id.substr(0, 12)), std::string::npos);
  size_t frames = 0;
  for (size_t at = 0; (at = result.out.find("3 receiving", at)) != std::string::npos; ++at) {
    ++frames;
  }
  EXPECT_EQ(frames, 2u) << result.out;
}

TEST(TuskctlCliTest, HelpUnknownCommandAndMissingStore) {
  TempDir empty;
  RunResult help = RunTuskctl(empty.path(), {"--help"});
  EXPECT_EQ(help.exit_code, 0);
  for (const char* command : {"list", "show", "verify", "stats", "watch", "predictions", "jobs",
                              "purge-expired", "delete"}) {
    EXPECT_NE(help.out.find(command), std::string::npos) << command;
  }
  EXPECT_EQ(RunTuskctl(empty.path(), {"list", "--help"}).exit_code, 0);
  EXPECT_EQ(RunTuskctl(empty.path(), {"frobnicate"}).exit_code, 2);
  RunResult missing = RunTuskctl(empty.path(), {"list"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find("no tuskd store"), std::string::npos) << missing.err;
  EXPECT_EQ(RunTuskctl(empty.path(), {"delete", "0123456789abcdef0123456789abcdef"}).exit_code, 1);
  EXPECT_FALSE(std::filesystem::exists(empty.path() + "/db")) << "tuskctl must not create one";
}

}  // namespace
}  // namespace tuskd::tuskctl::testing
