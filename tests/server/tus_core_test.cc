// The tus 1.0.0 core and extensions against a real tuskd: creation (with upload, deferred
// length, empty), HEAD, PATCH, termination, X-HTTP-Method-Override, OPTIONS and CORS.
// Downloads (GET) are in download_test.cc.
#include <gtest/gtest.h>

#include <cstdio>
#include <regex>
#include <string>
#include <vector>

#include "tests/server/raw_client.h"
#include "tests/server/shared_tuskd.h"

namespace tuskd::server::testing {
namespace {

class TusCoreTest : public UploadsTest<TusCoreTest> {};

TEST_F(TusCoreTest, CreationAnswers201WithLocationAndOffset) {
  CreatedUpload created = CreateUpload(port(), 100);
  const HttpResponse& r = created.response;
  ASSERT_EQ(r.status, 201) << r.error << r.body;
  EXPECT_TRUE(std::regex_match(*r.Header("Location"),
                               std::regex("http://127\\.0\\.0\\.1/files/[0-9a-f]{32}")))
      << *r.Header("Location");
  EXPECT_EQ(r.Header("Upload-Offset"), "0");
  EXPECT_TRUE(r.HasHeader("Upload-Expires"));
  EXPECT_EQ(r.Header("Tus-Resumable"), "1.0.0");
}

TEST_F(TusCoreTest, LocationUsesTheHostHeader) {
  HttpResponse r = Exchange(
      port(), "POST", "/files/",
      {{"Tus-Resumable", "1.0.0"}, {"Upload-Length", "1"}, {"Host", "uploads.example:8443"}});
  ASSERT_EQ(r.status, 201) << r.error;
  EXPECT_EQ(r.Header("Location")->rfind("http://uploads.example:8443/files/", 0), 0u)
      << *r.Header("Location");
}

TEST_F(TusCoreTest, ProxyHeadersAreIgnoredWithoutBehindProxy) {
  HttpResponse r = Exchange(port(), "POST", "/files/",
                            {{"Tus-Resumable", "1.0.0"},
                             {"Upload-Length", "1"},
                             {"X-Forwarded-Host", "evil.example"},
                             {"X-Forwarded-Proto", "https"}});
  ASSERT_EQ(r.status, 201) << r.error;
  EXPECT_EQ(r.Header("Location")->rfind("http://127.0.0.1/files/", 0), 0u) << *r.Header("Location");
}

TEST_F(TusCoreTest, HeadReportsOffsetLengthMetadataAndNoStore) {
  const std::string metadata = "filename d29ybGRfZG9taW5hdGlvbi5wbGFuLnBkZg==,is_confidential";
  std::string path = NewUpload(10, "abcd", {{"Upload-Metadata", metadata}});
  HttpResponse head = Exchange(port(), "HEAD", path);
  ASSERT_EQ(head.status, 200) << head.error;
  EXPECT_EQ(head.Header("Upload-Offset"), "4");
  EXPECT_EQ(head.Header("Upload-Length"), "10");
  EXPECT_EQ(head.Header("Upload-Metadata"), metadata);
  EXPECT_EQ(head.Header("Cache-Control"), "no-store");
  EXPECT_TRUE(head.HasHeader("Upload-Expires"));
  EXPECT_EQ(head.Header("Tus-Resumable"), "1.0.0");
  EXPECT_TRUE(head.body.empty());
}

TEST_F(TusCoreTest, SeveralPatchesThenGetReturnsTheExactBytes) {
  std::string data = TestBytes(300000, 20);
  std::string path = NewUpload(data.size());
  size_t offset = 0;
  for (size_t piece : {1u, 99999u, 150000u, 50000u}) {
    HttpResponse r =
        Exchange(port(), "PATCH", path, PatchHeaders(offset), data.substr(offset, piece));
    ASSERT_EQ(r.status, 204) << r.error << r.body;
    offset += piece;
    EXPECT_EQ(r.Header("Upload-Offset"), std::to_string(offset));
  }
  EXPECT_TRUE(StoredBytesAre(port(), path, data));
}

TEST_F(TusCoreTest, CompleteUploadReportsItsSha256AndNoExpiry) {
  std::string data = TestBytes(4096, 21);
  std::string path = NewUpload(data.size(), data);
  HttpResponse head = Exchange(port(), "HEAD", path);
  ASSERT_EQ(head.status, 200) << head.error;
  EXPECT_EQ(head.Header("Upload-Offset"), "4096");
  EXPECT_FALSE(head.HasHeader("Upload-Expires"));
  EXPECT_EQ(head.Header("Upload-Sha256"), Sha256Of(data));
}

TEST_F(TusCoreTest, EmptyPatchOnCompleteUploadReportsItsOffset) {
  std::string path = NewUpload(3, "abc");
  HttpResponse r = Exchange(port(), "PATCH", path, PatchHeaders(3));
  EXPECT_EQ(r.status, 204) << r.error << r.body;
  EXPECT_EQ(r.Header("Upload-Offset"), "3");
}

TEST_F(TusCoreTest, CreationWithUploadStoresTheBody) {
  std::string data = TestBytes(5000, 23);
  HttpResponse r = Exchange(port(), "POST", "/files/",
                            {{"Tus-Resumable", "1.0.0"},
                             {"Upload-Length", "8000"},
                             {"Content-Type", "application/offset+octet-stream"}},
                            data);
  ASSERT_EQ(r.status, 201) << r.error << r.body;
  EXPECT_EQ(r.Header("Upload-Offset"), "5000");
  std::string path = r.Header("Location")->substr(r.Header("Location")->find("/files/"));
  EXPECT_EQ(HeadOffset(port(), path), 5000u);
  EXPECT_TRUE(StoredBytesAre(port(), path, data));
}

TEST_F(TusCoreTest, CreationWithWholeBodyCompletesTheUpload) {
  std::string data = TestBytes(100, 24);
  HttpResponse r = Exchange(port(), "POST", "/files/",
                            {{"Tus-Resumable", "1.0.0"},
                             {"Upload-Length", "100"},
                             {"Content-Type", "application/offset+octet-stream"}},
                            data);
  ASSERT_EQ(r.status, 201) << r.error << r.body;
  EXPECT_EQ(r.Header("Upload-Offset"), "100");
  EXPECT_FALSE(r.HasHeader("Upload-Expires"));
  std::string path = r.Header("Location")->substr(r.Header("Location")->find("/files/"));
  EXPECT_TRUE(StoredBytesAre(port(), path, data));
}

TEST_F(TusCoreTest, CreationWithChunkedBody) {
  HttpResponse r = Exchange(port(), "POST", "/files/",
                            {{"Tus-Resumable", "1.0.0"},
                             {"Upload-Length", "10"},
                             {"Content-Type", "application/offset+octet-stream"},
                             {"Transfer-Encoding", "chunked"}},
                            Chunk("abc") + Chunk("de") + "0\r\n\r\n");
  ASSERT_EQ(r.status, 201) << r.error << r.body;
  EXPECT_EQ(r.Header("Upload-Offset"), "5");
}

TEST_F(TusCoreTest, ZeroByteUploadIsCompleteAtCreation) {
  CreatedUpload created = CreateUpload(port(), 0);
  ASSERT_EQ(created.response.status, 201) << created.response.error;
  EXPECT_EQ(created.response.Header("Upload-Offset"), "0");
  EXPECT_FALSE(created.response.HasHeader("Upload-Expires"));
  HttpResponse head = Exchange(port(), "HEAD", created.path);
  EXPECT_EQ(head.Header("Upload-Offset"), "0");
  EXPECT_EQ(head.Header("Upload-Length"), "0");
  EXPECT_EQ(head.Header("Upload-Sha256"), Sha256Of(""));
  HttpResponse got = Exchange(port(), "GET", created.path, {});
  EXPECT_EQ(got.status, 200);
  EXPECT_EQ(got.Header("Content-Length"), "0");
  EXPECT_TRUE(got.body.empty());
}

TEST_F(TusCoreTest, DeferredLengthIsDeclaredByALaterPatch) {
  CreatedUpload created = CreateUpload(port(), std::nullopt);
  ASSERT_EQ(created.response.status, 201) << created.response.error << created.response.body;
  HttpResponse head = Exchange(port(), "HEAD", created.path);
  EXPECT_EQ(head.Header("Upload-Defer-Length"), "1");
  EXPECT_FALSE(head.HasHeader("Upload-Length"));

  // Bytes before the length is known, then the length with more bytes, then the rest.
  HttpResponse first = Exchange(port(), "PATCH", created.path, PatchHeaders(0), "abc");
  EXPECT_EQ(first.status, 204) << first.body;
  HttpResponse second =
      Exchange(port(), "PATCH", created.path, PatchHeaders(3, {{"Upload-Length", "8"}}), "def");
  EXPECT_EQ(second.status, 204) << second.body;
  head = Exchange(port(), "HEAD", created.path);
  EXPECT_EQ(head.Header("Upload-Length"), "8");
  EXPECT_FALSE(head.HasHeader("Upload-Defer-Length"));
  EXPECT_EQ(head.Header("Upload-Offset"), "6");
  HttpResponse last = Exchange(port(), "PATCH", created.path, PatchHeaders(6), "gh");
  EXPECT_EQ(last.status, 204) << last.body;
  EXPECT_TRUE(StoredBytesAre(port(), created.path, "abcdefgh"));
}

TEST_F(TusCoreTest, TerminationAnswers204ThenGone) {
  std::string path = NewUpload(10, "abc");
  HttpResponse deleted = Exchange(port(), "DELETE", path);
  EXPECT_EQ(deleted.status, 204) << deleted.error << deleted.body;
  EXPECT_EQ(Exchange(port(), "HEAD", path).status, 410);
  HttpResponse patch = Exchange(port(), "PATCH", path, PatchHeaders(3), "d");
  EXPECT_EQ(patch.status, 410);
  EXPECT_EQ(patch.body.rfind("ERR_UPLOAD_TERMINATED", 0), 0u) << patch.body;
  EXPECT_EQ(Exchange(port(), "GET", path, {}).status, 410);
  EXPECT_EQ(Exchange(port(), "DELETE", path).status, 410);
}

TEST_F(TusCoreTest, MethodOverridePostActsAsPatch) {
  std::string path = NewUpload(5);
  HeaderFields headers = PatchHeaders(0, {{"X-HTTP-Method-Override", "PATCH"}});
  HttpResponse r = Exchange(port(), "POST", path, headers, "hello");
  EXPECT_EQ(r.status, 204) << r.error << r.body;
  EXPECT_EQ(r.Header("Upload-Offset"), "5");
  EXPECT_TRUE(StoredBytesAre(port(), path, "hello"));
}

TEST_F(TusCoreTest, MethodOverridePostActsAsDeleteAndHead) {
  std::string path = NewUpload(5, "ab");
  HttpResponse head = Exchange(port(), "POST", path,
                               {{"Tus-Resumable", "1.0.0"}, {"X-HTTP-Method-Override", "HEAD"}});
  EXPECT_EQ(head.status, 200) << head.error;
  EXPECT_EQ(head.Header("Upload-Offset"), "2");
  HttpResponse deleted = Exchange(
      port(), "POST", path, {{"Tus-Resumable", "1.0.0"}, {"X-HTTP-Method-Override", "delete"}});
  EXPECT_EQ(deleted.status, 204) << deleted.error << deleted.body;
  EXPECT_EQ(Exchange(port(), "HEAD", path).status, 410);
}

TEST_F(TusCoreTest, OptionsAdvertisesVersionExtensionsAndMaxSize) {
  HttpResponse r = Exchange(port(), "OPTIONS", "/files/", {});
  EXPECT_EQ(r.status, 204) << r.error;
  EXPECT_EQ(r.Header("Tus-Version"), "1.0.0");
  EXPECT_EQ(r.Header("Tus-Max-Size"), std::to_string(1 << 20));
  auto extensions = r.Header("Tus-Extension");
  ASSERT_TRUE(extensions);
  for (const char* name :
       {"creation", "creation-with-upload", "creation-defer-length", "termination", "expiration"}) {
    EXPECT_NE(("," + *extensions + ",").find("," + std::string(name) + ","), std::string::npos)
        << name << " not in " << *extensions;
  }
  EXPECT_TRUE(r.body.empty());
}

TEST_F(TusCoreTest, OptionsAdvertisesChecksumAlgorithms) {
  HttpResponse r = Exchange(port(), "OPTIONS", "/files/", {});
  EXPECT_EQ(r.Header("Tus-Checksum-Algorithm"), "sha1,sha256,md5");
  EXPECT_NE(r.Header("Tus-Extension").value_or("").find("checksum"), std::string::npos);
}

// sha1("hello"), base64
constexpr char kSha1Hello[] = "sha1 qvTGHdzF6KLavt4PO0gs2a6pQ00=";

TEST_F(TusCoreTest, PatchWithMatchingChecksumIsStored) {
  std::string path = NewUpload(5);
  HttpResponse r =
      Exchange(port(), "PATCH", path, PatchHeaders(0, {{"Upload-Checksum", kSha1Hello}}), "hello");
  EXPECT_EQ(r.status, 204) << r.error << r.body;
  EXPECT_TRUE(StoredBytesAre(port(), path, "hello"));
}

TEST_F(TusCoreTest, ChecksumTrailerIsVerified) {
  std::string good = NewUpload(5);
  HeaderFields headers =
      PatchHeaders(0, {{"Transfer-Encoding", "chunked"}, {"Trailer", "Upload-Checksum"}});
  HttpResponse r =
      Exchange(port(), "PATCH", good, headers,
               Chunk("hel") + Chunk("lo") + "0\r\nUpload-Checksum: " + kSha1Hello + "\r\n\r\n");
  EXPECT_EQ(r.status, 204) << r.error << r.body;
  EXPECT_TRUE(StoredBytesAre(port(), good, "hello"));

  std::string bad = NewUpload(5);
  r = Exchange(port(), "PATCH", bad, headers,
               Chunk("hel") + Chunk("lx") + "0\r\nUpload-Checksum: " + kSha1Hello + "\r\n\r\n");
  EXPECT_EQ(r.status, 460) << r.error << r.body;
  EXPECT_EQ(r.body.rfind("ERR_CHECKSUM_MISMATCH", 0), 0u) << r.body;
  EXPECT_EQ(HeadOffset(port(), bad), 0u);
}

TEST_F(TusCoreTest, OptionsOnAnUploadNeedsNoTusResumable) {
  std::string path = NewUpload(1);
  HttpResponse r = Exchange(port(), "OPTIONS", path, {});
  EXPECT_EQ(r.status, 204) << r.error;
  EXPECT_EQ(r.Header("Tus-Version"), "1.0.0");
}

TEST_F(TusCoreTest, CorsPreflightAllowsTusMethodsAndHeaders) {
  HttpResponse r = Exchange(port(), "OPTIONS", "/files/",
                            {{"Origin", "https://app.example"},
                             {"Access-Control-Request-Method", "PATCH"},
                             {"Access-Control-Request-Headers", "tus-resumable,upload-offset"}});
  EXPECT_EQ(r.status, 204) << r.error;
  EXPECT_EQ(r.Header("Access-Control-Allow-Origin"), "https://app.example");
  ASSERT_TRUE(r.HasHeader("Access-Control-Allow-Methods"));
  EXPECT_NE(r.Header("Access-Control-Allow-Methods")->find("PATCH"), std::string::npos);
  ASSERT_TRUE(r.HasHeader("Access-Control-Allow-Headers"));
  EXPECT_NE(r.Header("Access-Control-Allow-Headers")->find("Upload-Offset"), std::string::npos);
  EXPECT_TRUE(r.HasHeader("Access-Control-Max-Age"));
}

TEST_F(TusCoreTest, CorsResponsesExposeTusHeaders) {
  HttpResponse r = Exchange(
      port(), "POST", "/files/",
      {{"Tus-Resumable", "1.0.0"}, {"Upload-Length", "1"}, {"Origin", "https://app.example"}});
  ASSERT_EQ(r.status, 201) << r.error;
  EXPECT_EQ(r.Header("Access-Control-Allow-Origin"), "https://app.example");
  EXPECT_EQ(r.Header("Vary"), "Origin");
  auto exposed = r.Header("Access-Control-Expose-Headers");
  ASSERT_TRUE(exposed);
  for (const char* name : {"Location", "Upload-Offset", "Upload-Length", "Tus-Resumable"}) {
    EXPECT_NE(exposed->find(name), std::string::npos) << name;
  }
  // Errors carry them too, so a browser script can read the reason.
  HttpResponse error = Exchange(port(), "POST", "/files/", {{"Origin", "https://app.example"}});
  EXPECT_EQ(error.status, 412);
  EXPECT_EQ(error.Header("Access-Control-Allow-Origin"), "https://app.example");
}

TEST_F(TusCoreTest, HealthAndMetrics) {
  HttpResponse health = Exchange(port(), "GET", "/healthz", {});
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(health.body, "ok\n");
  HttpResponse metrics = Exchange(port(), "GET", "/metrics", {});
  EXPECT_EQ(metrics.status, 200);
  EXPECT_NE(metrics.body.find("tuskd_uploads_created_total"), std::string::npos);
  EXPECT_NE(metrics.body.find("tuskd_connections_open"), std::string::npos);
}

}  // namespace
}  // namespace tuskd::server::testing
