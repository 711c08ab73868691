// Every error a draft request can get, per interop version where they differ: offset mismatch
// (problem+json from version 6), size limits (413 with Upload-Limit from version 6), appends to a
// completed upload, inconsistent lengths, malformed or missing fields, unknown interop versions,
// and the interim response's rules (never to HTTP/1.0; 100 Continue still sent).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/server/ietf_client.h"
#include "tests/server/raw_client.h"
#include "tests/server/shared_tuskd.h"

namespace tuskd::server::testing {
namespace {

constexpr char kProblemTypes[] = "https://iana.org/assignments/http-problem-types#";

// The problem type of a problem+json response ("" for any other body).
std::string ProblemType(const HttpResponse& response) {
  if (response.Header("Content-Type") != "application/problem+json") return "";
  auto problem = nlohmann::json::parse(response.body, nullptr, false);
  if (!problem.is_object() || !problem["type"].is_string()) return "malformed problem";
  return problem["type"].get<std::string>().substr(sizeof(kProblemTypes) - 1);
}

// A text/plain error starting with `code`.
::testing::AssertionResult IsTextError(const HttpResponse& response, const std::string& code) {
  if (response.body.rfind(code + ": ", 0) == 0) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << "expected " << code << ", got " << response.status << " " << response.body;
}

class IetfErrorPathsTest : public SharedTuskdTest<IetfErrorPathsTest>,
                           public ::testing::WithParamInterface<int> {
 public:
  static std::vector<std::string> Flags() { return {"--max-size", "1M"}; }

 protected:
  int v() const { return GetParam(); }
  std::string NewUpload(std::string_view content = "", const HeaderFields& extra = {}) {
    DraftCreation created = CreateDraftUpload(port(), v(), false, content, extra);
    EXPECT_EQ(created.final.status, 201) << created.final.body;
    return created.path;
  }
};

TEST_P(IetfErrorPathsTest, OffsetMismatchIs409WithTheUploadsOffset) {
  std::string path = NewUpload("0123456789");
  HttpResponse r = DraftAppend(port(), v(), path, 4, "xyz", false);
  EXPECT_EQ(r.status, 409);
  EXPECT_EQ(r.Header("Upload-Offset"), "10");
  if (v() < 6) {
    EXPECT_TRUE(IsTextError(r, "ERR_MISMATCHED_OFFSET"));
    return;
  }
  EXPECT_EQ(ProblemType(r), "mismatching-upload-offset");
  auto problem = nlohmann::json::parse(r.body);
  EXPECT_EQ(problem["expected-offset"], 10);
  EXPECT_EQ(problem["provided-offset"], 4);
}

TEST_P(IetfErrorPathsTest, SizeLimitIs413WithUploadLimit) {
  auto expect_413 = [&](const HttpResponse& r, const char* what) {
    EXPECT_EQ(r.status, 413) << what << ": " << r.body;
    EXPECT_EQ(r.Header("Upload-Limit"),
              v() >= 6 ? std::optional<std::string>("max-size=1048576") : std::nullopt)
        << what;
  };
  expect_413(CreateDraftUpload(port(), v(), false, "", {{"Upload-Length", "1048577"}}).final,
             "declared length");
  // Refused from the head alone: the 1 MiB + 1 body is never sent.
  RawClient client(port());
  client.Send(
      BuildRequest("POST", "/files/", CreationFields(v(), true, {{"Content-Length", "1048577"}})));
  expect_413(ReadCreation(client).final, "whole body");

  std::string path = NewUpload(std::string(1048000, 'a'));
  expect_413(DraftAppend(port(), v(), path, 1048000, std::string(577, 'b'), false),
             "append past --max-size");
  // A chunked body learns it is too large only as it passes the limit: its fitting bytes stay.
  RawClient chunked(port());
  chunked.Send(BuildRequest("PATCH", path,
                            AppendFields(v(), 1048000, false, {{"Transfer-Encoding", "chunked"}})) +
               Chunk(std::string(1000, 'c')));
  HttpResponse r = chunked.ReadResponse();
  expect_413(r, "chunked append past --max-size");
  EXPECT_EQ(r.Header("Upload-Offset"), "1048576");
}

TEST_P(IetfErrorPathsTest, AppendingBytesToACompletedUploadIsRefused) {
  DraftCreation created = CreateDraftUpload(port(), v(), true, "done");
  ASSERT_EQ(created.final.status, 201);
  HttpResponse r = DraftAppend(port(), v(), created.path, 4, "more", false);
  EXPECT_EQ(r.status, 400);
  if (v() == 8) {
    EXPECT_EQ(ProblemType(r), "inconsistent-upload-length");
  } else if (v() == 6) {
    EXPECT_EQ(ProblemType(r), "completed-upload");
  } else {
    EXPECT_TRUE(IsTextError(r, "ERR_UPLOAD_COMPLETED"));
  }
  HttpResponse empty = DraftAppend(port(), v(), created.path, 4, "", false);
  EXPECT_EQ(empty.status, 400);
  EXPECT_EQ(ProblemType(empty), v() >= 6 ? "completed-upload" : "");
  // Completing it again without bytes (a retry whose answer was lost) is a success.
  HttpResponse retry = DraftAppend(port(), v(), created.path, 4, "", true);
  EXPECT_EQ(retry.status / 100, 2) << retry.body;
  EXPECT_TRUE(SaysComplete(retry, v()));
  EXPECT_TRUE(StoredBytesAre(port(), created.path, "done"));
}

TEST_P(IetfErrorPathsTest, InconsistentLengthsAreRefused) {
  DraftCreation mismatch = CreateDraftUpload(port(), v(), true, "abc", {{"Upload-Length", "4"}});
  EXPECT_EQ(mismatch.final.status, 400);
  EXPECT_EQ(mismatch.interim.status, 0) << "refused before any upload exists";
  EXPECT_TRUE(v() == 8 ? ProblemType(mismatch.final) == "inconsistent-upload-length"
                       : IsTextError(mismatch.final, "ERR_INCONSISTENT_LENGTH"));

  std::string path = NewUpload("ab", {{"Upload-Length", "10"}});
  HttpResponse longer = DraftAppend(port(), v(), path, 2, std::string(9, 'x'), false);
  EXPECT_EQ(longer.status, 400) << longer.body;
  // A completing chunked body that ends short of the declared length keeps its bytes but does
  // not complete the upload.
  RawClient client(port());
  client.Send(
      BuildRequest("PATCH", path, AppendFields(v(), 2, true, {{"Transfer-Encoding", "chunked"}})) +
      Chunk("cde") + Chunk(""));
  HttpResponse short_body = client.ReadResponse();
  EXPECT_EQ(short_body.status, 400) << short_body.body;
  EXPECT_EQ(short_body.Header("Upload-Offset"), "5");
  HttpResponse head = DraftHead(port(), v(), path);
  EXPECT_EQ(head.Header("Upload-Offset"), "5");
  EXPECT_FALSE(SaysComplete(head, v()));
}

TEST_P(IetfErrorPathsTest, MalformedCompletenessFieldIs400) {
  std::string path = NewUpload();
  std::string field = CompletenessField(v(), true).first;
  HttpResponse r = Exchange(port(), "PATCH", path,
                            DraftFields(v(), {{"Upload-Offset", "0"},
                                              {"Content-Type", "application/partial-upload"},
                                              {field, "true"}}),
                            "x");
  EXPECT_EQ(r.status, 400);
  EXPECT_TRUE(IsTextError(r, "ERR_INVALID_UPLOAD_COMPLETE"));
  HttpResponse no_offset =
      Exchange(port(), "PATCH", path, DraftFields(v(), {CompletenessField(v(), false)}));
  EXPECT_TRUE(IsTextError(no_offset, "ERR_INVALID_OFFSET"));
}

TEST_P(IetfErrorPathsTest, UnknownUploadsAreNotFound) {
  const std::string missing = "/files/0123456789abcdef0123456789abcdef";
  EXPECT_EQ(DraftHead(port(), v(), missing).status, 404);
  EXPECT_EQ(DraftAppend(port(), v(), missing, 0, "x", false).status, 404);
  EXPECT_EQ(Exchange(port(), "DELETE", missing, DraftFields(v())).status, 404);
  EXPECT_EQ(DraftHead(port(), v(), "/files/not-an-id").status, 404);
  HttpResponse put = Exchange(port(), "PUT", "/files/", DraftFields(v()));
  EXPECT_EQ(put.status, 405);
  EXPECT_EQ(put.Header("Allow"), "OPTIONS, POST");
}

INSTANTIATE_TEST_SUITE_P(Versions, IetfErrorPathsTest, ::testing::Values(3, 5, 6, 8),
                         [](const auto& info) { return "v" + std::to_string(info.param); });

class IetfFieldRulesTest : public SharedTuskdTest<IetfFieldRulesTest> {
 public:
  static std::vector<std::string> Flags() { return {}; }
};

TEST_F(IetfFieldRulesTest, UnknownInteropVersionsAre400) {
  for (const char* version : {"4", "7", "9", "abc"}) {
    for (const char* method : {"POST", "OPTIONS", "HEAD"}) {
      HttpResponse r =
          Exchange(port(), method, "/files/",
                   {{"Upload-Draft-Interop-Version", version}, {"Upload-Complete", "?0"}});
      EXPECT_EQ(r.status, 400) << method << " " << version;
      if (std::string(method) != "HEAD") {
        EXPECT_TRUE(IsTextError(r, "ERR_UNSUPPORTED_INTEROP_VERSION"));
      }
    }
  }
}

TEST_F(IetfFieldRulesTest, CreationWithoutUploadCompleteIs400FromVersion5) {
  for (int v : {5, 6, 8}) {
    HttpResponse r = Exchange(port(), "POST", "/files/", DraftFields(v), "data");
    EXPECT_TRUE(IsTextError(r, "ERR_INVALID_UPLOAD_COMPLETE")) << v;
  }
  // Version 3 reads a missing Upload-Incomplete as a whole upload.
  RawClient client(port());
  client.Send(BuildRequest("POST", "/files/", DraftFields(3), "data"));
  DraftCreation created = ReadCreation(client);
  EXPECT_EQ(created.final.status, 201);
  EXPECT_TRUE(SaysComplete(created.final, 3));
}

TEST_F(IetfFieldRulesTest, AppendsNeedPartialUploadContentTypeFromVersion6) {
  for (int v : {3, 5, 6, 8}) {
    DraftCreation created = CreateDraftUpload(port(), v, false);
    HeaderFields fields = DraftFields(
        v, {{"Upload-Offset", "0"}, CompletenessField(v, false), {"Content-Type", "text/plain"}});
    HttpResponse r = Exchange(port(), "PATCH", created.path, fields, "abc");
    if (v >= 6) {
      EXPECT_EQ(r.status, 415) << v;
      EXPECT_TRUE(IsTextError(r, "ERR_PARTIAL_UPLOAD_CONTENT_TYPE"));
    } else {
      EXPECT_EQ(r.status, 201) << v << " " << r.body;
    }
  }
}

TEST_F(IetfFieldRulesTest, HeadAndDeleteRefuseStateFieldsUntilVersion8) {
  for (int v : {3, 5, 6, 8}) {
    DraftCreation created = CreateDraftUpload(port(), v, false);
    HttpResponse head =
        Exchange(port(), "HEAD", created.path, DraftFields(v, {{"Upload-Offset", "0"}}));
    HttpResponse del =
        Exchange(port(), "DELETE", created.path, DraftFields(v, {CompletenessField(v, true)}));
    if (v < 8) {
      EXPECT_EQ(head.status, 400) << v;
      EXPECT_TRUE(IsTextError(del, "ERR_STATE_FIELD_NOT_ALLOWED")) << v;
    } else {
      EXPECT_EQ(head.status, 204);
      EXPECT_EQ(del.status, 204);
    }
  }
}

TEST_F(IetfFieldRulesTest, NoInterimResponseForHttp10Clients) {
  RawClient client(port());
  client.Send(
      "POST /files/ HTTP/1.0\r\nUpload-Draft-Interop-Version: 8\r\nUpload-Complete: ?1\r\n"
      "Content-Length: 4\r\n\r\nabcd");
  HttpResponse first = client.ReadResponse();
  EXPECT_EQ(first.status, 201) << "an HTTP/1.0 client would take a 104 for the final answer";
  EXPECT_TRUE(SaysComplete(first, 8));
}

// The draft: a 104 does not stand in for the 100 Continue a client waits for.
TEST_F(IetfFieldRulesTest, InterimResponseThenContinueThenCreated) {
  RawClient client(port());
  ASSERT_TRUE(client.Send(BuildRequest(
      "POST", "/files/",
      CreationFields(8, true, {{"Expect", "100-continue"}, {"Content-Length", "5"}}))));
  HttpResponse interim = client.ReadResponse();
  EXPECT_EQ(interim.status, 104);
  HttpResponse go_on = client.ReadResponse();
  EXPECT_EQ(go_on.status, 100);
  ASSERT_TRUE(client.Send("hello"));
  HttpResponse created = client.ReadResponse();
  EXPECT_EQ(created.status, 201) << created.body;
  EXPECT_TRUE(StoredBytesAre(port(), PathOf(interim.Header("Location")), "hello"));
}

}  // namespace
}  // namespace tuskd::server::testing
