// router: ResolveRoute, the mapping from a path to what it names (independent of the method).
#include "server/http/router.h"

#include <gtest/gtest.h>

namespace tuskd::server {
namespace {

using Kind = Route::Kind;

TEST(ResolveRouteTest, CollectionWithAndWithoutTrailingSlash) {
  EXPECT_EQ(ResolveRoute("/files/", "/files/").kind, Kind::kCollection);
  EXPECT_EQ(ResolveRoute("/files", "/files/").kind, Kind::kCollection);
}

TEST(ResolveRouteTest, UploadResourceCarriesItsId) {
  Route route = ResolveRoute("/files/0123456789abcdef0123456789abcdef", "/files/");
  EXPECT_EQ(route.kind, Kind::kUpload);
  EXPECT_EQ(route.id, "0123456789abcdef0123456789abcdef");
  EXPECT_TRUE(route.sub.empty());
}

TEST(ResolveRouteTest, IdIsNotValidatedHere) {
  // The router checks id syntax itself (404 before any handler); ResolveRoute just splits.
  Route route = ResolveRoute("/files/../../etc", "/files/");
  EXPECT_EQ(route.kind, Kind::kUploadSub);
  EXPECT_EQ(route.id, "..");
}

TEST(ResolveRouteTest, SubResourceSplitsAtTheFirstSlash) {
  Route route = ResolveRoute("/files/abc/prediction", "/files/");
  EXPECT_EQ(route.kind, Kind::kUploadSub);
  EXPECT_EQ(route.id, "abc");
  EXPECT_EQ(route.sub, "prediction");
  route = ResolveRoute("/files/abc/", "/files/");
  EXPECT_EQ(route.kind, Kind::kUploadSub);
  EXPECT_EQ(route.sub, "");
}

TEST(ResolveRouteTest, HealthAndMetrics) {
  EXPECT_EQ(ResolveRoute("/healthz", "/files/").kind, Kind::kHealth);
  EXPECT_EQ(ResolveRoute("/metrics", "/files/").kind, Kind::kMetrics);
}

TEST(ResolveRouteTest, EverythingElseIsUnknown) {
  for (const char* path :
       {"/", "", "/file", "/filesX", "/filesabc", "/other/abc", "/healthz/", "/FILES/abc", "*"}) {
    EXPECT_EQ(ResolveRoute(path, "/files/").kind, Kind::kUnknown) << path;
  }
}

TEST(ResolveRouteTest, CustomBasePath) {
  EXPECT_EQ(ResolveRoute("/api/uploads/", "/api/uploads/").kind, Kind::kCollection);
  EXPECT_EQ(ResolveRoute("/api/uploads", "/api/uploads/").kind, Kind::kCollection);
  Route route = ResolveRoute("/api/uploads/abc", "/api/uploads/");
  EXPECT_EQ(route.kind, Kind::kUpload);
  EXPECT_EQ(route.id, "abc");
  EXPECT_EQ(ResolveRoute("/files/abc", "/api/uploads/").kind, Kind::kUnknown);
}

TEST(ResolveRouteTest, RootBasePath) {
  EXPECT_EQ(ResolveRoute("/", "/").kind, Kind::kCollection);
  EXPECT_EQ(ResolveRoute("/healthz", "/").kind, Kind::kHealth);
  Route route = ResolveRoute("/abc", "/");
  EXPECT_EQ(route.kind, Kind::kUpload);
  EXPECT_EQ(route.id, "abc");
}

}  // namespace
}  // namespace tuskd::server
