// request_target: OriginPath (origin-form and absolute-form targets) and PublicOrigin (Host, and
// the proxy headers only when trusted).
#include "server/http/request_target.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace tuskd::server {
namespace {

protocol::HeaderMap Headers(const std::vector<std::pair<std::string, std::string>>& fields) {
  protocol::HeaderMap headers;
  for (const auto& [name, value] : fields) headers.Add(name, value);
  return headers;
}

TEST(OriginPathTest, OriginFormKeepsThePath) {
  EXPECT_EQ(OriginPath("/files/abc"), "/files/abc");
  EXPECT_EQ(OriginPath("/files/"), "/files/");
  EXPECT_EQ(OriginPath("/"), "/");
}

TEST(OriginPathTest, DropsQueryAndFragment) {
  EXPECT_EQ(OriginPath("/files/abc?x=1&y=2"), "/files/abc");
  EXPECT_EQ(OriginPath("/files/abc#part"), "/files/abc");
  EXPECT_EQ(OriginPath("/files/?"), "/files/");
}

TEST(OriginPathTest, AbsoluteFormReducesToThePath) {
  EXPECT_EQ(OriginPath("http://127.0.0.1:1080/files/abc"), "/files/abc");
  EXPECT_EQ(OriginPath("https://up.example/files/abc?q=1"), "/files/abc");
  EXPECT_EQ(OriginPath("http://up.example"), "/");
  EXPECT_EQ(OriginPath("http://up.example?x"), "/");
}

TEST(OriginPathTest, SchemeLikeTextInsideAPathIsNotAnAuthority) {
  EXPECT_EQ(OriginPath("/files/a://b"), "/files/a://b");
}

TEST(OriginPathTest, AsteriskFormIsKept) { EXPECT_EQ(OriginPath("*"), "*"); }

TEST(PublicOriginTest, UsesHostHeader) {
  EXPECT_EQ(PublicOrigin(Headers({{"Host", "up.example:8080"}}), false, "http"),
            "http://up.example:8080");
  EXPECT_EQ(PublicOrigin(Headers({{"Host", "[::1]:8080"}}), false, "http"), "http://[::1]:8080");
}

TEST(PublicOriginTest, MissingHostFallsBackToLocalhost) {
  EXPECT_EQ(PublicOrigin(Headers({}), false, "http"), "http://localhost");
}

TEST(PublicOriginTest, IgnoresProxyHeadersUnlessTrusted) {
  auto headers = Headers({{"Host", "internal:1080"},
                          {"Forwarded", "host=public.example;proto=https"},
                          {"X-Forwarded-Host", "other.example"},
                          {"X-Forwarded-Proto", "https"}});
  EXPECT_EQ(PublicOrigin(headers, false, "http"), "http://internal:1080");
}

TEST(PublicOriginTest, ForwardedHostAndProtoWhenBehindProxy) {
  auto headers = Headers(
      {{"Host", "internal:1080"}, {"Forwarded", "for=192.0.2.1;host=public.example;proto=https"}});
  EXPECT_EQ(PublicOrigin(headers, true, "http"), "https://public.example");
}

TEST(PublicOriginTest, ForwardedQuotedValuesCaseInsensitiveNamesFirstElementOnly) {
  auto headers =
      Headers({{"Host", "internal"},
               {"Forwarded", "Host=\"public.example:443\"; Proto=https, host=second.example"}});
  EXPECT_EQ(PublicOrigin(headers, true, "http"), "https://public.example:443");
}

TEST(PublicOriginTest, ForwardedWithoutHostKeepsHostHeader) {
  auto headers = Headers({{"Host", "internal:1080"}, {"Forwarded", "for=192.0.2.1;proto=https"}});
  EXPECT_EQ(PublicOrigin(headers, true, "http"), "https://internal:1080");
}

TEST(PublicOriginTest, ForwardedWinsOverXForwarded) {
  auto headers = Headers({{"Host", "internal"},
                          {"X-Forwarded-Host", "x.example"},
                          {"X-Forwarded-Proto", "https"},
                          {"Forwarded", "host=f.example"}});
  EXPECT_EQ(PublicOrigin(headers, true, "http"), "http://f.example");
}

TEST(PublicOriginTest, XForwardedHostAndProtoTakeTheFirstListEntry) {
  auto headers = Headers({{"Host", "internal"},
                          {"X-Forwarded-Host", " public.example:8443 , proxy2.example"},
                          {"X-Forwarded-Proto", "https, http"}});
  EXPECT_EQ(PublicOrigin(headers, true, "http"), "https://public.example:8443");
}

TEST(PublicOriginTest, ATlsConnectionIsHttpsUnlessATrustedProxySaysOtherwise) {
  protocol::HeaderMap headers = Headers({{"Host", "up.example"}, {"X-Forwarded-Proto", "http"}});
  EXPECT_EQ(PublicOrigin(headers, false, "https"), "https://up.example");
  EXPECT_EQ(PublicOrigin(headers, true, "https"), "http://up.example");
  EXPECT_EQ(PublicOrigin(Headers({{"Host", "h"}, {"X-Forwarded-Proto", "gopher"}}), true, "https"),
            "https://h");
}

TEST(PublicOriginTest, UnknownProtoBecomesHttp) {
  auto headers = Headers({{"Host", "h.example"}, {"X-Forwarded-Proto", "javascript"}});
  EXPECT_EQ(PublicOrigin(headers, true, "http"), "http://h.example");
  headers = Headers({{"Host", "h.example"}, {"Forwarded", "proto=ftp"}});
  EXPECT_EQ(PublicOrigin(headers, true, "http"), "http://h.example");
}

TEST(PublicOriginTest, UnsafeHostsBecomeLocalhost) {
  for (const char* host : {"evil.example/path", "a b", "evil.example\r\nSet-Cookie: x",
                           "user@evil.example", "evil.example\"", "evil.example?x", ""}) {
    EXPECT_EQ(PublicOrigin(Headers({{"Host", host}}), false, "http"), "http://localhost") << host;
    EXPECT_EQ(
        PublicOrigin(Headers({{"Host", "ok.example"}, {"X-Forwarded-Host", host}}), true, "http"),
        "http://localhost")
        << host;
  }
  EXPECT_EQ(PublicOrigin(Headers({{"Host", std::string(300, 'a')}}), false, "http"),
            "http://localhost");
}

}  // namespace
}  // namespace tuskd::server
