// The draft's concurrency rule on a real tuskd: a new request for an upload ends the one still
// writing it (invariant I5's hand-over), the ended request's bytes are kept, and the new one is
// decided on the true offset. Also: a tus 1.0 upload and a draft upload on one server at once.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/server/ietf_client.h"
#include "tests/server/raw_client.h"
#include "tests/server/shared_tuskd.h"
#include "tests/server/stalled_request.h"

namespace tuskd::server::testing {
namespace {

// A draft append that stalls after `sent` body bytes, holding the upload.
class StalledAppend : public StalledRequest {
 public:
  StalledAppend(uint16_t port, int version, const std::string& path, uint64_t offset,
                const std::string& data, size_t sent)
      : StalledRequest(port, BuildRequest("PATCH", path, AppendFields(version, offset, true), data),
                       data.size(), sent) {}
};

class IetfConcurrencyTest : public SharedTuskdTest<IetfConcurrencyTest>,
                            public ::testing::WithParamInterface<int> {
 public:
  static std::vector<std::string> Flags() { return {"--lock-timeout", "3000"}; }

 protected:
  int v() const { return GetParam(); }
  int AppendedStatus() const { return v() < 8 ? 201 : 200; }
};

TEST_P(IetfConcurrencyTest, ANewAppendEndsTheRunningOneAndResumesFromItsBytes) {
  const std::string data = TestBytes(200000, 200 + v());
  DraftCreation created = CreateDraftUpload(port(), v(), false);
  ASSERT_EQ(created.final.status, 201);
  StalledAppend a(port(), v(), created.path, 0, data, 70000);
  ASSERT_TRUE(a.Start());
  // B names the offset A reached (not yet committed): B ends A, which commits as it goes.
  HttpResponse b = DraftAppend(port(), v(), created.path, 70000, data.substr(70000), true);
  EXPECT_EQ(b.status, AppendedStatus()) << b.error << b.body;
  EXPECT_TRUE(SaysComplete(b, v()));
  ExpectInterrupted(a.client().ReadResponse(), 70000);
  EXPECT_TRUE(StoredBytesAre(port(), created.path, data));
}

TEST_P(IetfConcurrencyTest, AnAppendAtAStaleOffsetStillEndsTheRunningOneAndLearnsTheTrueOffset) {
  const std::string data = TestBytes(100000, 210 + v());
  DraftCreation created = CreateDraftUpload(port(), v(), false);
  StalledAppend a(port(), v(), created.path, 0, data, 40000);
  ASSERT_TRUE(a.Start());
  HttpResponse b = DraftAppend(port(), v(), created.path, 0, data, true);
  EXPECT_EQ(b.status, 409) << b.body;
  EXPECT_EQ(b.Header("Upload-Offset"), "40000");
  ExpectInterrupted(a.client().ReadResponse(), 40000);
}

TEST_P(IetfConcurrencyTest, AHeadEndsTheRunningCreationAndReportsItsBytes) {
  const std::string data = TestBytes(150000, 220 + v());
  RawClient a(port());
  std::string request = BuildRequest("POST", "/files/", CreationFields(v(), true), data);
  int64_t before = MetricValue(port(), kBytesReceivedMetric).value_or(0);
  ASSERT_TRUE(a.Send(request.substr(0, request.size() - data.size() + 50000)));
  HttpResponse interim = a.ReadResponse();
  ASSERT_EQ(interim.status, 104);
  std::string path = PathOf(interim.Header("Location"));
  ASSERT_TRUE(WaitForMetric(port(), kBytesReceivedMetric, before + 50000));

  HttpResponse head = DraftHead(port(), v(), path);
  EXPECT_EQ(head.Header("Upload-Offset"), "50000");
  EXPECT_FALSE(SaysComplete(head, v()));
  HttpResponse ended = a.ReadResponse();
  ExpectInterrupted(ended, 50000);
  EXPECT_EQ(PathOf(ended.Header("Location")), path) << "the same Location in every answer";
  HttpResponse rest = DraftAppend(port(), v(), path, 50000, data.substr(50000), true);
  EXPECT_EQ(rest.status, AppendedStatus()) << rest.body;
  EXPECT_TRUE(StoredBytesAre(port(), path, data));
}

TEST_P(IetfConcurrencyTest, CancellationEndsTheRunningAppend) {
  const std::string data = TestBytes(80000, 230 + v());
  DraftCreation created = CreateDraftUpload(port(), v(), false);
  StalledAppend a(port(), v(), created.path, 0, data, 30000);
  ASSERT_TRUE(a.Start());
  EXPECT_EQ(Exchange(port(), "DELETE", created.path, DraftFields(v())).status, 204);
  ExpectInterrupted(a.client().ReadResponse(), 30000);
  EXPECT_EQ(DraftHead(port(), v(), created.path).status, 404);
}

INSTANTIATE_TEST_SUITE_P(Versions, IetfConcurrencyTest, ::testing::Values(3, 5, 6, 8),
                         [](const auto& info) { return "v" + std::to_string(info.param); });

// With --lock-timeout 0 a holder is never asked to stop: the new request gets 423.
class IetfLockedTest : public SharedTuskdTest<IetfLockedTest> {
 public:
  static std::vector<std::string> Flags() { return {"--lock-timeout", "0"}; }
};

TEST_F(IetfLockedTest, AnAppendToAHeldUploadIs423) {
  const std::string data = TestBytes(60000, 240);
  DraftCreation created = CreateDraftUpload(port(), 8, false);
  StalledAppend a(port(), 8, created.path, 0, data, 20000);
  ASSERT_TRUE(a.Start());
  EXPECT_EQ(DraftAppend(port(), 8, created.path, 20000, "x", false).status, 423);
  EXPECT_EQ(Exchange(port(), "DELETE", created.path, DraftFields(8)).status, 423);
  ASSERT_TRUE(a.client().Send(data.substr(20000)));
  EXPECT_EQ(a.client().ReadResponse().status, 200);
  EXPECT_TRUE(StoredBytesAre(port(), created.path, data));
}

// Both protocols on one server at once, interleaved, and each can read the other's upload.
class IetfMixedProtocolsTest : public SharedTuskdTest<IetfMixedProtocolsTest> {
 public:
  static std::vector<std::string> Flags() { return {}; }
};

TEST_F(IetfMixedProtocolsTest, TusAndDraftUploadsInterleave) {
  const std::string tus_data = TestBytes(120000, 250);
  const std::string draft_data = TestBytes(130000, 251);
  CreatedUpload tus = CreateUpload(port(), tus_data.size());
  ASSERT_EQ(tus.response.status, 201);
  DraftCreation draft = CreateDraftUpload(port(), 6, false, draft_data.substr(0, 10000));
  ASSERT_EQ(draft.final.status, 201);

  // Both bodies are open at once, sent in alternating pieces on two connections.
  RawClient tus_client(port());
  RawClient draft_client(port());
  std::string tus_request = PatchRequest(tus.path, 0, tus_data);
  std::string draft_request =
      BuildRequest("PATCH", draft.path, AppendFields(6, 10000, true), draft_data.substr(10000));
  const size_t step = 20000;
  for (size_t at = 0; at < std::max(tus_request.size(), draft_request.size()); at += step) {
    if (at < tus_request.size()) {
      ASSERT_TRUE(tus_client.Send(tus_request.substr(at, step)));
    }
    if (at < draft_request.size()) {
      ASSERT_TRUE(draft_client.Send(draft_request.substr(at, step)));
    }
  }
  EXPECT_EQ(tus_client.ReadResponse().status, 204);
  HttpResponse draft_done = draft_client.ReadResponse();
  EXPECT_EQ(draft_done.status, 201) << draft_done.body;
  EXPECT_TRUE(SaysComplete(draft_done, 6));

  EXPECT_TRUE(StoredBytesAre(port(), tus.path, tus_data));
  EXPECT_TRUE(StoredBytesAre(port(), draft.path, draft_data));
  // Each protocol reads the other's upload.
  HttpResponse draft_view_of_tus = DraftHead(port(), 6, tus.path);
  EXPECT_EQ(draft_view_of_tus.Header("Upload-Offset"), std::to_string(tus_data.size()));
  EXPECT_TRUE(SaysComplete(draft_view_of_tus, 6));
  EXPECT_EQ(HeadOffset(port(), draft.path), draft_data.size());
  // And the tus side still demands Tus-Resumable of requests without the draft field.
  EXPECT_EQ(Exchange(port(), "HEAD", draft.path, {}).status, 412);
}

}  // namespace
}  // namespace tuskd::server::testing
