// tuskctl beside a running tuskd: reads go through a RocksDB secondary and leave the server's
// lock and LOG alone; delete and purge-expired go through tuskd's admin endpoint (and the
// upload then answers 410); the admin endpoint refuses requests without the token; a stale
// admin.json (after kill -9) sends tuskctl back to acting directly.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "store/admin_file.h"
#include "store/rocksdb/writer_lock.h"
#include "tests/common/test_certificate.h"
#include "tests/tuskctl/tuskctl_test_util.h"
#include "tools/tuskctl/writer_route.h"

namespace tuskd::tuskctl::testing {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

class RunningTuskdTest : public ::testing::Test {
 protected:
  void StartServer(std::vector<std::string> flags = {}) {
    server_ = std::make_unique<TuskdServer>(data_dir_, std::move(flags));
    std::string error;
    ASSERT_TRUE(server_->Start(&error)) << error;
  }

  RunResult Run(const std::vector<std::string>& args) { return RunTuskctl(data_dir_, args); }
  json One(const std::vector<std::string>& args) {
    RunResult result = Run(args);
    EXPECT_EQ(result.exit_code, 0) << result.err;
    auto lines = JsonLines(result.out);
    return lines.size() == 1 ? lines[0] : json();
  }
  long Head(const std::string& id) {
    return Http("HEAD", server_->base_url() + "/files/" + id, {"Tus-Resumable: 1.0.0"}).status;
  }

  // The DB directory's entries with their inodes: a read-write open would add or rotate files
  // (LOG -> LOG.old.*), a read-only one must not touch any.
  std::map<std::string, ino_t> DbFiles() {
    std::map<std::string, ino_t> files;
    for (const auto& entry : fs::directory_iterator(data_dir_ + "/db")) {
      struct stat info;
      ::stat(entry.path().c_str(), &info);
      files[entry.path().filename()] = info.st_ino;
    }
    return files;
  }

  TempDir dir_;
  std::string data_dir_ = dir_.path() + "/data";
  std::unique_ptr<TuskdServer> server_;
};

TEST_F(RunningTuskdTest, ReadCommandsSeeLiveStateWithoutDisturbingTheServer) {
  StartServer();
  std::string content = TestBytes(64 << 10, 21);
  std::string complete = CreateTusUpload(server_->base_url(), content.size(), "done.bin");
  ASSERT_EQ(PatchTusUpload(server_->base_url(), complete, 0, content), 204);
  std::string partial = CreateTusUpload(server_->base_url(), 1 << 20, "half.bin");
  ASSERT_EQ(PatchTusUpload(server_->base_url(), partial, 0, TestBytes(10000, 22)), 204);

  // tuskd publishes where it listens, privately, and holds the DB's write lock.
  std::string admin_path = data_dir_ + "/admin.json";
  ASSERT_TRUE(fs::exists(admin_path));
  EXPECT_EQ(fs::status(admin_path).permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_write);
  auto admin = store::ReadAdminFile(data_dir_);
  ASSERT_TRUE(admin.has_value());
  EXPECT_EQ(admin->pid, server_->pid());
  EXPECT_EQ(admin->admin_url, server_->base_url() + "/admin/");
  EXPECT_EQ(store::StateDbWriterPid(data_dir_ + "/db"), server_->pid());
  auto before = DbFiles();
  ASSERT_TRUE(before.count("LOG"));

  RunResult listed = Run({"list", "--json"});
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  auto lines = JsonLines(listed.out);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0]["id"].get<std::string>() == partial ? lines[0]["offset"] : lines[1]["offset"],
            10000);
  json shown = One({"show", complete, "--json"});
  EXPECT_EQ(shown["sha256"], Sha256Hex(content));
  EXPECT_EQ(One({"show", partial, "--json"})["hash_state"]["offset"], 10000);
  EXPECT_EQ(One({"stats", "--json"})["uploads"]["total"], 2);
  EXPECT_EQ(Run({"verify", "--all"}).exit_code, 0);
  EXPECT_EQ(Run({"predictions"}).exit_code, 0);
  EXPECT_EQ(Run({"jobs", "--json"}).exit_code, 0);
  RunResult watched = Run({"watch", "-n", "1"});
  EXPECT_NE(watched.out.find("tuskd running (pid " + std::to_string(server_->pid())),
            std::string::npos)
      << watched.out;
  EXPECT_NE(watched.out.find(partial.substr(0, 12)), std::string::npos);

  // Later commits are visible to the next command (a secondary catches up at open).
  ASSERT_EQ(PatchTusUpload(server_->base_url(), partial, 10000, TestBytes(5000, 23)), 204);
  EXPECT_EQ(One({"show", partial, "--json"})["offset"], 15000);

  EXPECT_EQ(DbFiles(), before) << "a tool touched the server's DB directory";
  EXPECT_EQ(store::StateDbWriterPid(data_dir_ + "/db"), server_->pid());
  EXPECT_EQ(Head(partial), 200);

  // A clean stop removes admin.json; the same commands then read the stopped store.
  EXPECT_EQ(server_->Stop(), 0) << server_->Log();
  EXPECT_FALSE(fs::exists(admin_path));
  EXPECT_EQ(One({"show", partial, "--json"})["offset"], 15000);
}

