// Deterministic fuzzing of a running tuskd over HTTP (invariant I6): 810 mutations of valid tus and
// IETF-draft requests (method, target, version, header names and values, body framing, truncation,
// trailing garbage), each on its own connection, from a fixed seed. Every one must be answered
// below 500 or have its connection closed, within the client's timeout; afterwards the server still
// serves, a new upload stores exact bytes, and an upload written before the fuzzing kept its offset
// and bytes.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tests/common/fuzz_random.h"
#include "tests/common/printable.h"
#include "tests/server/ietf_client.h"
#include "tests/server/raw_client.h"
#include "tests/server/shared_tuskd.h"

namespace tuskd::server::testing {
namespace {

using tuskd::testing::Printable;

using std::chrono::milliseconds;
using namespace std::string_view_literals;

// Far longer than tuskd needs to answer any of these requests on loopback (a few ms), far
// shorter than any of its own timeouts (30 s and up by default): a request still unanswered
// after it hangs the server's connection.
constexpr milliseconds kAnswerTimeout{2000};
// Passes over ValidRequests() (27 templates), one mutation of each per pass: 810 requests.
constexpr int kPasses = 30;
// After this many failing requests the rest are skipped: the first ones say enough, and each
// hang costs a full timeout.
constexpr int kMaxFailures = 5;

// A request in pieces, so mutations can aim at one part and keep the rest well-formed.
struct RequestParts {
  std::string method;
  std::string target;
  std::string version = "HTTP/1.1";
  HeaderFields headers;
  std::string body;

