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

#include "tests/common/printable.h"
#include "tests/server/ietf_client.h"
#include "tests/server/raw_client.h"
#include "tests/server/request_mutator.h"
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
