// GET of an upload against a real tuskd: byte ranges (206, 416, ranges it will not split),
// the committed prefix of an unfinished upload, no Tus-Resumable needed, and content types a
// browser may not render inline (tusd's filterContentType).
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "tests/server/raw_client.h"
#include "tests/server/shared_tuskd.h"

namespace tuskd::server::testing {
namespace {

class DownloadTest : public UploadsTest<DownloadTest> {};

TEST_F(DownloadTest, GetWithRangeAnswers206WithContentRange) {
  std::string data = "0123456789";
  std::string path = NewUpload(data.size(), data);
  struct Case {
    const char* range;
    const char* content_range;
    const char* body;
  };
  for (const Case& c :
       {Case{"bytes=2-5", "bytes 2-5/10", "2345"}, Case{"bytes=7-", "bytes 7-9/10", "789"},
        Case{"bytes=-3", "bytes 7-9/10", "789"}, Case{"bytes=8-100", "bytes 8-9/10", "89"}}) {
    HttpResponse r = Exchange(port(), "GET", path, {{"Range", c.range}});
    EXPECT_EQ(r.status, 206) << c.range << " " << r.error;
    EXPECT_EQ(r.Header("Content-Range"), c.content_range) << c.range;
    EXPECT_EQ(r.body, c.body) << c.range;
    EXPECT_EQ(r.Header("Content-Length"), std::to_string(std::string(c.body).size()));
  }
}

TEST_F(DownloadTest, MalformedOrMultiRangeServesEverything) {
  std::string path = NewUpload(4, "wxyz");
  for (const char* range : {"bytes=a-b", "items=0-1", "bytes=0-0,2-3"}) {
    HttpResponse r = Exchange(port(), "GET", path, {{"Range", range}});
    EXPECT_EQ(r.status, 200) << range;
    EXPECT_EQ(r.body, "wxyz") << range;
  }
}

TEST_F(DownloadTest, UnsatisfiableRangeAnswers416) {
  std::string path = NewUpload(10, "0123456789");
  HttpResponse r = Exchange(port(), "GET", path, {{"Range", "bytes=20-30"}});
  EXPECT_EQ(r.status, 416) << r.error;
  EXPECT_EQ(r.Header("Content-Range"), "bytes */10");
  EXPECT_EQ(r.body.rfind("ERR_RANGE_NOT_SATISFIABLE", 0), 0u) << r.body;
}

TEST_F(DownloadTest, PartialUploadGetServesTheCommittedPrefix) {
  std::string data = TestBytes(40, 22);
  std::string path = NewUpload(100, data);
  HttpResponse r = Exchange(port(), "GET", path, {});
  ASSERT_EQ(r.status, 200) << r.error;
  EXPECT_EQ(r.Header("Content-Length"), "40");
  EXPECT_EQ(r.body, data);
  HttpResponse tail = Exchange(port(), "GET", path, {{"Range", "bytes=-10"}});
  EXPECT_EQ(tail.status, 206);
  EXPECT_EQ(tail.Header("Content-Range"), "bytes 30-39/40");
  EXPECT_EQ(tail.body, data.substr(30));
}

TEST_F(DownloadTest, GetNeedsNoTusResumable) {
  std::string path = NewUpload(2, "ok");
  HttpResponse r = Exchange(port(), "GET", path, {});
  EXPECT_EQ(r.status, 200);
}

TEST_F(DownloadTest, UnsafeFiletypeIsServedAsAttachment) {
  // filetype "text/html", filename "page.html"
  std::string path = NewUpload(
      13, "<b>hello</b>!", {{"Upload-Metadata", "filetype dGV4dC9odG1s,filename cGFnZS5odG1s"}});
  HttpResponse r = Exchange(port(), "GET", path, {});
  ASSERT_EQ(r.status, 200) << r.error;
  EXPECT_EQ(r.Header("Content-Type"), "application/octet-stream");
  EXPECT_EQ(r.Header("Content-Disposition"), "attachment; filename=\"page.html\"");
  EXPECT_EQ(r.Header("X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(r.body, "<b>hello</b>!");
}

TEST_F(DownloadTest, InertFiletypeIsServedInline) {
  // filetype "image/png", filename "a.png"
  std::string path =
      NewUpload(4, "\x89PNG", {{"Upload-Metadata", "filetype aW1hZ2UvcG5n,filename YS5wbmc="}});
  HttpResponse r = Exchange(port(), "GET", path, {});
  ASSERT_EQ(r.status, 200) << r.error;
  EXPECT_EQ(r.Header("Content-Type"), "image/png");
  EXPECT_EQ(r.Header("Content-Disposition"), "inline; filename=\"a.png\"");
  EXPECT_EQ(r.Header("Accept-Ranges"), "bytes");
}

}  // namespace
}  // namespace tuskd::server::testing