  std::string Render() const {
    std::string text = method + " " + target + " " + version + "\r\n";
    for (const auto& [name, value] : headers) text += name + ": " + value + "\r\n";
    return text + "\r\n" + body;
  }
};

RequestParts Request(std::string method, std::string target, HeaderFields headers,
                     std::string body = {}) {
  headers.insert(headers.begin(), {"Host", "127.0.0.1"});
  // Always explicit, so the length itself can be mutated.
  if (!body.empty()) headers.emplace_back("Content-Length", std::to_string(body.size()));
  return {std::move(method), std::move(target), "HTTP/1.1", std::move(headers), std::move(body)};
}

RequestParts ChunkedRequest(std::string method, std::string target, HeaderFields headers,
                            std::string_view data) {
  headers.insert(headers.begin(), {"Host", "127.0.0.1"});
  headers.emplace_back("Transfer-Encoding", "chunked");
  std::string body =
      Chunk(data.substr(0, data.size() / 2)) + Chunk(data.substr(data.size() / 2)) + "0\r\n\r\n";
  return {std::move(method), std::move(target), "HTTP/1.1", std::move(headers), std::move(body)};
}

// The uploads the mutated requests may name. None of them is the upload the test protects.
struct FuzzTargets {
  std::string upload;    // length 100, receiving
  std::string deferred;  // Upload-Defer-Length: 1
  std::string doomed;    // what the DELETE template terminates
  std::string authority;
};

// Valid requests of every kind the server serves; the fuzz mutates copies of these.
std::vector<RequestParts> ValidRequests(const FuzzTargets& t) {
  const HeaderFields tus = kTusHeaders;
  const std::string data = TestBytes(20, 7);
  auto with = [](HeaderFields fields, const HeaderFields& more) {
    fields.insert(fields.end(), more.begin(), more.end());
    return fields;
  };
  return {
      Request("POST", "/files/",
              with(tus, {{"Upload-Length", "10"},
                         {"Upload-Metadata", "filename aGVsbG8udHh0,is_confidential"}})),
      Request(
          "POST", "/files/",
          with(tus, {{"Upload-Length", "5"}, {"Content-Type", "application/offset+octet-stream"}}),
          "hello"),
      Request("POST", "/files/", with(tus, {{"Upload-Defer-Length", "1"}})),
      Request("POST", "/files/", with(tus, {{"Upload-Length", "3"}, {"Upload-Concat", "partial"}})),
      Request("POST", "/files/", with(tus, {{"Upload-Concat", "final;" + t.upload}})),
      Request("PATCH", t.upload, PatchHeaders(0), data),
      Request("PATCH", t.upload,
              PatchHeaders(0, {{"Upload-Checksum", "sha256 " + Sha256Of(data, /*hex=*/false)}}),
              data),
      ChunkedRequest("PATCH", t.upload, PatchHeaders(0), data),
      Request("PATCH", t.upload, PatchHeaders(0, {{"Expect", "100-continue"}}), data),
      Request("PATCH", t.deferred, PatchHeaders(0, {{"Upload-Length", "40"}}), data),
      Request("POST", t.upload, PatchHeaders(0, {{"X-HTTP-Method-Override", "PATCH"}}), data),
      Request("HEAD", t.upload, tus),
      Request("OPTIONS", "/files/", {}),
      Request("OPTIONS", "/files/",
              {{"Origin", "http://example.com"}, {"Access-Control-Request-Method", "PATCH"}}),
      Request("DELETE", t.doomed, tus),
      Request("GET", t.upload, {}),
      Request("GET", t.upload, {{"Range", "bytes=0-9"}}),
      Request("GET", t.upload + "/prediction", {}),
      Request("GET", "/predictions/" + std::string(64, 'a'), {}),
      Request("GET", "http://" + t.authority + t.upload, {}),
      Request("GET", "/healthz", {}),
      Request("GET", "/metrics", {}),
      Request("GET", "/admin/expired", {{"Authorization", "Bearer not-the-token"}}),
      Request("POST", "/files/",
              CreationFields(8, false,
                             {{"Content-Type", "text/plain"},
                              {"Content-Disposition", "attachment; filename=a.txt"}}),
              data),
      Request("POST", "/files/", CreationFields(3, true), data),
      Request("PATCH", t.upload, AppendFields(6, 0, false), data),
      Request("HEAD", t.upload, DraftFields(5)),
  };
}

// Fields a mutation adds: framing conflicts, impossible numbers, wrong protocol values.
const std::vector<std::pair<std::string, std::string>> kHostileFields = {
    {"Transfer-Encoding", "chunked"},
    {"Transfer-Encoding", "gzip, chunked"},
    {"Transfer-Encoding", "identity"},
    {"Content-Length", "5"},
    {"Content-Length", "-1"},
    {"Content-Length", "18446744073709551616"},
    {"Content-Length", "3, 3"},
    {"Expect", "100-continue"},
    {"Expect", "something-else"},
    {"X-HTTP-Method-Override", "FROB"},
    {"X-HTTP-Method-Override", "HEAD"},
    {"Upload-Offset", "9223372036854775807"},
    {"Upload-Length", "18446744073709551615"},
    {"Upload-Defer-Length", "1"},
    {"Upload-Metadata", "a Zg==,a Zg=="},
    {"Upload-Concat", "final;/files/ /files/x http://evil.example/files/y"},
    {"Upload-Checksum", "sha256 AAAA"},
    {"Upload-Checksum", "crc32 AAAAAA=="},
    {"Upload-Complete", "?1"},
    {"Upload-Incomplete", "maybe"},
    {"Upload-Draft-Interop-Version", "7"},
    {"Upload-Draft-Interop-Version", "8"},
    {"Tus-Resumable", "0.2.2"},
    {"Connection", "close"},
    {"Connection", "Upgrade, HTTP2-Settings"},
    {"Upgrade", "h2c"},
    {"Range", "bytes=-0"},
    {"Range", "bytes=0-1,2-3"},
    {"Content-Type", "application/partial-upload"},
    {"Content-Disposition", "attachment; filename*=UTF-8''%00%0d%0a"},
    {"Host", ""},
    {"Origin", "null"},
    {"Authorization", "Bearer "},
};

// Values a mutated field may take: empty, signed, overflowing, non-ASCII, controls, separators.
const std::vector<std::string> kHostileValues = {
    "",         "-1",  "99999999999999999999",
    "1e3",      " 7 ", "0x10",
    "\x80\xff", "?1",  "chunked",
    "\x01",     "%",   "final;",
    "=",        ",",   "\"",
    "a\tb",
};

// Bytes HTTP gives meaning to, and the ones it forbids.
constexpr std::string_view kHttpSpecialBytes = " \t\r\n:;,/?#%\"=\x7f\x80\xff\0"sv;

// Mutates requests from one seed.
class RequestMutator : public tuskd::testing::FuzzRandom {
 public:
  explicit RequestMutator(uint64_t seed) : FuzzRandom(seed, kHttpSpecialBytes) {}

