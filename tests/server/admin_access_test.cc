// The admin endpoints' access rule (loopback peers with the token from admin.json) and the
// admin.json file itself, as unit tests; running_tuskd_test.cc covers them end to end.
#include <gtest/gtest.h>

#include <filesystem>

#include "server/handlers/admin_endpoints.h"
#include "server/http/connection.h"
#include "server/http/loopback_address.h"
#include "store/admin_file.h"
#include "tests/common/scoped_temp_dir.h"

namespace tuskd::server {
namespace {

namespace fs = std::filesystem;

bool Loopback(const char* text) { return IsLoopbackAddress(boost::asio::ip::make_address(text)); }

TEST(AdminAccessTest, OnlyLoopbackPeersCount) {
  EXPECT_TRUE(Loopback("127.0.0.1"));
  EXPECT_TRUE(Loopback("127.8.9.10"));
  EXPECT_TRUE(Loopback("::1"));
  EXPECT_TRUE(Loopback("::ffff:127.0.0.1"));  // IPv4 loopback on a dual-stack listener
  EXPECT_FALSE(Loopback("10.0.0.1"));
  EXPECT_FALSE(Loopback("192.168.1.20"));
  EXPECT_FALSE(Loopback("0.0.0.0"));
  EXPECT_FALSE(Loopback("::ffff:10.0.0.1"));
  EXPECT_FALSE(Loopback("fe80::1"));
  EXPECT_FALSE(Loopback("2001:db8::1"));
}

TEST(AdminAccessTest, TheTokenMustMatchExactly) {
  const std::string token(64, 'a');
  auto headers = [](std::string value) {
    protocol::HeaderMap map;
    map.Add("Authorization", std::move(value));
    return map;
  };
  EXPECT_TRUE(AdminTokenMatches(headers("Bearer " + token), token));
  EXPECT_FALSE(AdminTokenMatches(headers("Bearer " + token + "a"), token));
  EXPECT_FALSE(AdminTokenMatches(headers("Bearer " + token.substr(1)), token));
  EXPECT_FALSE(AdminTokenMatches(headers("Basic " + token), token));
  EXPECT_FALSE(AdminTokenMatches(protocol::HeaderMap(), token));
  EXPECT_FALSE(AdminTokenMatches(headers("Bearer "), ""));  // no token: nobody gets in
}

TEST(AdminFileTest, UrlsForWildcardAndSpecificHosts) {
  EXPECT_EQ(store::AdminUrl("0.0.0.0", 1080, false), "http://127.0.0.1:1080/admin/");
  EXPECT_EQ(store::AdminUrl("127.0.0.1", 80, false), "http://127.0.0.1:80/admin/");
  EXPECT_EQ(store::AdminUrl("::", 1080, false), "http://[::1]:1080/admin/");
  EXPECT_EQ(store::AdminUrl("::1", 1080, false), "http://[::1]:1080/admin/");
  EXPECT_EQ(store::AdminUrl("localhost", 9, false), "http://localhost:9/admin/");
  EXPECT_EQ(store::AdminUrl("0.0.0.0", 1080, true), "https://127.0.0.1:1080/admin/");
}

TEST(AdminFileTest, PublishedPrivatelyReadBackAndRemoved) {
  ScopedTempDir dir;
  std::string token = store::NewAdminToken();
  EXPECT_EQ(token.size(), 64u);
  EXPECT_NE(token, store::NewAdminToken());
  std::string error;
  auto file =
      store::AdminFile::Publish(dir.path(), {4242, "http://127.0.0.1:1/admin/", token, ""}, &error);
  ASSERT_NE(file, nullptr) << error;
  std::string path = dir.path() + "/admin.json";
  EXPECT_EQ(fs::status(path).permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_write);
  auto info = store::ReadAdminFile(dir.path());
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->pid, 4242);
  EXPECT_EQ(info->admin_url, "http://127.0.0.1:1/admin/");
  EXPECT_EQ(info->token, token);
  EXPECT_EQ(info->tls_pin, "");
  file.reset();  // an AdminFile removes the file when it goes
  file = store::AdminFile::Publish(
      dir.path(), {4243, "https://127.0.0.1:1/admin/", token, "sha256//k="}, &error);
  ASSERT_NE(file, nullptr) << error;
  info = store::ReadAdminFile(dir.path());
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->admin_url, "https://127.0.0.1:1/admin/");
  EXPECT_EQ(info->tls_pin, "sha256//k=");
  file.reset();
  EXPECT_FALSE(fs::exists(path));
  EXPECT_FALSE(store::ReadAdminFile(dir.path()).has_value());
  EXPECT_EQ(store::AdminFile::Publish(dir.path() + "/missing", {1, "u", "t", ""}, &error), nullptr);
  EXPECT_NE(error.find("cannot write"), std::string::npos);
}

}  // namespace
}  // namespace tuskd::server
