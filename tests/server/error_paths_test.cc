// Every HTTP error the server can answer (protocol/error_catalogue.h), each provoked through a
// real tuskd: one table for the refusals a single request triggers. The ones that need time are
// in timeouts_test.cc (408) and expiry_test.cc (410); 423 lives in lock_handover_test.cc, 503 in
// shutdown_test.cc, 404 for every method in unknown_upload_test.cc. Every error is plain text
// starting with its ERR_ code, and the server keeps serving afterwards (I6).
#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "tests/server/raw_client.h"
#include "tests/server/shared_tuskd.h"

namespace tuskd::server::testing {
namespace {

class ErrorPathsTest : public SharedTuskdTest<ErrorPathsTest> {
 public:
  static std::vector<std::string> Flags() { return {"--max-size", "1000"}; }
};

struct ErrorCase {
  const char* name;
  // The raw request, given the path of a fresh upload of 10 bytes at offset 0.
  std::function<std::string(const std::string& path)> request;
  int status;
  const char* code;                    // the body starts with this
  HeaderFields expected_headers = {};  // e.g. 409's Upload-Offset
};

HeaderFields With(HeaderFields base, const HeaderFields& extra) {
  base.insert(base.end(), extra.begin(), extra.end());
  return base;
}

// 400 for framing, metadata and offsets
std::vector<ErrorCase> BadRequestCases() {
  const HeaderFields tus = kTusHeaders;
  const std::string octets = "application/offset+octet-stream";
  return {
      // 400
      {"MalformedRequestLine", [](auto&) { return std::string("GARBAGE\r\n\r\n"); }, 400,
       "ERR_BAD_REQUEST"},
      {"MalformedHeaderLine",
       [](auto& path) { return "GET " + path + " HTTP/1.1\r\nNo colon here\r\n\r\n"; }, 400,
       "ERR_BAD_REQUEST"},
      // Framing a proxy and the server could read differently (request smuggling; more in
      // http_framing_test.cc).
      {"ConflictingContentLengths",
       [](auto& path) {
         return BuildRequest("PATCH", path,
                             PatchHeaders(0, {{"Content-Length", "3"}, {"Content-Length", "4"}}),
                             "abcd");
       },
       400, "ERR_BAD_REQUEST"},
      // Transfer-Encoding not ending in chunked: HttpFramingTest (a server bug lets it smuggle).
      {"BadMetadata",
       [=](auto&) {
         return BuildRequest("POST", "/files/",
                             With(tus, {{"Upload-Length", "5"}, {"Upload-Metadata", "name !!!"}}));
       },
       400, "ERR_INVALID_METADATA"},
      {"DuplicateMetadataKey",
       [=](auto&) {
         return BuildRequest(
             "POST", "/files/",
             With(tus, {{"Upload-Length", "5"}, {"Upload-Metadata", "a YQ==,a Yg=="}}));
       },
       400, "ERR_INVALID_METADATA"},
      {"TooManyMetadataPairs",
       [=](auto&) {
         std::string many = "k0";
         for (int i = 1; i <= 256; ++i) many += ",k" + std::to_string(i);
         return BuildRequest("POST", "/files/",
                             With(tus, {{"Upload-Length", "5"}, {"Upload-Metadata", many}}));
       },
       400, "ERR_INVALID_METADATA"},
      {"NegativeUploadOffset",
       [=](auto& path) {
         return BuildRequest("PATCH", path,
                             With(tus, {{"Content-Type", octets}, {"Upload-Offset", "-1"}}), "a");
       },
       400, "ERR_INVALID_OFFSET"},
      {"NonNumericUploadOffset",
       [=](auto& path) {
         return BuildRequest("PATCH", path,
                             With(tus, {{"Content-Type", octets}, {"Upload-Offset", "abc"}}), "a");
       },
       400, "ERR_INVALID_OFFSET"},
      {"MissingUploadOffset",
       [=](auto& path) {
         return BuildRequest("PATCH", path, With(tus, {{"Content-Type", octets}}), "a");
       },
       400, "ERR_INVALID_OFFSET"},
  };
}

// 400 for lengths, repeated fields and overrides; 400 and 460 for checksums
std::vector<ErrorCase> BadLengthAndChecksumCases() {
  const HeaderFields tus = kTusHeaders;
  return {
      {"LengthAndDeferLength",
       [=](auto&) {
         return BuildRequest("POST", "/files/",
                             With(tus, {{"Upload-Length", "5"}, {"Upload-Defer-Length", "1"}}));
       },
       400, "ERR_LENGTH_AND_DEFER"},
      {"NoLength", [=](auto&) { return BuildRequest("POST", "/files/", tus); }, 400,
       "ERR_MISSING_LENGTH"},
      {"NonNumericLength",
       [=](auto&) {
         return BuildRequest("POST", "/files/", With(tus, {{"Upload-Length", "-5"}}));
       },
       400, "ERR_INVALID_LENGTH"},
      {"DeferLengthNotOne",
       [=](auto&) {
         return BuildRequest("POST", "/files/", With(tus, {{"Upload-Defer-Length", "2"}}));
       },
       400, "ERR_INVALID_DEFER_LENGTH"},
      {"DuplicateUploadOffset",
       [](auto& path) {
         return PatchRequest(path, 0, "a", {{"Upload-Offset", "0"}});
       },
       400, "ERR_DUPLICATE_HEADER"},
      {"DifferentLengthOnPatch",
       [](auto& path) {
         return PatchRequest(path, 0, "a", {{"Upload-Length", "11"}});
       },
       400, "ERR_LENGTH_ALREADY_SET"},
      {"UnknownMethodOverride",
       [=](auto& path) {
         return BuildRequest("POST", path, With(tus, {{"X-HTTP-Method-Override", "FROB"}}));
       },
       400, "ERR_INVALID_METHOD_OVERRIDE"},
      {"ChecksumAlgorithmNotOffered",
       [](auto& path) {
         return PatchRequest(path, 0, "hello", {{"Upload-Checksum", "crc32 AAAAAA=="}});
       },
       400, "ERR_UNSUPPORTED_CHECKSUM"},
      {"MalformedChecksum",
       [](auto& path) {
         return PatchRequest(path, 0, "hello", {{"Upload-Checksum", "sha1"}});
       },
       400, "ERR_INVALID_CHECKSUM_HEADER"},
      // 460: the body is dropped whole (the table checks the offset stayed 0)
      {"ChecksumMismatch",
       [](auto& path) {
         return PatchRequest(path, 0, "hellx",
                             {{"Upload-Checksum", "sha1 qvTGHdzF6KLavt4PO0gs2a6pQ00="}});
       },
       460, "ERR_CHECKSUM_MISMATCH"},
  };
}

// 404, 405 and 409: no such thing, not that method, not that offset
std::vector<ErrorCase> RouteCases() {
  const HeaderFields tus = kTusHeaders;
  return {
      // 404
      {"UnknownRoute", [](auto&) { return BuildRequest("GET", "/nowhere"); }, 404, "ERR_NOT_FOUND"},
      // An unknown but well-formed id: UnknownUploadTest below (it crashes the server).
      {"InvalidUploadId", [=](auto&) { return BuildRequest("DELETE", "/files/not-an-id", tus); },
       404, "ERR_UPLOAD_NOT_FOUND"},
      {"PathTraversalId",
       [=](auto&) { return BuildRequest("GET", "/files/..%2f..%2fetc%2fpasswd", tus); }, 404,
       "ERR_UPLOAD_NOT_FOUND"},
      {"UnknownSubResource",
       [=](auto& path) { return BuildRequest("GET", path + "/nothing", tus); }, 404,
       "ERR_NOT_FOUND"},
      // 405
      {"PutOnCollection",
       [=](auto&) { return BuildRequest("PUT", "/files/", tus); },
       405,
       "ERR_METHOD_NOT_ALLOWED",
       {{"Allow", "OPTIONS, POST"}}},
      {"GetOnCollection", [](auto&) { return BuildRequest("GET", "/files/"); }, 405,
       "ERR_METHOD_NOT_ALLOWED"},
      {"PostOnUpload",
       [=](auto& path) { return BuildRequest("POST", path, tus); },
       405,
       "ERR_METHOD_NOT_ALLOWED",
       {{"Allow", "OPTIONS, HEAD, PATCH, DELETE, GET"}}},
      // 409
      {"MismatchedOffset",
       [](auto& path) { return PatchRequest(path, 5, "abcde"); },
       409,
       "ERR_MISMATCHED_OFFSET",
       {{"Upload-Offset", "0"}}},
  };
}

// 412: no Tus-Resumable, or one the server does not speak
std::vector<ErrorCase> VersionCases() {
  const std::string octets = "application/offset+octet-stream";
  return {
      // 412
      {"NoTusResumable",
       [](auto&) {
         return BuildRequest("POST", "/files/", {{"Upload-Length", "5"}});
       },
       412,
       "ERR_UNSUPPORTED_VERSION",
       {{"Tus-Version", "1.0.0"}}},
      {"OldTusResumable",
       [](auto&) {
         return BuildRequest("POST", "/files/",
                             {{"Tus-Resumable", "0.2.2"}, {"Upload-Length", "5"}});
       },
       412,
       "ERR_UNSUPPORTED_VERSION",
       {{"Tus-Version", "1.0.0"}}},
      {"OverriddenToPatchWithoutTusResumable",
       [=](auto& path) {
         // The exemption of GET is for the method acted on, not the one on the wire.
         return BuildRequest("GET", path,
                             {{"X-HTTP-Method-Override", "PATCH"},
                              {"Content-Type", octets},
                              {"Upload-Offset", "0"}},
                             "a");
       },
       412,
       "ERR_UNSUPPORTED_VERSION",
       {{"Tus-Version", "1.0.0"}}},
      {"PatchWithoutTusResumable",
       [=](auto& path) {
         return BuildRequest("PATCH", path, {{"Content-Type", octets}, {"Upload-Offset", "0"}},
                             "a");
       },
       412,
       "ERR_UNSUPPORTED_VERSION",
       {{"Tus-Version", "1.0.0"}}},
  };
}

// 413, 415, 416 and 431: too large, wrong type, out of range, head too large
std::vector<ErrorCase> SizeAndTypeCases() {
  const HeaderFields tus = kTusHeaders;
  const std::string octets = "application/offset+octet-stream";
  return {
      // 413
      {"LengthAboveMaxSize",
       [=](auto&) {
         return BuildRequest("POST", "/files/", With(tus, {{"Upload-Length", "1001"}}));
       },
       413, "ERR_MAX_SIZE_EXCEEDED"},
      {"PatchBodyLongerThanLength", [](auto& path) { return PatchRequest(path, 0, "01234567890"); },
       413, "ERR_SIZE_EXCEEDED"},
      {"CreationBodyLongerThanLength",
       [=](auto&) {
         return BuildRequest("POST", "/files/",
                             With(tus, {{"Upload-Length", "2"}, {"Content-Type", octets}}), "abc");
       },
       413, "ERR_SIZE_EXCEEDED"},
      // 415
      {"PatchWithWrongContentType",
       [=](auto& path) {
         return BuildRequest("PATCH", path,
                             With(tus, {{"Content-Type", "text/plain"}, {"Upload-Offset", "0"}}),
                             "a");
       },
       415, "ERR_INVALID_CONTENT_TYPE"},
      {"PatchWithoutContentType",
       [=](auto& path) {
         return BuildRequest("PATCH", path, With(tus, {{"Upload-Offset", "0"}}), "a");
       },
       415, "ERR_INVALID_CONTENT_TYPE"},
      {"CreationBodyWithWrongContentType",
       [=](auto&) {
         return BuildRequest(
             "POST", "/files/",
             With(tus, {{"Upload-Length", "5"}, {"Content-Type", "multipart/form-data"}}), "abc");
       },
       415, "ERR_INVALID_CONTENT_TYPE"},
      // 416
      {"RangeBeyondTheBytes",
       [](auto& path) {
         return BuildRequest("GET", path, {{"Range", "bytes=0-0"}});
       },
       416,
       "ERR_RANGE_NOT_SATISFIABLE",
       {{"Content-Range", "bytes */0"}}},
      // 431
      {"HeadersTooLarge",
       [=](auto& path) {
         return BuildRequest("HEAD", path, With(tus, {{"X-Padding", std::string(70000, 'p')}}));
       },
       431, ""},
      {"ManyHeadersTooLarge",
       [=](auto&) {
         HeaderFields many = tus;
         for (int i = 0; i < 2000; ++i) {
           many.emplace_back("X-H" + std::to_string(i), "0123456789abcdef0123456789");
         }
         return BuildRequest("GET", "/healthz", many);
       },
       431, "ERR_HEADERS_TOO_LARGE"},
      // 501 (Upload-Concat with --concatenation off): ConcatenationOffTest.
  };
}

std::vector<ErrorCase> Cases() {
  std::vector<ErrorCase> all;
  for (auto part :
       {BadRequestCases, BadLengthAndChecksumCases, RouteCases, VersionCases, SizeAndTypeCases}) {
    std::vector<ErrorCase> cases = part();
    all.insert(all.end(), cases.begin(), cases.end());
  }
  return all;
}

TEST_F(ErrorPathsTest, EveryRefusalHasItsStatusCodeAndPlainTextReason) {
  for (const ErrorCase& c : Cases()) {
    SCOPED_TRACE(c.name);
    CreatedUpload upload = CreateUpload(port(), 10);
    ASSERT_EQ(upload.response.status, 201);
    std::string request = c.request(upload.path);
    RawClient client(port());
    // A request the server refuses early may be cut by the close that follows; the answer
    // must still arrive.
    client.Send(request);
    HttpResponse r = client.ReadResponse(request.rfind("HEAD ", 0) == 0);
    EXPECT_EQ(r.status, c.status) << r.error << r.body;
    if (*c.code) {
      EXPECT_EQ(r.body.rfind(std::string(c.code) + ": ", 0), 0u) << r.body;
      EXPECT_EQ(r.Header("Content-Type"), "text/plain; charset=utf-8");
    }
    EXPECT_EQ(r.Header("Tus-Resumable"), "1.0.0");
    for (const auto& [name, value] : c.expected_headers) {
      EXPECT_EQ(r.Header(name), value) << name;
    }
    // Nothing was written by a refused request, and the server serves the next client.
    if (r.status >= 400) {
      EXPECT_EQ(HeadOffset(port(), upload.path), 0u);
    }
    EXPECT_EQ(Exchange(port(), "GET", "/healthz", {}).status, 200);
  }
}

TEST_F(ErrorPathsTest, ErrorsBeforeTheBodyCloseTheConnection) {
  CreatedUpload upload = CreateUpload(port(), 10);
  RawClient client(port());
  // The 409 is decided on the head; the unread body must not be parsed as a next request.
  HttpResponse r = client.RoundTrip(PatchRequest(upload.path, 3, "GET /healthz HTTP/1.1\r\n\r\n"));
  EXPECT_EQ(r.status, 409) << r.error;
  EXPECT_EQ(r.Header("Connection"), "close");
  EXPECT_TRUE(client.WaitForClose());
}

TEST_F(ErrorPathsTest, ErrorsWithoutABodyKeepTheConnection) {
  RawClient client(port());
  HttpResponse r = client.RoundTrip(BuildRequest("GET", "/nowhere"));
  EXPECT_EQ(r.status, 404);
  HttpResponse next = client.RoundTrip(BuildRequest("GET", "/healthz"));
  EXPECT_EQ(next.status, 200) << next.error;
}

TEST_F(ErrorPathsTest, TerminatedUploadIsGone) {
  CreatedUpload upload = CreateUpload(port(), 10);
  ASSERT_EQ(Exchange(port(), "DELETE", upload.path).status, 204);
  HttpResponse r = Exchange(port(), "GET", upload.path, {});
  EXPECT_EQ(r.status, 410);
  EXPECT_EQ(r.body.rfind("ERR_UPLOAD_TERMINATED", 0), 0u) << r.body;
}

TEST_F(ErrorPathsTest, OversizedHeadAnswered431ThenClosed) {
  RawClient client(port());
  client.Send("GET /healthz HTTP/1.1\r\nX-Big: " + std::string(100000, 'b') + "\r\n\r\n");
  HttpResponse r = client.ReadResponse();
  EXPECT_EQ(r.status, 431) << r.error;
  EXPECT_EQ(r.body.rfind("ERR_HEADERS_TOO_LARGE", 0), 0u) << r.body;
  EXPECT_TRUE(client.WaitForClose());
}

TEST_F(ErrorPathsTest, MalformedRequestLineAnswered400ThenClosed) {
  RawClient client(port());
  client.Send("THIS IS NOT HTTP\r\n\r\n");
  HttpResponse r = client.ReadResponse();
  EXPECT_EQ(r.status, 400) << r.error;
  EXPECT_EQ(r.body.rfind("ERR_BAD_REQUEST", 0), 0u) << r.body;
  EXPECT_TRUE(client.WaitForClose());
}

}  // namespace
}  // namespace tuskd::server::testing