  // One to three edits of the parts, then, one time in three, an edit of the bytes themselves.
  std::string Mutate(RequestParts parts) {
    for (uint64_t edits = 1 + Below(3); edits > 0; --edits) EditParts(parts);
    std::string bytes = parts.Render();
    if (OneIn(3)) EditBytes(bytes);
    return bytes;
  }

 private:
  std::string RandomBytes(size_t max) {
    std::string bytes(Below(max + 1), '\0');
    for (char& c : bytes) c = OneIn(2) ? SpecialByte() : AnyByte();
    return bytes;
  }

  // One byte-level edit of `text`: flip, replace with a special byte, insert, or delete.
  void EditText(std::string& text) {
    size_t at = Below(text.size() + 1);  // named: argument order is unspecified, seeds are not
    EditByte(text, at, Below(4), 3);
  }

  void EditParts(RequestParts& parts) {
    switch (Below(11)) {
      case 0:
        EditMethod(parts.method);
        break;
      case 1:
        EditTarget(parts.target);
        break;
      case 2: {
        static const std::vector<std::string> kVersions = {"HTTP/1.0",  "HTTP/2.0", "http/1.1",
                                                           "HTTP/1.1 ", "HTTP/9.9", ""};
        parts.version = kVersions[Below(kVersions.size())];
        break;
      }
      case 3:
        if (!parts.headers.empty()) EditText(parts.headers[Below(parts.headers.size())].first);
        break;
      case 4:
        if (!parts.headers.empty()) EditValue(parts.headers[Below(parts.headers.size())].second);
        break;
      case 5:
        if (!parts.headers.empty()) {
          parts.headers.erase(parts.headers.begin() +
                              static_cast<std::ptrdiff_t>(Below(parts.headers.size())));
        }
        break;
      case 6:
        if (!parts.headers.empty()) {
          auto copy = parts.headers[Below(parts.headers.size())];
          parts.headers.insert(
              parts.headers.begin() + static_cast<std::ptrdiff_t>(Below(parts.headers.size() + 1)),
              copy);
        }
        break;
      case 7:
        parts.headers.push_back(kHostileFields[Below(kHostileFields.size())]);
        break;
      case 8:
        EditContentLength(parts);
        break;
      case 9:
        Rechunk(parts);
        break;
      default:
        EditText(parts.body);
        break;
    }
  }

  void EditMethod(std::string& method) {
    static const std::vector<std::string> kMethods = {
        "", "get", "PUT", "CONNECT", "TRACE", "PATCH", "HEAD", "DELETE", "GET", "OPTIONS", "POST"};
    if (OneIn(2)) {
      method = kMethods[Below(kMethods.size())];
    } else if (OneIn(8)) {
      method.assign(1 + Below(5000), 'A');
    } else {
      EditText(method);
    }
  }

  void EditTarget(std::string& target) {
    static const std::vector<std::string> kPieces = {
        "/", "/../", "%", "%00", "%2e%2e", "?x=1", "#f", "/prediction", "//", "*", "\\", ".."};
    switch (Below(5)) {
      case 0:
        target.insert(Below(target.size() + 1), kPieces[Below(kPieces.size())]);
        break;
      case 1:
        target = OneIn(2) ? "*" : "http://evil.example" + target;
        break;
      case 2:
        target.append(Below(9000), 'x');  // past typical path limits, inside the 64 KiB head
        break;
      default:
        EditText(target);
        break;
    }
  }

  void EditValue(std::string& value) {
    switch (Below(4)) {
      case 0:
        value = kHostileValues[Below(kHostileValues.size())];
        break;
      case 1:
        value = RandomBytes(40);
        break;
      case 2:
        value.append(OneIn(2) ? 70000 : 300, OneIn(2) ? '9' : 'v');  // 431 or merely long
        break;
      default:
        EditText(value);
        break;
    }
  }

