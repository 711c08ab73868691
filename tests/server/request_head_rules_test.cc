// The request-head rules of RFC 9112 and 9110 that hold before any tus rule: Host (RFC 9112
// section 3.2: 400 for an HTTP/1.1 request without one, for two, and for an invalid value) and
// 100 Continue, which an HTTP/1.0 client never gets (RFC 9110 section 10.1.1). A refused
// request changes nothing (I6).
#include <gtest/gtest.h>

#include <ostream>
#include <string>

#include "tests/server/raw_client.h"
#include "tests/server/shared_tuskd.h"

namespace tuskd::server::testing {
namespace {

using std::chrono::milliseconds;

class RequestHeadRulesTest : public UploadsTest<RequestHeadRulesTest> {};

// A PATCH of "abc" at offset 0 with `host_lines` ("Host: x\r\n"...) as its only Host fields.
std::string PatchWithHostLines(const std::string& path, const std::string& host_lines,
                               const std::string& version = "HTTP/1.1") {
  return "PATCH " + path + " " + version + "\r\n" + host_lines +
         "Tus-Resumable: 1.0.0\r\nUpload-Offset: 0\r\n"
         "Content-Type: application/offset+octet-stream\r\nContent-Length: 3\r\n\r\nabc";
}

struct HostCase {
  const char* name;
  std::string host_lines;
};
void PrintTo(const HostCase& c, std::ostream* os) { *os << c.name; }

class BadHostTest : public RequestHeadRulesTest, public ::testing::WithParamInterface<HostCase> {};

TEST_P(BadHostTest, IsRefusedWith400AndChangesNothing) {
  std::string path = NewUpload(10);
  RawClient client(port());
  HttpResponse r = client.RoundTrip(PatchWithHostLines(path, GetParam().host_lines));
  EXPECT_EQ(r.status, 400) << r.error;
  EXPECT_EQ(r.body.rfind("ERR_BAD_REQUEST: ", 0), 0u) << r.body;
  EXPECT_NE(r.body.find("Host"), std::string::npos) << r.body;
  EXPECT_TRUE(client.WaitForClose());
  EXPECT_EQ(HeadOffset(port(), path), 0u);
}

INSTANTIATE_TEST_SUITE_P(
    Rfc9112, BadHostTest,
    ::testing::Values(
        HostCase{"Missing", ""}, HostCase{"Repeated", "Host: 127.0.0.1\r\nHost: 127.0.0.1\r\n"},
        HostCase{"RepeatedDifferent", "Host: a.example\r\nHost: b.example\r\n"},
        HostCase{"Space", "Host: a b\r\n"}, HostCase{"Slash", "Host: a/b\r\n"},
        HostCase{"UserInfo", "Host: user@a.example\r\n"},
        HostCase{"PortNotNumeric", "Host: a.example:80x\r\n"},
        HostCase{"TwoPorts", "Host: a.example:80:81\r\n"},
        HostCase{"UnclosedLiteral", "Host: [::1\r\n"}, HostCase{"BadLiteral", "Host: [::g]\r\n"},
        HostCase{"BadPercent", "Host: a%2\r\n"}, HostCase{"NonAscii", "Host: \xc3\xa4\r\n"}),
    [](const auto& info) { return std::string(info.param.name); });

class GoodHostTest : public RequestHeadRulesTest, public ::testing::WithParamInterface<HostCase> {};

TEST_P(GoodHostTest, IsServed) {
  std::string path = NewUpload(3);
  HttpResponse r = RawClient(port()).RoundTrip(PatchWithHostLines(path, GetParam().host_lines));
  EXPECT_EQ(r.status, 204) << r.error << r.body;
  EXPECT_TRUE(StoredBytesAre(port(), path, "abc"));
}

INSTANTIATE_TEST_SUITE_P(
    Rfc9112, GoodHostTest,
    ::testing::Values(HostCase{"NameAndPort", "Host: uploads.example:8080\r\n"},
                      HostCase{"Ipv4", "Host: 127.0.0.1\r\n"},
                      HostCase{"Ipv6", "Host: [::1]:1080\r\n"},
                      HostCase{"Empty", "Host: \r\n"},  // a target URI without authority
                      HostCase{"PercentAndSubDelims", "Host: a%41-b_c~d!e\r\n"}),
    [](const auto& info) { return std::string(info.param.name); });

TEST_F(RequestHeadRulesTest, Http10WithoutHostIsServed) {
  std::string path = NewUpload(3);
  HttpResponse r = RawClient(port()).RoundTrip(PatchWithHostLines(path, "", "HTTP/1.0"));
  EXPECT_EQ(r.status, 204) << r.error << r.body;
  EXPECT_TRUE(StoredBytesAre(port(), path, "abc"));
}

TEST_F(RequestHeadRulesTest, Http10WithTwoHostsIsRefused) {
  std::string path = NewUpload(3);
  HttpResponse r = RawClient(port()).RoundTrip(
      PatchWithHostLines(path, "Host: 127.0.0.1\r\nHost: 127.0.0.1\r\n", "HTTP/1.0"));
  EXPECT_EQ(r.status, 400) << r.error;
  EXPECT_EQ(HeadOffset(port(), path), 0u);
}

// An HTTP/1.0 client that sends Expect: 100-continue gets no 100 (it could not parse one as
// anything but the final response); its body is still read and stored.
TEST_F(RequestHeadRulesTest, Http10GetsNo100Continue) {
  std::string path = NewUpload(3);
  RawClient client(port());
  ASSERT_TRUE(client.Send("PATCH " + path +
                          " HTTP/1.0\r\nHost: 127.0.0.1\r\nTus-Resumable: 1.0.0\r\n"
                          "Upload-Offset: 0\r\nContent-Type: application/offset+octet-stream\r\n"
                          "Content-Length: 3\r\nExpect: 100-continue\r\n\r\n"));
  EXPECT_TRUE(client.StaysQuiet(milliseconds(500))) << "the server sent a 1xx to HTTP/1.0";
  ASSERT_TRUE(client.Send("abc"));
  HttpResponse r = client.ReadResponse();
  EXPECT_EQ(r.status, 204) << r.error << r.body;
  EXPECT_TRUE(StoredBytesAre(port(), path, "abc"));
}

// The same request as HTTP/1.1 is invited with a 100 (the contrast that shows the test above
// would see one).
TEST_F(RequestHeadRulesTest, Http11Gets100Continue) {
  std::string path = NewUpload(3);
  RawClient client(port());
  ASSERT_TRUE(client.Send(BuildRequest(
      "PATCH", path, PatchHeaders(0, {{"Content-Length", "3"}, {"Expect", "100-continue"}}))));
  EXPECT_EQ(client.ReadResponse().status, 100);
  ASSERT_TRUE(client.Send("abc"));
  EXPECT_EQ(client.ReadResponse().status, 204);
}

}  // namespace
}  // namespace tuskd::server::testing
