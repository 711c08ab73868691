// HTTP/1.1 framing against a real tuskd: keep-alive, pipelining, HEAD without body,
// Connection: close, absolute-form targets, a declined h2c upgrade, Content-Length and chunked
// PATCH bodies split at awkward places, and Expect: 100-continue.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/server/raw_client.h"
#include "tests/server/shared_tuskd.h"

namespace tuskd::server::testing {
namespace {

using std::chrono::milliseconds;

class HttpFramingTest : public SharedTuskdTest<HttpFramingTest> {
 public:
  static std::vector<std::string> Flags() { return {}; }

 protected:
  // A new upload of `length` bytes; fails the test when creation fails.
  std::string NewUpload(uint64_t length) {
    CreatedUpload created = CreateUpload(port(), length);
    EXPECT_EQ(created.response.status, 201) << created.response.error << created.response.body;
    EXPECT_FALSE(created.id.empty());
    return created.path;
  }
};

TEST_F(HttpFramingTest, KeepAliveServesSequentialRequestsOnOneConnection) {
  RawClient client(port());
  ASSERT_TRUE(client.connected());
  HttpResponse created = client.RoundTrip(
      BuildRequest("POST", "/files/", {{"Tus-Resumable", "1.0.0"}, {"Upload-Length", "6"}}));
  ASSERT_EQ(created.status, 201) << created.error;
  std::string path =
      created.Header("Location")->substr(created.Header("Location")->find("/files/"));

  EXPECT_EQ(client.RoundTrip(BuildRequest("HEAD", path, kTusHeaders)).Header("Upload-Offset"), "0");
  EXPECT_EQ(client.RoundTrip(PatchRequest(path, 0, "abc")).status, 204);
  EXPECT_EQ(client.RoundTrip(PatchRequest(path, 3, "def")).Header("Upload-Offset"), "6");
  HttpResponse got = client.RoundTrip(BuildRequest("GET", path));
  EXPECT_EQ(got.status, 200);
  EXPECT_EQ(got.body, "abcdef");
  EXPECT_TRUE(client.StaysQuiet(milliseconds(50)));  // still open, nothing extra sent
}

TEST_F(HttpFramingTest, PipelinedRequestsAreAnsweredInOrder) {
  std::string path = NewUpload(10);
  std::string batch = BuildRequest("HEAD", path, kTusHeaders) + PatchRequest(path, 0, "01234") +
                      BuildRequest("HEAD", path, kTusHeaders) + PatchRequest(path, 5, "56789") +
                      BuildRequest("GET", "/healthz") + BuildRequest("GET", path);
  RawClient client(port());
  ASSERT_TRUE(client.Send(batch));

  HttpResponse r1 = client.ReadResponse(/*to_head=*/true);
  EXPECT_EQ(r1.status, 200) << r1.error;
  EXPECT_EQ(r1.Header("Upload-Offset"), "0");
  HttpResponse r2 = client.ReadResponse();
  EXPECT_EQ(r2.status, 204) << r2.error;
  EXPECT_EQ(r2.Header("Upload-Offset"), "5");
  HttpResponse r3 = client.ReadResponse(/*to_head=*/true);
  EXPECT_EQ(r3.status, 200) << r3.error;
  EXPECT_EQ(r3.Header("Upload-Offset"), "5");
  HttpResponse r4 = client.ReadResponse();
  EXPECT_EQ(r4.status, 204) << r4.error;
  EXPECT_EQ(r4.Header("Upload-Offset"), "10");
  HttpResponse r5 = client.ReadResponse();
  EXPECT_EQ(r5.status, 200) << r5.error;
  EXPECT_EQ(r5.body, "ok\n");
  HttpResponse r6 = client.ReadResponse();
  EXPECT_EQ(r6.status, 200) << r6.error;
  EXPECT_EQ(r6.body, "0123456789");
}

TEST_F(HttpFramingTest, PipelinedRequestAfterChunkedBodyIsServed) {
  std::string path = NewUpload(8);
  HeaderFields chunked = PatchHeaders(0, {{"Transfer-Encoding", "chunked"}});
  std::string batch = BuildRequest("PATCH", path, chunked) + Chunk("abcd") + Chunk("efgh") +
                      "0\r\n\r\n" + BuildRequest("HEAD", path, kTusHeaders);
  RawClient client(port());
  ASSERT_TRUE(client.Send(batch));
  HttpResponse patched = client.ReadResponse();
  EXPECT_EQ(patched.status, 204) << patched.error << patched.body;
  EXPECT_EQ(patched.Header("Upload-Offset"), "8");
  HttpResponse head = client.ReadResponse(/*to_head=*/true);
  EXPECT_EQ(head.status, 200) << head.error;
  EXPECT_EQ(head.Header("Upload-Offset"), "8");
}

// A HEAD answer that carried body bytes would corrupt the next response on the connection.
TEST_F(HttpFramingTest, HeadResponsesCarryNoBody) {
  std::string path = NewUpload(4);
  RawClient client(port());
  ASSERT_TRUE(client.Send(BuildRequest("HEAD", path, kTusHeaders) +
                          BuildRequest("HEAD", "/files/not-an-upload-id", kTusHeaders) +
                          BuildRequest("HEAD", "/files/", kTusHeaders) +
                          BuildRequest("GET", "/healthz")));
  HttpResponse found = client.ReadResponse(/*to_head=*/true);
  EXPECT_EQ(found.status, 200) << found.error;
  HttpResponse missing = client.ReadResponse(/*to_head=*/true);
  EXPECT_EQ(missing.status, 404) << missing.error;
  HttpResponse not_allowed = client.ReadResponse(/*to_head=*/true);
  EXPECT_EQ(not_allowed.status, 405) << not_allowed.error;
  // Had any of them sent a body, these bytes would not start with a status line.
  HttpResponse health = client.ReadResponse();
  EXPECT_EQ(health.status, 200) << health.error;
  EXPECT_EQ(health.body, "ok\n");
}

TEST_F(HttpFramingTest, ConnectionCloseIsHonoured) {
  std::string path = NewUpload(4);
  RawClient client(port());
  HttpResponse head = client.RoundTrip(
      BuildRequest("HEAD", path, {{"Tus-Resumable", "1.0.0"}, {"Connection", "close"}}));
  EXPECT_EQ(head.status, 200) << head.error;
  EXPECT_EQ(head.Header("Connection"), "close");
  EXPECT_TRUE(client.WaitForClose());
}

TEST_F(HttpFramingTest, Http10WithoutKeepAliveIsClosedAfterTheResponse) {
  RawClient client(port());
  ASSERT_TRUE(client.Send("GET /healthz HTTP/1.0\r\n\r\n"));
  // RawClient parses HTTP/1.1 status lines only; a 1.0 request still gets a 1.1 answer.
  HttpResponse health = client.ReadResponse();
  EXPECT_EQ(health.status, 200) << health.error;
  EXPECT_TRUE(client.WaitForClose());
}

TEST_F(HttpFramingTest, AbsoluteFormTargetIsServed) {
  std::string path = NewUpload(5);
  std::string absolute = "http://" + server().authority() + path;
  RawClient client(port());
  HttpResponse patched = client.RoundTrip(PatchRequest(absolute, 0, "hello"));
  EXPECT_EQ(patched.status, 204) << patched.error << patched.body;
  EXPECT_EQ(patched.Header("Upload-Offset"), "5");
  HttpResponse head =
      client.RoundTrip(BuildRequest("HEAD", absolute + "?ignored=query", kTusHeaders));
  EXPECT_EQ(head.status, 200) << head.error;
  EXPECT_EQ(head.Header("Upload-Offset"), "5");
  EXPECT_TRUE(StoredBytesAre(port(), path, "hello"));
}

TEST_F(HttpFramingTest, H2cUpgradeIsDeclinedWithANormalAnswer) {
  std::string path = NewUpload(3);
  HeaderFields upgrade = {{"Connection", "Upgrade, HTTP2-Settings"},
                          {"Upgrade", "h2c"},
                          {"HTTP2-Settings", "AAMAAABkAARAAAAAAAIAAAAA"}};
  RawClient client(port());
  HeaderFields head_fields = kTusHeaders;
  head_fields.insert(head_fields.end(), upgrade.begin(), upgrade.end());
  HttpResponse head = client.RoundTrip(BuildRequest("HEAD", path, head_fields));
  EXPECT_EQ(head.status, 200) << head.error;
  HttpResponse patched = client.RoundTrip(PatchRequest(path, 0, "xyz", upgrade));
  EXPECT_EQ(patched.status, 204) << patched.error << patched.body;
  EXPECT_FALSE(patched.HasHeader("Upgrade"));
  // The connection still speaks HTTP/1.1.
  HttpResponse got = client.RoundTrip(BuildRequest("GET", path));
  EXPECT_EQ(got.status, 200) << got.error;
  EXPECT_EQ(got.body, "xyz");
}

TEST_F(HttpFramingTest, ContentLengthBodyInTheSameSendAsTheHead) {
  std::string body = TestBytes(100000, 1);
  std::string path = NewUpload(body.size());
  RawClient client(port());
  HttpResponse patched = client.RoundTrip(PatchRequest(path, 0, body));
  EXPECT_EQ(patched.status, 204) << patched.error << patched.body;
  EXPECT_EQ(patched.Header("Upload-Offset"), std::to_string(body.size()));
  EXPECT_TRUE(StoredBytesAre(port(), path, body));
}

TEST_F(HttpFramingTest, ContentLengthBodySplitAcrossSends) {
  std::string body = TestBytes(3000, 2);
  std::string path = NewUpload(body.size());
  std::string request = PatchRequest(path, 0, body);
  size_t head_end = request.find("\r\n\r\n") + 4;
  // Head split mid-line, then the last head bytes with the first body byte, then the body in
  // uneven pieces.
  std::vector<std::string> pieces = {
      request.substr(0, 7), request.substr(7, head_end - 8), request.substr(head_end - 1, 2),
      request.substr(head_end + 1, 999), request.substr(head_end + 1000)};
  RawClient client(port());
  ASSERT_TRUE(client.SendPieces(pieces, milliseconds(20)));
  HttpResponse patched = client.ReadResponse();
  EXPECT_EQ(patched.status, 204) << patched.error << patched.body;
  EXPECT_TRUE(StoredBytesAre(port(), path, body));
}

// Chunked bodies. SERVER BUG (see report): in Debug builds, any chunked body that takes more
// than one parser pass aborts tuskd: Connection::NextChunkedPiece calls
// parser_->on_chunk_body() again after chunk data was parsed, which Beast asserts against
// (`! rd_inited_`, boost/beast/http/parser.hpp:291).
TEST_F(HttpFramingTest, ChunkedBodyWithExtensionsAndTrailersInOneSend) {
  std::string a = TestBytes(1000, 3), b = TestBytes(1, 4), c = TestBytes(70000, 5);
  std::string path = NewUpload(a.size() + b.size() + c.size());
  std::string request =
      BuildRequest("PATCH", path, PatchHeaders(0, {{"Transfer-Encoding", "chunked"}})) +
      Chunk(a, "name=value") + Chunk(b, "flag;other=\"quoted\"") + Chunk(c) +
      "0\r\nX-Trailer-One: 1\r\nX-Trailer-Two: two\r\n\r\n";
  RawClient client(port());
  HttpResponse patched = client.RoundTrip(request);
  EXPECT_EQ(patched.status, 204) << patched.error << patched.body;
  EXPECT_EQ(patched.Header("Upload-Offset"), std::to_string(a.size() + b.size() + c.size()));
  EXPECT_TRUE(StoredBytesAre(port(), path, a + b + c));
}

// The upload is one byte longer than the body here: a body that exactly completes it is its own
// test (ChunkedBodyThatCompletesTheUploadWithALateLastChunk).
TEST_F(HttpFramingTest, ChunkedBodySplitAtAwkwardPlaces) {
  std::string a = TestBytes(300, 6), b = TestBytes(4096, 7), c = TestBytes(17, 8);
  std::string path = NewUpload(a.size() + b.size() + c.size() + 1);
  std::string head =
      BuildRequest("PATCH", path, PatchHeaders(0, {{"Transfer-Encoding", "chunked"}}));
  std::string chunk_a = Chunk(a, "ext=1");  // "12c;ext=1\r\n...\r\n"
  std::string chunk_b = Chunk(b);           // "1000\r\n...\r\n"
  std::string chunk_c = Chunk(c);
  std::string last = "0\r\nX-Checksum-Trailer: none\r\n\r\n";
  std::vector<std::string> pieces = {
      head.substr(0, head.size() - 1),                      // head without its final LF
      head.substr(head.size() - 1) + chunk_a.substr(0, 1),  // LF + first size digit
      chunk_a.substr(1, 4),                                 // rest of the size, into the extension
      chunk_a.substr(5, 5),                                 // extension end + CR (LF missing)
      chunk_a.substr(10, 150),                              // LF + half the data
      chunk_a.substr(160, chunk_a.size() - 161),            // the data, without the trailing LF
      chunk_a.substr(chunk_a.size() - 1) + chunk_b.substr(0, 2),         // LF + half a size line
      chunk_b.substr(2, chunk_b.size() - 3),                             // ... up to the data's CR
      chunk_b.substr(chunk_b.size() - 1) + chunk_c + last.substr(0, 9),  // into the trailer
      last.substr(9)};
  RawClient client(port());
  ASSERT_TRUE(client.SendPieces(pieces, milliseconds(15)));
  HttpResponse patched = client.ReadResponse();
  EXPECT_EQ(patched.status, 204) << patched.error << patched.body;
  EXPECT_EQ(patched.Header("Upload-Offset"), std::to_string(a.size() + b.size() + c.size()));
  EXPECT_TRUE(StoredBytesAre(port(), path, a + b + c));
}

TEST_F(HttpFramingTest, ChunkedBodyOneByteAtATime) {
  std::string data = TestBytes(40, 9);
  std::string path = NewUpload(data.size() + 1);
  std::string request =
      BuildRequest("PATCH", path, PatchHeaders(0, {{"Transfer-Encoding", "chunked"}})) +
      Chunk(data.substr(0, 13)) + Chunk(data.substr(13)) + "0\r\n\r\n";
  size_t head_end = request.find("\r\n\r\n") + 4;
  std::vector<std::string> pieces = {request.substr(0, head_end)};
  for (size_t i = head_end; i < request.size(); ++i) pieces.push_back(request.substr(i, 1));
  RawClient client(port());
  ASSERT_TRUE(client.SendPieces(pieces, milliseconds(1)));
  HttpResponse patched = client.ReadResponse();
  EXPECT_EQ(patched.status, 204) << patched.error << patched.body;
  EXPECT_TRUE(StoredBytesAre(port(), path, data));
}

// SERVER BUG (see report): Connection::NextPiece answers kTooLarge as soon as the delivered bytes
// reach the limit, before the parser has seen the last chunk; a chunked body that exactly fills
// the upload gets 413 ERR_SIZE_EXCEEDED (with the upload complete) whenever "0\r\n\r\n" arrives
// in a later read than the data, as it does from clients that write it separately.
TEST_F(HttpFramingTest, ChunkedBodyThatCompletesTheUploadWithALateLastChunk) {
  std::string path = NewUpload(6);
  RawClient client(port());
  ASSERT_TRUE(client.SendPieces(
      {BuildRequest("PATCH", path, PatchHeaders(0, {{"Transfer-Encoding", "chunked"}})) +
           Chunk("abcdef"),
       "0\r\n\r\n"},
      milliseconds(50)));
  HttpResponse patched = client.ReadResponse();
  EXPECT_EQ(patched.status, 204) << patched.error << patched.body;
  EXPECT_EQ(patched.Header("Upload-Offset"), "6");
  EXPECT_TRUE(StoredBytesAre(port(), path, "abcdef"));
}

TEST_F(HttpFramingTest, MalformedChunkSizeIsRefusedWith400) {
  std::string path = NewUpload(10);
  RawClient client(port());
  HttpResponse response = client.RoundTrip(
      BuildRequest("PATCH", path, PatchHeaders(0, {{"Transfer-Encoding", "chunked"}})) +
      "zz\r\nhello\r\n0\r\n\r\n");
  EXPECT_EQ(response.status, 400) << response.error;
  EXPECT_EQ(response.body.rfind("ERR_BAD_REQUEST", 0), 0u) << response.body;
  EXPECT_TRUE(client.WaitForClose());
}

// SERVER BUG (see report): RFC 9112 section 6.3 says a request whose Transfer-Encoding does not
// end in chunked has no determinable length: answer 400 and close. tuskd treats it as bodiless
// (204 for this PATCH) and parses the body as the next request, so the GET /healthz hidden in
// it is answered: a request-smuggling vector behind any proxy that frames it differently.
TEST_F(HttpFramingTest, TransferEncodingNotEndingInChunkedIsRefusedAndNothingIsSmuggled) {
  std::string path = NewUpload(100);
  RawClient client(port());
  HttpResponse r =
      client.RoundTrip(BuildRequest("PATCH", path, PatchHeaders(0, {{"Transfer-Encoding", "gzip"}}),
                                    "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"));
  EXPECT_EQ(r.status, 400) << r.error;
  EXPECT_EQ(r.body.rfind("ERR_BAD_REQUEST", 0), 0u) << r.body;
  EXPECT_TRUE(client.WaitForClose(milliseconds(2000)))
      << "the server answered a request smuggled in the body";
}

TEST_F(HttpFramingTest, ContentLengthWithChunkedIsRefused) {
  std::string path = NewUpload(100);
  RawClient client(port());
  HttpResponse r = client.RoundTrip(BuildRequest(
      "PATCH", path, PatchHeaders(0, {{"Content-Length", "5"}, {"Transfer-Encoding", "chunked"}}),
      "0\r\n\r\nGET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"));
  EXPECT_EQ(r.status, 400) << r.error;
  EXPECT_TRUE(client.WaitForClose(milliseconds(2000)))
      << "the server answered a request smuggled in the body";
  EXPECT_EQ(HeadOffset(port(), path), 0u);
}

TEST_F(HttpFramingTest, ExpectContinueGets100BeforeTheBodyIsSent) {
  std::string body = TestBytes(5000, 10);
  std::string path = NewUpload(body.size());
  HeaderFields headers = PatchHeaders(
      0, {{"Content-Length", std::to_string(body.size())}, {"Expect", "100-continue"}});
  RawClient client(port());
  ASSERT_TRUE(client.Send(BuildRequest("PATCH", path, headers)));
  HttpResponse interim = client.ReadResponse();
  ASSERT_EQ(interim.status, 100) << interim.error;
  ASSERT_TRUE(client.Send(body));
  HttpResponse patched = client.ReadResponse();
  EXPECT_EQ(patched.status, 204) << patched.error << patched.body;
  EXPECT_EQ(patched.Header("Upload-Offset"), std::to_string(body.size()));
  EXPECT_TRUE(StoredBytesAre(port(), path, body));
}

TEST_F(HttpFramingTest, ExpectContinueWithChunkedBody) {
  std::string path = NewUpload(6);
  RawClient client(port());
  ASSERT_TRUE(client.Send(BuildRequest(
      "PATCH", path,
      PatchHeaders(0, {{"Transfer-Encoding", "chunked"}, {"Expect", "100-continue"}}))));
  HttpResponse interim = client.ReadResponse();
  ASSERT_EQ(interim.status, 100) << interim.error;
  ASSERT_TRUE(client.Send(Chunk("abc") + Chunk("def") + "0\r\n\r\n"));
  HttpResponse patched = client.ReadResponse();
  EXPECT_EQ(patched.status, 204) << patched.error << patched.body;
  EXPECT_TRUE(StoredBytesAre(port(), path, "abcdef"));
}

TEST_F(HttpFramingTest, ExpectContinueWithWrongOffsetGets409AndNo100) {
  std::string path = NewUpload(10);
  HeaderFields headers = PatchHeaders(3, {{"Content-Length", "7"}, {"Expect", "100-continue"}});
  RawClient client(port());
  ASSERT_TRUE(client.Send(BuildRequest("PATCH", path, headers)));
  HttpResponse first = client.ReadResponse();
  EXPECT_EQ(first.status, 409) << first.error;
  EXPECT_EQ(first.Header("Upload-Offset"), "0");
  // The body was never invited, so the connection cannot carry another request: it closes,
  // and no 100 Continue follows the 409.
  EXPECT_TRUE(client.WaitForClose());
  EXPECT_EQ(HeadOffset(port(), path), 0u);
}

}  // namespace
}  // namespace tuskd::server::testing