  // Content-Length that disagrees with the body (or is missing while a body is sent).
  void EditContentLength(RequestParts& parts) {
    auto field = std::find_if(parts.headers.begin(), parts.headers.end(),
                              [](const auto& f) { return f.first == "Content-Length"; });
    int64_t length = static_cast<int64_t>(parts.body.size()) + static_cast<int64_t>(Below(9)) - 4;
    if (field == parts.headers.end()) {
      parts.headers.emplace_back("Content-Length", std::to_string(std::max<int64_t>(length, 0)));
    } else if (OneIn(4)) {
      parts.headers.erase(field);
    } else {
      field->second = std::to_string(length);
    }
  }

  // The body re-framed as chunked, with a chunk size, extension, data or terminator wrong.
  void Rechunk(RequestParts& parts) {
    std::string data = parts.body.empty() ? "abcdef" : parts.body;
    std::erase_if(parts.headers, [](const auto& f) {
      return f.first == "Content-Length" || f.first == "Transfer-Encoding";
    });
    parts.headers.emplace_back("Transfer-Encoding", "chunked");
    std::string body = Chunk(data.substr(0, data.size() / 2));
    std::string rest = data.substr(data.size() / 2);
    switch (Below(8)) {
      case 0:  // size larger than the data that follows
        body += Chunk(rest).replace(0, 1, "f");
        break;
      case 1:
        body += "zz\r\n" + rest + "\r\n";
        break;
      case 2:
        body += "-1\r\n" + rest + "\r\n";
        break;
      case 3:
        body += "ffffffffffffffffff\r\n" + rest + "\r\n";
        break;
      case 4:
        body += Chunk(rest, "a=\"unterminated");
        break;
      case 5: {  // data without its CRLF
        std::string chunk = Chunk(rest);
        body += chunk.substr(0, chunk.size() - 2);
        break;
      }
      case 6:  // LF-only line ends
        body += std::to_string(rest.size()) + "\n" + rest + "\n0\n\n";
        parts.body = body;
        return;
      default:  // trailer fields after the last chunk
        body += Chunk(rest) + "0\r\nX-Trailer: 1\r\nUpload-Offset: 0\r\n\r\n";
        parts.body = body;
        return;
    }
    if (!OneIn(3)) body += "0\r\n\r\n";  // sometimes the terminator is missing too
    parts.body = body;
  }

  // Cut the request short, append garbage, corrupt bytes anywhere, or strip the CRs.
  void EditBytes(std::string& bytes) {
    switch (Below(4)) {
      case 0:
        bytes.resize(Below(bytes.size() + 1));
        break;
      case 1:
        bytes += RandomBytes(300);
        break;
      case 2:
        for (uint64_t edits = 1 + Below(4); edits > 0; --edits) EditText(bytes);
        break;
      default:
        std::erase(bytes, '\r');
        break;
    }
  }
};

bool ContainsIgnoreCase(std::string_view text, std::string_view word) {
  auto lower = [](char c) {
    return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  };
  return std::search(text.begin(), text.end(), word.begin(), word.end(),
                     [&](char a, char b) { return lower(a) == lower(b); }) != text.end();
}

class RequestFuzzTest : public SharedTuskdTest<RequestFuzzTest> {
 public:
  static std::vector<std::string> Flags() { return {"--max-size", "1M"}; }

 protected:
  // Three new uploads for one pass of templates to name (a failed creation leaves a path empty).
  FuzzTargets NewTargets() {
    FuzzTargets targets;
    targets.authority = server().authority();
    for (auto [path, length] : {std::pair{&targets.upload, std::optional<uint64_t>(100)},
                                std::pair{&targets.deferred, std::optional<uint64_t>()},
                                std::pair{&targets.doomed, std::optional<uint64_t>(5)}}) {
      CreatedUpload created = CreateUpload(port(), length);
      EXPECT_EQ(created.response.status, 201) << created.response.error;
      *path = created.path;
    }
    return targets;
  }

