// cors: AddCorsHeaders (allowed origins, Vary, exposed tus headers) and PreflightResponse.
#include "server/http/cors.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace tuskd::server {
namespace {

using Fields = std::vector<std::pair<std::string, std::string>>;

protocol::RequestHead Head(std::string method, const Fields& fields) {
  protocol::RequestHead head;
  head.method = std::move(method);
  head.path = "/files/";
  for (const auto& [name, value] : fields) head.headers.Add(name, value);
  return head;
}

ServerConfig WithOrigins(std::vector<std::string> origins) {
  ServerConfig config;
  config.cors_origins = std::move(origins);
  return config;
}

std::optional<std::string> Find(const protocol::HeaderList& headers, std::string_view name) {
  for (const auto& [key, value] : headers) {
    if (protocol::EqualsIgnoreCase(key, name)) return value;
  }
  return std::nullopt;
}

// Splits "a, b, c" into its items.
std::vector<std::string> Items(const std::string& list) {
  std::vector<std::string> items;
  size_t start = 0;
  while (start < list.size()) {
    size_t comma = list.find(',', start);
    if (comma == std::string::npos) comma = list.size();
    std::string item = list.substr(start, comma - start);
    item.erase(0, item.find_first_not_of(' '));
    items.push_back(item);
    start = comma + 1;
  }
  return items;
}

bool Contains(const std::vector<std::string>& items, std::string_view item) {
  for (const auto& i : items) {
    if (protocol::EqualsIgnoreCase(i, item)) return true;
  }
  return false;
}

TEST(AddCorsHeadersTest, NothingWithoutOrigin) {
  protocol::HeaderList headers;
  AddCorsHeaders(WithOrigins({"*"}), Head("HEAD", {}), headers);
  EXPECT_TRUE(headers.empty());
}

TEST(AddCorsHeadersTest, NothingForEmptyOrigin) {
  protocol::HeaderList headers;
  AddCorsHeaders(WithOrigins({"*"}), Head("HEAD", {{"Origin", ""}}), headers);
  EXPECT_TRUE(headers.empty());
}

TEST(AddCorsHeadersTest, WildcardEchoesTheOriginWithVary) {
  protocol::HeaderList headers;
  AddCorsHeaders(WithOrigins({"*"}), Head("HEAD", {{"Origin", "https://app.example"}}), headers);
  EXPECT_EQ(Find(headers, "Access-Control-Allow-Origin"), "https://app.example");
  EXPECT_EQ(Find(headers, "Vary"), "Origin");
}

TEST(AddCorsHeadersTest, ExposesEveryTusResponseHeader) {
  protocol::HeaderList headers;
  AddCorsHeaders(WithOrigins({"*"}), Head("PATCH", {{"Origin", "https://app.example"}}), headers);
  auto exposed = Find(headers, "Access-Control-Expose-Headers");
  ASSERT_TRUE(exposed);
  auto items = Items(*exposed);
  for (const char* name :
       {"Location", "Upload-Offset", "Upload-Length", "Upload-Defer-Length", "Upload-Metadata",
        "Upload-Expires", "Tus-Version", "Tus-Resumable", "Tus-Max-Size", "Tus-Extension",
        "Content-Range", "Content-Disposition"}) {
    EXPECT_TRUE(Contains(items, name)) << name << " not in " << *exposed;
  }
}

TEST(AddCorsHeadersTest, ListedOriginMatchesCaseInsensitively) {
  protocol::HeaderList headers;
  AddCorsHeaders(WithOrigins({"https://a.example", "https://b.example"}),
                 Head("HEAD", {{"Origin", "https://B.example"}}), headers);
  EXPECT_EQ(Find(headers, "Access-Control-Allow-Origin"), "https://B.example");
}

TEST(AddCorsHeadersTest, UnlistedOriginGetsNothing) {
  protocol::HeaderList headers;
  AddCorsHeaders(WithOrigins({"https://a.example"}),
                 Head("HEAD", {{"Origin", "https://evil.example"}}), headers);
  EXPECT_TRUE(headers.empty());
}

TEST(AddCorsHeadersTest, EmptyOriginListAllowsNobody) {
  protocol::HeaderList headers;
  AddCorsHeaders(WithOrigins({}), Head("HEAD", {{"Origin", "https://a.example"}}), headers);
  EXPECT_TRUE(headers.empty());
}

TEST(PreflightResponseTest, OnlyOptionsWithOriginAndRequestMethodIsAPreflight) {
  ServerConfig config = WithOrigins({"*"});
  EXPECT_FALSE(PreflightResponse(config, Head("OPTIONS", {})));
  EXPECT_FALSE(PreflightResponse(config, Head("OPTIONS", {{"Origin", "https://a.example"}})));
  EXPECT_FALSE(
      PreflightResponse(config, Head("OPTIONS", {{"Access-Control-Request-Method", "PATCH"}})));
  EXPECT_FALSE(PreflightResponse(
      config,
      Head("POST", {{"Origin", "https://a.example"}, {"Access-Control-Request-Method", "PATCH"}})));
}

TEST(PreflightResponseTest, AllowedOriginGetsMethodsHeadersAndMaxAge) {
  auto response = PreflightResponse(WithOrigins({"*"}),
                                    Head("OPTIONS", {{"Origin", "https://a.example"},
                                                     {"Access-Control-Request-Method", "PATCH"}}));
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 204);
  EXPECT_TRUE(response->body.empty());
  auto methods = Find(response->headers, "Access-Control-Allow-Methods");
  ASSERT_TRUE(methods);
  for (const char* method : {"POST", "HEAD", "PATCH", "OPTIONS", "GET", "DELETE"}) {
    EXPECT_TRUE(Contains(Items(*methods), method)) << method;
  }
  auto allowed = Find(response->headers, "Access-Control-Allow-Headers");
  ASSERT_TRUE(allowed);
  for (const char* header :
       {"Tus-Resumable", "Upload-Offset", "Upload-Length", "Upload-Metadata", "Upload-Defer-Length",
        "Content-Type", "X-HTTP-Method-Override", "X-Requested-With"}) {
    EXPECT_TRUE(Contains(Items(*allowed), header)) << header;
  }
  EXPECT_EQ(Find(response->headers, "Access-Control-Max-Age"), "86400");
}

TEST(PreflightResponseTest, DisallowedOriginGets204WithoutPermissions) {
  auto response = PreflightResponse(WithOrigins({"https://a.example"}),
                                    Head("OPTIONS", {{"Origin", "https://evil.example"},
                                                     {"Access-Control-Request-Method", "PATCH"}}));
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 204);
  EXPECT_FALSE(Find(response->headers, "Access-Control-Allow-Methods"));
  EXPECT_FALSE(Find(response->headers, "Access-Control-Allow-Headers"));
}

}  // namespace
}  // namespace tuskd::server