TEST_F(RunningTuskdTest, DeleteGoesThroughTuskdAndTheUploadAnswers410) {
  StartServer();
  std::string id = CreateTusUpload(server_->base_url(), 1000, "doomed.txt");
  ASSERT_EQ(PatchTusUpload(server_->base_url(), id, 0, TestBytes(400, 31)), 204);
  {
    std::unique_ptr<WriterRoute> route;
    ASSERT_TRUE(WriterRoute::Open(data_dir_, &route).ok());
    EXPECT_TRUE(route->through_tuskd());
    EXPECT_EQ(route->tuskd().pid, server_->pid());
  }
  json deleted = One({"delete", id, "--json"});
  EXPECT_EQ(deleted["via"], "tuskd");
  EXPECT_EQ(Head(id), 410);
  EXPECT_FALSE(fs::exists(data_dir_ + "/uploads/" + id));
  EXPECT_EQ(One({"show", id, "--json"})["state"], "terminated");

  RunResult again = Run({"delete", id});
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_NE(again.err.find("already gone"), std::string::npos) << again.err;
  RunResult unknown = Run({"delete", "0123456789abcdef0123456789abcdef"});
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_NE(unknown.err.find("no upload"), std::string::npos) << unknown.err;
  EXPECT_EQ(store::StateDbWriterPid(data_dir_ + "/db"), server_->pid());
}

TEST_F(RunningTuskdTest, PurgeExpiredGoesThroughTuskd) {
  // Uploads expire a second after their last write; the server's own sweep stays away.
  StartServer({"--expiration", "1s", "--sweep-interval", "1h"});
  std::string idle = CreateTusUpload(server_->base_url(), 1000, "idle.bin");
  ASSERT_EQ(PatchTusUpload(server_->base_url(), idle, 0, TestBytes(100, 41)), 204);
  std::this_thread::sleep_for(std::chrono::milliseconds(2100));

  json dry = One({"purge-expired", "--dry-run", "--json"});
  EXPECT_EQ(dry["via"], "tuskd");
  EXPECT_EQ(dry["expired"], json::array({idle}));
  EXPECT_EQ(One({"show", idle, "--json"})["state"], "receiving");

  json purged = One({"purge-expired", "--json"});
  EXPECT_EQ(purged["expired"], json::array({idle}));
  EXPECT_EQ(Head(idle), 410);
  EXPECT_EQ(One({"show", idle, "--json"})["state"], "expired");
  EXPECT_EQ(One({"purge-expired", "--json"})["expired"], json::array());
}

TEST_F(RunningTuskdTest, AdminEndpointsWantTheToken) {
  StartServer();
  std::string base = server_->base_url() + "/admin/";
  EXPECT_EQ(Http("POST", base + "purge-expired").status, 403);
  EXPECT_EQ(Http("GET", base + "expired", {"Authorization: Bearer wrong"}).status, 403);
  auto admin = store::ReadAdminFile(data_dir_);
  ASSERT_TRUE(admin.has_value());
  std::string bearer = "Authorization: Bearer " + admin->token;
  HttpReply listed = Http("GET", base + "expired", {bearer});
  EXPECT_EQ(listed.status, 200);
  EXPECT_EQ(json::parse(listed.body)["expired"], json::array());
  EXPECT_EQ(Http("DELETE", base + "expired", {bearer}).status, 405);
  EXPECT_EQ(Http("GET", base + "nothing-here", {bearer}).status, 404);
  EXPECT_EQ(Http("DELETE", base + "uploads/not-an-id", {bearer}).status, 404);
}

TEST_F(RunningTuskdTest, OverHttpsTuskctlTrustsThePublishedKeyAndNoOther) {
  tuskd::testing::TestCertificate cert;
  ASSERT_TRUE(tuskd::testing::MakeTestCertificate(dir_.path(), "", &cert));
  StartServer({"--tls-cert", cert.cert_path, "--tls-key", cert.key_path});
  auto admin = store::ReadAdminFile(data_dir_);
  ASSERT_TRUE(admin.has_value());
  EXPECT_EQ(admin->admin_url.rfind("https://127.0.0.1:", 0), 0u) << admin->admin_url;
  EXPECT_EQ(admin->tls_pin.rfind("sha256//", 0), 0u) << admin->tls_pin;
  EXPECT_EQ(One({"purge-expired", "--json"})["via"], "tuskd");

  // Another key at that address (an altered file, another process on the port) is refused,
  // and tuskctl does not fall back to writing beside the running server.
  json file = json::parse(std::ifstream(data_dir_ + "/admin.json"));
  file["tls_pin"] = "sha256//" + std::string(43, 'A') + "=";
  std::ofstream(data_dir_ + "/admin.json", std::ios::trunc) << file.dump();
  RunResult refused = Run({"purge-expired", "--json"});
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_NE(refused.err.find("pinned"), std::string::npos) << refused.err;
}

TEST_F(RunningTuskdTest, AStaleAdminFileAfterACrashIsIgnored) {
  StartServer();
  std::string id = CreateTusUpload(server_->base_url(), 1000, "left.bin");
  ASSERT_TRUE(fs::exists(data_dir_ + "/admin.json"));
  ::kill(server_->pid(), SIGKILL);
  server_->Stop();  // reaps it
  ASSERT_TRUE(fs::exists(data_dir_ + "/admin.json"));
  EXPECT_FALSE(store::StateDbWriterPid(data_dir_ + "/db").has_value());
  json deleted = One({"delete", id, "--json"});
  EXPECT_EQ(deleted["via"], "direct");
  EXPECT_EQ(One({"show", id, "--json"})["state"], "terminated");
  // The next tuskd starts fine on the store tuskctl wrote to.
  StartServer();
  EXPECT_EQ(Head(id), 410);
}

}  // namespace
}  // namespace tuskd::tuskctl::testing