  // Sends `request` on a new connection and half-closes it, so a server waiting for more bytes
  // sees their end at once rather than after its own timeout. Then reads every answer until the
  // server closes. Succeeds when each answer is below 500, each refusal (but one to HEAD, which
  // has no body) carries a reason, and the close comes within kAnswerTimeout.
  ::testing::AssertionResult AnsweredWithoutHarm(const std::string& request) {
    RawClient client(port(), kAnswerTimeout);
    if (!client.connected()) return ::testing::AssertionFailure() << "cannot connect";
    // A send cut short is fine: the server may refuse early (431, 400) and close.
    client.Send(request);
    client.ShutdownWrite();
    bool head = request.rfind("HEAD ", 0) == 0;
    for (;;) {
      HttpResponse r = client.ReadResponse(head);
      if (r.status == 0) {
        // Answers that end in a close (or a cut) are a refusal too; silence is not.
        if (r.error.rfind("timed out", 0) == 0 || r.error.rfind("bad status line", 0) == 0) {
          return ::testing::AssertionFailure() << r.error;
        }
        return ::testing::AssertionSuccess();
      }
      if (r.status >= 500) {
        return ::testing::AssertionFailure() << "answered " << r.status << ": " << r.body;
      }
      if (r.status >= 400 && !head && r.body.empty()) {
        return ::testing::AssertionFailure() << "answered " << r.status << " without a reason";
      }
      if (r.status >= 200) head = false;  // later answers belong to the garbage after it
    }
  }
};

TEST_F(RequestFuzzTest, MutatedRequestsAreRefusedAndHarmNothing) {
  // The upload the fuzz must not touch: created and written before, checked after.
  const std::string kept = TestBytes(64, 11);
  CreatedUpload protected_upload = CreateUpload(port(), kept.size());
  ASSERT_EQ(protected_upload.response.status, 201) << protected_upload.response.error;
  ASSERT_EQ(
      Exchange(port(), "PATCH", protected_upload.path, PatchHeaders(0), kept.substr(0, 40)).status,
      204);

  RequestMutator mutator(0x5eed2026);
  int sent = 0;
  int failures = 0;
  for (int pass = 0; pass < kPasses && failures < kMaxFailures; ++pass) {
    // Fresh uploads for each pass: once a mutation has deleted or completed one, or moved its
    // offset, later PATCHes would stop at 404/409/410 before reaching the body.
    FuzzTargets targets = NewTargets();
    ASSERT_FALSE(targets.upload.empty() || targets.deferred.empty() || targets.doomed.empty());
    for (const RequestParts& valid : ValidRequests(targets)) {
      if (failures >= kMaxFailures) break;
      std::string request = mutator.Mutate(valid);
      // The mutations only ever start from other uploads' URLs; this makes sure no edit could
      // have produced the protected one (a DELETE or PATCH there would be a false alarm).
      ASSERT_FALSE(ContainsIgnoreCase(request, protected_upload.id));
      ::testing::AssertionResult answered = AnsweredWithoutHarm(request);
      ++sent;
      if (!answered) {
        ++failures;
        ADD_FAILURE() << "request " << sent << ": " << answered.message() << "\n  sent: \""
                      << Printable(request) << "\"";
      }
    }
  }

  // The server still serves: no connection was left behind, and a new upload is stored exactly.
  EXPECT_TRUE(WaitUntilIdle(port()))
      << "connections still open: " << OpenConnections(port()).value_or(-1);
  const std::string fresh = TestBytes(3000, 12);
  CreatedUpload after = CreateUpload(port(), fresh.size());
  ASSERT_EQ(after.response.status, 201) << after.response.error;
  EXPECT_EQ(Exchange(port(), "PATCH", after.path, PatchHeaders(0), fresh.substr(0, 1000)).status,
            204);
  EXPECT_EQ(Exchange(port(), "PATCH", after.path, PatchHeaders(1000), fresh.substr(1000)).status,
            204);
  EXPECT_TRUE(StoredBytesAre(port(), after.path, fresh));

  // The protected upload lost and gained nothing, and still resumes where it stopped.
  EXPECT_EQ(HeadOffset(port(), protected_upload.path), 40u);
  EXPECT_TRUE(StoredBytesAre(port(), protected_upload.path, kept.substr(0, 40)));
  EXPECT_EQ(
      Exchange(port(), "PATCH", protected_upload.path, PatchHeaders(40), kept.substr(40)).status,
      204);
  EXPECT_TRUE(StoredBytesAre(port(), protected_upload.path, kept));
}

}  // namespace
}  // namespace tuskd::server::testing
