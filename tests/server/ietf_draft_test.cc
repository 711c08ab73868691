// The IETF resumable-upload draft against a real tuskd, for each interop version it speaks (3, 5,
// 6, 8): creation with and without a body, complete (?1) or not (?0), the 104 interim response
// before the final 201, appends to completion, resumption after a cut connection, cancellation,
// OPTIONS, and that a draft upload is an ordinary upload for GET and tus HEAD.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/server/ietf_client.h"
#include "tests/server/raw_client.h"
#include "tests/server/shared_tuskd.h"

namespace tuskd::server::testing {
namespace {

constexpr char kBytesReceived[] = "tuskd_bytes_received_total";

class IetfDraftTest : public SharedTuskdTest<IetfDraftTest>,
                      public ::testing::WithParamInterface<int> {
 public:
  static std::vector<std::string> Flags() { return {"--max-size", "1M"}; }

 protected:
  int v() const { return GetParam(); }
  // The status an append that went through answers with (201 until draft -05; then 204 while
  // unfinished and 200 once complete).
  int AppendedStatus(bool complete) const {
    if (v() < 8) return 201;
    return complete ? 200 : 204;
  }
  void ExpectOffset(const std::string& path, uint64_t offset, bool complete) {
    HttpResponse head = DraftHead(port(), v(), path);
    ASSERT_EQ(head.status, 204) << head.error << head.body;
    EXPECT_EQ(head.Header("Upload-Offset"), std::to_string(offset));
    EXPECT_EQ(SaysComplete(head, v()), complete);
    EXPECT_EQ(head.Header("Cache-Control"), "no-store");
  }
};

TEST_P(IetfDraftTest, CreationWithoutBodySends104ThenAn201ForAnIncompleteUpload) {
  DraftCreation created = CreateDraftUpload(port(), v(), false);
  ASSERT_EQ(created.interim.status, 104) << created.interim.error;
  EXPECT_EQ(created.interim.Header("Upload-Draft-Interop-Version"), std::to_string(v()));
  ASSERT_TRUE(created.interim.HasHeader("Location"));
  EXPECT_EQ(created.interim.HasHeader("Upload-Limit"), v() >= 6);
  ASSERT_EQ(created.final.status, 201) << created.final.error << created.final.body;
  EXPECT_EQ(created.final.Header("Location"), created.interim.Header("Location"));
  EXPECT_EQ(created.final.Header("Upload-Offset"), "0");
  EXPECT_FALSE(SaysComplete(created.final, v()));
  EXPECT_EQ(created.final.Header("Upload-Limit").value_or("").rfind("max-size=1048576", 0),
            v() >= 6 ? 0u : std::string::npos);
  ExpectOffset(created.path, 0, false);
}

TEST_P(IetfDraftTest, CreationWithTheWholeBodyCompletesTheUpload) {
  const std::string data = TestBytes(70000, 100 + v());
  DraftCreation created = CreateDraftUpload(port(), v(), true, data);
  EXPECT_EQ(created.interim.status, 104);
  ASSERT_EQ(created.final.status, 201) << created.final.error << created.final.body;
  EXPECT_EQ(created.final.Header("Upload-Offset"), std::to_string(data.size()));
  EXPECT_TRUE(SaysComplete(created.final, v()));
  ExpectOffset(created.path, data.size(), true);
  EXPECT_TRUE(StoredBytesAre(port(), created.path, data));
  // An ordinary upload record: tus sees it too, with its length and digest.
  HttpResponse tus_head = Exchange(port(), "HEAD", created.path);
  EXPECT_EQ(tus_head.status, 200);
  EXPECT_EQ(tus_head.Header("Upload-Length"), std::to_string(data.size()));
  EXPECT_EQ(tus_head.Header("Upload-Sha256"), Sha256Of(data));
}

TEST_P(IetfDraftTest, CompleteCreationWithoutBodyIsAnEmptyUpload) {
  DraftCreation created = CreateDraftUpload(port(), v(), true);
  ASSERT_EQ(created.final.status, 201) << created.final.body;
  EXPECT_TRUE(SaysComplete(created.final, v()));
  ExpectOffset(created.path, 0, true);
  EXPECT_TRUE(StoredBytesAre(port(), created.path, ""));
}

TEST_P(IetfDraftTest, PartialCreationThenAppendsToCompletion) {
  const std::string data = TestBytes(90000, 110 + v());
  DraftCreation created = CreateDraftUpload(port(), v(), false, data.substr(0, 20000));
  ASSERT_EQ(created.final.status, 201) << created.final.body;
  EXPECT_EQ(created.final.Header("Upload-Offset"), "20000");
  EXPECT_FALSE(SaysComplete(created.final, v()));

  HttpResponse middle =
      DraftAppend(port(), v(), created.path, 20000, data.substr(20000, 30000), false);
  EXPECT_EQ(middle.status, AppendedStatus(false)) << middle.body;
  EXPECT_EQ(middle.Header("Upload-Offset"), "50000");
  EXPECT_FALSE(SaysComplete(middle, v()));
  ExpectOffset(created.path, 50000, false);

  HttpResponse last = DraftAppend(port(), v(), created.path, 50000, data.substr(50000), true);
  EXPECT_EQ(last.status, AppendedStatus(true)) << last.body;
  EXPECT_EQ(last.Header("Upload-Offset"), std::to_string(data.size()));
  EXPECT_TRUE(SaysComplete(last, v()));
  ExpectOffset(created.path, data.size(), true);
  EXPECT_TRUE(StoredBytesAre(port(), created.path, data));
}

TEST_P(IetfDraftTest, DeclaredLengthIsReportedWhereTheVersionHasUploadLength) {
  DraftCreation created = CreateDraftUpload(port(), v(), false, "abc", {{"Upload-Length", "10"}});
  ASSERT_EQ(created.final.status, 201) << created.final.body;
  HttpResponse head = DraftHead(port(), v(), created.path);
  EXPECT_EQ(head.Header("Upload-Length"),
            v() >= 6 ? std::optional<std::string>("10") : std::nullopt);
  HttpResponse last = DraftAppend(port(), v(), created.path, 3, "defghij", true);
  EXPECT_EQ(last.status, AppendedStatus(true)) << last.body;
  EXPECT_TRUE(StoredBytesAre(port(), created.path, "abcdefghij"));
}

TEST_P(IetfDraftTest, CompletingChunkedBodiesFixTheLengthAtTheirEnd) {
  const std::string data = TestBytes(30000, 120 + v());
  RawClient client(port());
  ASSERT_TRUE(
      client.Send(BuildRequest("POST", "/files/",
                               CreationFields(v(), false, {{"Transfer-Encoding", "chunked"}})) +
                  Chunk(data.substr(0, 10000)) + Chunk("")));
  DraftCreation created = ReadCreation(client);
  ASSERT_EQ(created.final.status, 201) << created.final.body;
  ASSERT_EQ(created.final.Header("Upload-Offset"), "10000");

  RawClient append(port());
  ASSERT_TRUE(
      append.Send(BuildRequest("PATCH", created.path,
                               AppendFields(v(), 10000, true, {{"Transfer-Encoding", "chunked"}})) +
                  Chunk(data.substr(10000, 15000)) + Chunk(data.substr(25000)) + Chunk("")));
  HttpResponse last = append.ReadResponse();
  EXPECT_EQ(last.status, AppendedStatus(true)) << last.body;
  EXPECT_TRUE(SaysComplete(last, v()));
  ExpectOffset(created.path, data.size(), true);
  EXPECT_TRUE(StoredBytesAre(port(), created.path, data));
}

TEST_P(IetfDraftTest, CompletingChunkedCreationIsAsLongAsItsBody) {
  const std::string data = TestBytes(25000, 125 + v());
  RawClient client(port());
  ASSERT_TRUE(
      client.Send(BuildRequest("POST", "/files/",
                               CreationFields(v(), true, {{"Transfer-Encoding", "chunked"}})) +
                  Chunk(data.substr(0, 5000)) + Chunk(data.substr(5000)) + Chunk("")));
  DraftCreation created = ReadCreation(client);
  EXPECT_EQ(created.interim.status, 104);
  ASSERT_EQ(created.final.status, 201) << created.final.body;
  EXPECT_TRUE(SaysComplete(created.final, v()));
  ExpectOffset(created.path, data.size(), true);
  EXPECT_TRUE(StoredBytesAre(port(), created.path, data));
}

// A creation and an append are each cut off mid-body: the bytes that arrived are kept, HEAD
// reports them, and the client resumes from there.
TEST_P(IetfDraftTest, ResumesAfterCutConnections) {
  const std::string data = TestBytes(200000, 130 + v());
  std::string request = BuildRequest("POST", "/files/", CreationFields(v(), true), data);
  const size_t head_size = request.size() - data.size();
  DraftCreation created;
  int64_t received = MetricValue(port(), kBytesReceived).value_or(0);
  {
    RawClient client(port());
    ASSERT_TRUE(client.Send(request.substr(0, head_size + 60000)));
    created.interim = client.ReadResponse();  // the 104: where to resume
    ASSERT_EQ(created.interim.status, 104) << created.interim.error;
    created.path = PathOf(created.interim.Header("Location"));
    ASSERT_TRUE(WaitForMetric(port(), kBytesReceived, received + 60000));
    client.Close();
  }
  ASSERT_TRUE(WaitUntilIdle(port()));
  ExpectOffset(created.path, 60000, false);

  std::string patch =
      BuildRequest("PATCH", created.path, AppendFields(v(), 60000, true), data.substr(60000));
  const size_t patch_head = patch.size() - (data.size() - 60000);
  {
    RawClient client(port());
    ASSERT_TRUE(client.Send(patch.substr(0, patch_head + 50000)));
    ASSERT_TRUE(WaitForMetric(port(), kBytesReceived, received + 110000));
    client.Close();
  }
  ASSERT_TRUE(WaitUntilIdle(port()));
  ExpectOffset(created.path, 110000, false);

  HttpResponse last = DraftAppend(port(), v(), created.path, 110000, data.substr(110000), true);
  EXPECT_EQ(last.status, AppendedStatus(true)) << last.body;
  EXPECT_TRUE(StoredBytesAre(port(), created.path, data));
}

TEST_P(IetfDraftTest, CancellationEndsTheUpload) {
  DraftCreation created = CreateDraftUpload(port(), v(), false, "partial");
  ASSERT_EQ(created.final.status, 201);
  HttpResponse deleted = Exchange(port(), "DELETE", created.path, DraftFields(v()));
  EXPECT_EQ(deleted.status, 204) << deleted.body;
  EXPECT_EQ(DraftHead(port(), v(), created.path).status, 404);
  EXPECT_EQ(DraftAppend(port(), v(), created.path, 7, "more", false).status, 404);
  EXPECT_EQ(Exchange(port(), "DELETE", created.path, DraftFields(v())).status, 404);
  // tus still knows it as terminated.
  EXPECT_EQ(Exchange(port(), "HEAD", created.path).status, 410);
}

TEST_P(IetfDraftTest, OptionsAnnouncesLimits) {
  HttpResponse options = Exchange(port(), "OPTIONS", "/files/", DraftFields(v()));
  EXPECT_EQ(options.status, 204);
  EXPECT_EQ(options.Header("Tus-Version"), "1.0.0");
  EXPECT_EQ(options.Header("Upload-Limit"),
            v() >= 6 ? std::optional<std::string>("max-size=1048576") : std::nullopt);
  EXPECT_EQ(options.Header("Accept-Patch"),
            v() == 8 ? std::optional<std::string>("application/partial-upload") : std::nullopt);
}

TEST_P(IetfDraftTest, RepresentationHeadersOfTheCreationBecomeItsMetadata) {
  // What URLSession sends: the file's own Content-Type and name, no tus Upload-Metadata.
  DraftCreation created =
      CreateDraftUpload(port(), v(), true, "\x89PNG....",
                        {{"Content-Type", "image/png"},
                         {"Content-Disposition", "attachment; filename=\"shot 1.png\""}});
  ASSERT_EQ(created.final.status, 201) << created.final.body;
  HttpResponse get = Exchange(port(), "GET", created.path, {});
  ASSERT_EQ(get.status, 200);
  EXPECT_EQ(get.Header("Content-Type"), "image/png") << "an inert type is served as itself";
  EXPECT_NE(get.Header("Content-Disposition").value_or("").find("shot 1.png"), std::string::npos)
      << get.Header("Content-Disposition").value_or("(none)");
  HttpResponse head = Exchange(port(), "HEAD", created.path, {{"Tus-Resumable", "1.0.0"}});
  EXPECT_EQ(head.Header("Upload-Metadata"), "filetype aW1hZ2UvcG5n,filename c2hvdCAxLnBuZw==");
}

INSTANTIATE_TEST_SUITE_P(Versions, IetfDraftTest, ::testing::Values(3, 5, 6, 8),
                         [](const auto& info) { return "v" + std::to_string(info.param); });

}  // namespace
}  // namespace tuskd::server::testing
