// Concatenation and concatenation-unfinished against a real tuskd: partial and final uploads,
// HEAD and 201 of a final before and after its parts are joined, every refusal (400, 403, 413,
// 501), a part going away, predictions, and a kill -9 while a final is being joined.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "tests/server/concat_client.h"
#include "tests/server/raw_client.h"
#include "tests/server/shared_tuskd.h"

namespace tuskd::server::testing {
namespace {

// Polls HEAD until the final upload reports `offset` (it is joined in the background).
bool WaitForOffset(uint16_t port, const std::string& path, uint64_t offset,
                   std::chrono::seconds timeout = std::chrono::seconds(20)) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (HeadOffset(port, path) == offset) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

class ConcatenationTest : public SharedTuskdTest<ConcatenationTest> {
 public:
  static std::vector<std::string> Flags() { return {"--max-size", "100K"}; }
};

TEST_F(ConcatenationTest, OptionsOffersBothExtensions) {
  HttpResponse r = Exchange(port(), "OPTIONS", "/files/", {});
  ASSERT_EQ(r.status, 204) << r.error;
  EXPECT_NE(r.Header("Tus-Extension")->find(",concatenation,concatenation-unfinished"),
            std::string::npos)
      << *r.Header("Tus-Extension");
}

TEST_F(ConcatenationTest, FinalOfCompletePartsIsCompleteWhenCreated) {
  std::string a = TestBytes(3000, 1), b = TestBytes(5, 2);
  std::string pa = NewPart(port(), a.size(), a), pb = NewPart(port(), b.size(), b);
  HttpResponse part_head = Exchange(port(), "HEAD", pa, kTusHeaders);
  EXPECT_EQ(part_head.Header("Upload-Concat"), "partial");
  EXPECT_EQ(part_head.Header("Upload-Offset"), "3000") << "a part reports its offset";

  // Absolute URL for one part, path for the other: both name this server's uploads (the
  // origin is the one its Location headers use, from Host).
  HttpResponse created =
      PostFinal(port(), "http://" + server().authority() + pb + " " + pa,
                {{"Upload-Metadata", "filename ZmluYWwuYmlu"}, {"Host", server().authority()}});
  ASSERT_EQ(created.status, 201) << created.error << created.body;
  EXPECT_EQ(created.Header("Upload-Offset"), std::to_string(a.size() + b.size()));
  EXPECT_FALSE(created.HasHeader("Upload-Expires")) << "a complete upload does not expire";
  std::string final_path = PathOf(created);

  HttpResponse head = Exchange(port(), "HEAD", final_path, kTusHeaders);
  ASSERT_EQ(head.status, 200);
  EXPECT_EQ(head.Header("Upload-Offset"), std::to_string(b.size() + a.size()));
  EXPECT_EQ(head.Header("Upload-Length"), std::to_string(b.size() + a.size()));
  EXPECT_EQ(head.Header("Upload-Concat"), "final;" + pb + " " + pa);
  EXPECT_EQ(head.Header("Upload-Metadata"), "filename ZmluYWwuYmlu") << "the final's own";
  EXPECT_EQ(head.Header("Upload-Sha256"), Sha256Of(b + a));
  EXPECT_TRUE(StoredBytesAre(port(), final_path, b + a));
  EXPECT_TRUE(StoredBytesAre(port(), pa, a)) << "parts are kept by default";
}

TEST_F(ConcatenationTest, PartMayCarryItsFirstBytesInTheCreationRequest) {
  HttpResponse created =
      Exchange(port(), "POST", "/files/",
               With(kTusHeaders, {{"Upload-Length", "4"},
                                  {"Upload-Concat", "partial"},
                                  {"Content-Type", "application/offset+octet-stream"}}),
               "abcd");
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(created.Header("Upload-Offset"), "4");
  HttpResponse final_upload = PostFinal(port(), PathOf(created));
  ASSERT_EQ(final_upload.status, 201) << final_upload.body;
  EXPECT_TRUE(StoredBytesAre(port(), PathOf(final_upload), "abcd"));
}

TEST_F(ConcatenationTest, FinalDeclaredBeforeItsPartsFinishCompletesWhenTheyDo) {
  std::string a = TestBytes(4000, 3), b = TestBytes(6000, 4);
  std::string pa = NewPart(port(), a.size(), a.substr(0, 1000));
  std::string pb = NewPart(port(), std::nullopt, "");  // deferred: the final's length is unknown
  HttpResponse created = PostFinal(port(), pa + " " + pb);
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_FALSE(created.HasHeader("Upload-Offset")) << "undefined until the parts are joined";
  std::string final_path = PathOf(created);
  HttpResponse head = Exchange(port(), "HEAD", final_path, kTusHeaders);
  ASSERT_EQ(head.status, 200);
  EXPECT_FALSE(head.HasHeader("Upload-Offset"));
  EXPECT_FALSE(head.HasHeader("Upload-Length"));
  EXPECT_FALSE(head.HasHeader("Upload-Defer-Length"));

  ASSERT_EQ(Exchange(port(), "PATCH", pa, PatchHeaders(1000), a.substr(1000)).status, 204);
  ASSERT_EQ(
      Exchange(port(), "PATCH", pb, PatchHeaders(0, {{"Upload-Length", "6000"}}), b.substr(0, 2500))
          .status,
      204);
  EXPECT_FALSE(Exchange(port(), "HEAD", final_path, kTusHeaders).HasHeader("Upload-Offset"));
  EXPECT_EQ(Exchange(port(), "HEAD", final_path, kTusHeaders).Header("Upload-Length"), "10000")
      << "every part's length is known now";
  ASSERT_EQ(Exchange(port(), "PATCH", pb, PatchHeaders(2500), b.substr(2500)).status, 204);

  ASSERT_TRUE(WaitForOffset(port(), final_path, a.size() + b.size()));
  EXPECT_EQ(Exchange(port(), "HEAD", final_path, kTusHeaders).Header("Upload-Sha256"),
            Sha256Of(a + b));
  EXPECT_TRUE(StoredBytesAre(port(), final_path, a + b));
}

TEST_F(ConcatenationTest, PatchToAFinalUploadIsForbidden) {
  std::string pa = NewPart(port(), 3, "xyz");
  HttpResponse created = PostFinal(port(), pa);
  ASSERT_EQ(created.status, 201);
  HttpResponse r = Exchange(port(), "PATCH", PathOf(created), PatchHeaders(3), "more");
  EXPECT_EQ(r.status, 403);
  EXPECT_NE(r.body.find("ERR_CONCAT_FINAL_PATCH"), std::string::npos) << r.body;
  EXPECT_TRUE(StoredBytesAre(port(), PathOf(created), "xyz"));
}

TEST_F(ConcatenationTest, DeletingAPartOfAWaitingFinalEndsTheFinal) {
  std::string pa = NewPart(port(), 10, "12345");
  HttpResponse created = PostFinal(port(), pa);
  ASSERT_EQ(created.status, 201);
  ASSERT_EQ(Exchange(port(), "DELETE", pa, kTusHeaders).status, 204);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  int status = 0;
  while (std::chrono::steady_clock::now() < deadline &&
         (status = Exchange(port(), "HEAD", PathOf(created), kTusHeaders).status) != 410) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(status, 410) << "it could never be whole";
}

TEST_F(ConcatenationTest, OnlyTheFinalUploadGetsAPrediction) {
  std::string a = "RIFF";  // any bytes: the content-info predictor reports what it can
  std::string pa = NewPart(port(), a.size(), a);
  EXPECT_EQ(Exchange(port(), "GET", pa + "/prediction", {}).status, 404);
  HttpResponse created = PostFinal(port(), pa);
  ASSERT_EQ(created.status, 201);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  HttpResponse prediction;
  while (std::chrono::steady_clock::now() < deadline) {
    prediction = Exchange(port(), "GET", PathOf(created) + "/prediction", {});
    if (prediction.status == 200 && prediction.body.find("\"done\"") != std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(prediction.status, 200) << prediction.body;
  EXPECT_NE(prediction.body.find(Sha256Of(a)), std::string::npos) << prediction.body;
}

struct RefusalCase {
  std::string name;
  // The Upload-Concat value and extra headers, given a complete part, an unfinished part, a
  // terminated part and a non-partial upload (paths).
  std::function<HttpResponse(uint16_t port, const std::string& done, const std::string& open,
                             const std::string& gone, const std::string& plain)>
      send;
  int status;
  std::string code;
};

class ConcatenationRefusalTest : public ConcatenationTest,
                                 public ::testing::WithParamInterface<RefusalCase> {};

TEST_P(ConcatenationRefusalTest, AnswersWithTheCatalogueError) {
  std::string done = NewPart(port(), 3, "abc");
  std::string open = NewPart(port(), 90'000, "");
  std::string gone = NewPart(port(), 3, "");
  ASSERT_EQ(Exchange(port(), "DELETE", gone, kTusHeaders).status, 204);
  std::string plain = CreateUpload(port(), 3).path;
  HttpResponse r = GetParam().send(port(), done, open, gone, plain);
  EXPECT_EQ(r.status, GetParam().status) << r.error << r.body;
  EXPECT_NE(r.body.find(GetParam().code), std::string::npos) << r.body;
  EXPECT_FALSE(r.HasHeader("Location")) << "nothing was created";
}

INSTANTIATE_TEST_SUITE_P(Table, ConcatenationRefusalTest,
                         ::testing::Values(
                             RefusalCase{"Malformed",
                                         [](uint16_t p, auto&, auto&, auto&, auto&) {
                                           return PostFinal(p, "");
                                         },
                                         400, "ERR_INVALID_CONCAT"},
                             RefusalCase{"UnknownKind",
                                         [](uint16_t p, auto&, auto&, auto&, auto&) {
                                           return Exchange(
                                               p, "POST", "/files/",
                                               With(kTusHeaders, {{"Upload-Concat", "whole"}}));
                                         },
                                         400, "ERR_INVALID_CONCAT"},
                             RefusalCase{"LengthOnFinal",
                                         [](uint16_t p, auto& done, auto&, auto&, auto&) {
                                           return PostFinal(p, done, {{"Upload-Length", "3"}});
                                         },
                                         400, "ERR_INVALID_CONCAT"},
                             RefusalCase{"NotPartial",
                                         [](uint16_t p, auto& done, auto&, auto&, auto& plain) {
                                           return PostFinal(p, done + " " + plain);
                                         },
                                         400, "ERR_INVALID_CONCAT"},
                             RefusalCase{"PartGone",
                                         [](uint16_t p, auto& done, auto&, auto& gone, auto&) {
                                           return PostFinal(p, done + " " + gone);
                                         },
                                         400, "ERR_INVALID_CONCAT"},
                             RefusalCase{"UnknownPart",
                                         [](uint16_t p, auto& done, auto&, auto&, auto&) {
                                           return PostFinal(
                                               p,
                                               done + " /files/0123456789abcdef0123456789abcdef");
                                         },
                                         400, "ERR_INVALID_CONCAT"},
                             RefusalCase{"InvalidId",
                                         [](uint16_t p, auto&, auto&, auto&, auto&) {
                                           return PostFinal(p, "/files/..%2Fdb");
                                         },
                                         400, "ERR_INVALID_CONCAT"},
                             RefusalCase{"AnotherServer",
                                         [](uint16_t p, auto& done, auto&, auto&, auto&) {
                                           return PostFinal(p, "http://elsewhere.example" + done);
                                         },
                                         400, "ERR_INVALID_CONCAT"},
                             RefusalCase{"SumPastMaxSize",
                                         [](uint16_t p, auto& done, auto& open, auto&, auto&) {
                                           return PostFinal(p, open + " " + open + " " + done);
                                         },
                                         413, "ERR_MAX_SIZE_EXCEEDED"},
                             RefusalCase{"BodyOnFinal",
                                         [](uint16_t p, auto& done, auto&, auto&, auto&) {
                                           return Exchange(
                                               p, "POST", "/files/",
                                               With(kTusHeaders,
                                                    {{"Upload-Concat", "final;" + done},
                                                     {"Content-Type",
                                                      "application/offset+octet-stream"}}),
                                               "xyz");
                                         },
                                         403, "ERR_CONCAT_FINAL_PATCH"}),
                         [](const auto& info) { return info.param.name; });

class ConcatenationOffTest : public SharedTuskdTest<ConcatenationOffTest> {
 public:
  static std::vector<std::string> Flags() { return {"--concatenation", "off"}; }
};

TEST_F(ConcatenationOffTest, UploadConcatIsNotImplemented) {
  for (const std::string& value : {std::string("partial"), std::string("final;/files/x")}) {
    HttpResponse r =
        Exchange(port(), "POST", "/files/",
                 With(kTusHeaders, {{"Upload-Length", "5"}, {"Upload-Concat", value}}));
    EXPECT_EQ(r.status, 501) << value;
    EXPECT_NE(r.body.find("ERR_NOT_IMPLEMENTED"), std::string::npos) << r.body;
  }
  HttpResponse options = Exchange(port(), "OPTIONS", "/files/", {});
  EXPECT_EQ(options.Header("Tus-Extension")->find("concatenation"), std::string::npos);
}

// Invariant I1 for finals: a final whose creation was acknowledged, over parts whose bytes
// were acknowledged, completes byte-exact even when tuskd is killed while joining it.
TEST(ConcatenationCrashTest, KillNineWhileJoiningThenRestartCompletesTheFinal) {
  TuskdProcess server({"--compression", "zstd"});
  std::string error;
  ASSERT_TRUE(server.Start(&error)) << error;
  const size_t kPart = 24u << 20;
  std::string a = TestBytes(kPart, 5), b = TestBytes(kPart, 6);
  std::string pa = NewPart(server.port(), a.size(), a);
  std::string pb = NewPart(server.port(), b.size(), b.substr(0, kPart - 1));
  HttpResponse created = PostFinal(server.port(), pa + " " + pb);
  ASSERT_EQ(created.status, 201) << created.body;
  std::string final_path = PathOf(created);
  // The last byte completes the last part: the join starts in the background, and dies.
  ASSERT_EQ(
      Exchange(server.port(), "PATCH", pb, PatchHeaders(kPart - 1), b.substr(kPart - 1)).status,
      204);
  std::this_thread::sleep_for(std::chrono::milliseconds(30));
  server.Kill9();
  ASSERT_TRUE(server.Restart(&error)) << error;
  ASSERT_TRUE(WaitForOffset(server.port(), final_path, 2 * kPart)) << server.Log();
  HttpResponse head = Exchange(server.port(), "HEAD", final_path, kTusHeaders);
  EXPECT_EQ(head.Header("Upload-Sha256"), Sha256Of(a + b));
  EXPECT_TRUE(StoredBytesAre(server.port(), final_path, a + b));
  // A range across the parts' boundary, served from the joined frames.
  HttpResponse range =
      Exchange(server.port(), "GET", final_path, {{"Range", "bytes=25165820-25165831"}});
  EXPECT_EQ(range.status, 206);
  EXPECT_EQ(range.body, (a + b).substr(25165820, 12));
}

}  // namespace
}  // namespace tuskd::server::testing
