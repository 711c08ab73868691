// HandlePatch, HandleCreate (creation-with-upload) and HandleHead in process
// (server/handlers/tus_handlers.h): a real store on the fault-injection file system, a scripted
// exchange, and in each test something broken on purpose: a body cut at byte K, ENOSPC
// mid-body, a failed fdatasync, a wrong checksum, a newer request taking the upload over. Each
// then checks the answer (status, Upload-Offset) and that nothing acknowledged was lost: what a
// crash leaves is exactly the client's bytes up to the offset reported (I1-I3). These cover in
// process what tests/server/disk_full_test.cc needs root and a tmpfs for.
#include "server/handlers/tus_handlers.h"

#include <gtest/gtest.h>

#include <cerrno>

#include "tests/common/one_shot_sha256.h"
#include "tests/server/handlers/handler_test.h"

namespace tuskd::server::testing {
namespace {

class TusHandlersTest : public HandlerTest {
 protected:
  // Runs HandlePatch on `body` sent in pieces of `piece` from `offset`.
  std::unique_ptr<ScriptedExchange> Patch(const std::string& id, uint64_t offset,
                                          std::string_view body, size_t piece,
                                          BodyEnd end = BodyEnd::kComplete,
                                          std::optional<uint64_t> content_length = std::nullopt) {
    auto exchange =
        Exchange(PatchHead(id, offset, content_length.value_or(body.size())), body, piece);
    exchange->EndWith(end);
    Run(HandlePatch(*exchange, id));
    return exchange;
  }
  // The Upload-Offset a HEAD reports.
  std::string HeadOffset(const std::string& id) {
    protocol::RequestHead head;
    head.method = "HEAD";
    head.path = config_.base_path + id;
    head.headers.Add("Tus-Resumable", "1.0.0");
    ScriptedExchange exchange(*services_, head);
    Run(HandleHead(exchange, id));
    EXPECT_EQ(exchange.response().status, 200);
    return HeaderOf(exchange.response(), "Upload-Offset");
  }
  // The one upload the store holds (after a creation the test has no answer from).
  std::string OnlyUpload() {
    std::vector<store::UploadRecord> uploads;
    Status status = store_->ListUploads(&uploads);
    EXPECT_TRUE(status.ok()) << status.ToString();
    EXPECT_EQ(uploads.size(), 1u);
    return uploads.empty() ? "" : uploads.front().id;
  }
  std::string Location(const std::string& id) const {
    return "http://tuskd.test" + config_.base_path + id;
  }
};

TEST_F(TusHandlersTest, APatchCutAtByteKKeepsKBytesAndHeadReportsThem) {
  std::string id = NewUpload(100);
  const std::string body = TextBytes(37);
  auto exchange = Patch(id, 0, body, 10, BodyEnd::kClientGone, 100);
  EXPECT_TRUE(exchange->responses().empty());  // the client is gone: nobody to answer
  EXPECT_EQ(HeadOffset(id), "37");
  CrashAndReopen();
  EXPECT_EQ(HeadOffset(id), "37");
  EXPECT_EQ(Committed(id), body);
}

TEST_F(TusHandlersTest, APatchCommitsEveryCheckpointBytes) {
  config_.checkpoint_bytes = 10;
  std::string id = NewUpload(100);
  const std::string body = TextBytes(45);
  auto exchange = Exchange(PatchHead(id, 0, body.size()), body, 5);
  std::vector<uint64_t> offsets;
  exchange->BeforePiece([&](size_t) { offsets.push_back(Record(id).offset); });
  Run(HandlePatch(*exchange, id));
  EXPECT_EQ(exchange->response().status, 204);
  EXPECT_EQ(HeaderOf(exchange->response(), "Upload-Offset"), "45");
  EXPECT_EQ(offsets, (std::vector<uint64_t>{0, 0, 10, 10, 20, 20, 30, 30, 40, 40}));
  EXPECT_TRUE(exchange->body_finished());
}

TEST_F(TusHandlersTest, APatchThatRunsOutOfSpaceAnswers507WithTheDurableOffset) {
  config_.checkpoint_bytes = 8;
  std::string id = NewUpload(100);
  const std::string body = TextBytes(40);
  fs_.FailAppendPast(22, ENOSPC);  // the piece at 20..24 does not fit
  auto exchange = Patch(id, 0, body, 4);
  EXPECT_EQ(exchange->response().status, 507);
  EXPECT_EQ(HeaderOf(exchange->response(), "Upload-Offset"), "20");
  EXPECT_FALSE(exchange->body_finished());  // the connection closes after the answer
  EXPECT_EQ(HeadOffset(id), "20");
  EXPECT_EQ(DataFileSize(id), 20u);  // nothing past the last commit
  CrashAndReopen();
  EXPECT_EQ(Committed(id), body.substr(0, 20));
  // Room again: the client resumes where the 507 said.
  auto resumed = Patch(id, 20, std::string_view(body).substr(20), 4);
  EXPECT_EQ(resumed->response().status, 204);
  CrashAndReopen();
  EXPECT_EQ(Committed(id), body);
}

TEST_F(TusHandlersTest, AFailedSyncAnswers500AndALaterPatchResumesFromTheDurableOffset) {
  config_.checkpoint_bytes = 8;
  std::string id = NewUpload(40);
  const std::string body = TextBytes(40);
  auto exchange = Exchange(PatchHead(id, 0, body.size()), body, 4);
  exchange->BeforePiece([this](size_t index) {
    if (index == 5) fs_.FailNextSync(EIO);  // the checkpoint at 24 fails; 16 was durable
  });
  Run(HandlePatch(*exchange, id));
  EXPECT_EQ(exchange->response().status, 500);
  EXPECT_EQ(HeaderOf(exchange->response(), "Upload-Offset"), "16");
  EXPECT_EQ(HeadOffset(id), "16");
  // A client that believes more arrived is told where the upload really is.
  auto ahead = Patch(id, 24, std::string_view(body).substr(24), 4);
  EXPECT_EQ(ahead->response().status, 409);
  EXPECT_EQ(HeaderOf(ahead->response(), "Upload-Offset"), "16");
  EXPECT_EQ(ahead->body_bytes_read(), 0u);
  // Resuming at 16 completes the upload with the client's bytes and their digest (I3: the hash
  // state went back with the data).
  auto resumed = Patch(id, 16, std::string_view(body).substr(16), 4);
  EXPECT_EQ(resumed->response().status, 204);
  EXPECT_EQ(HeaderOf(resumed->response(), "Upload-Offset"), "40");
  CrashAndReopen();
  store::UploadRecord record = Record(id);
  EXPECT_TRUE(record.complete());
  EXPECT_EQ(record.sha256, OneShotSha256Hex(body));
  EXPECT_EQ(Committed(id), body);
}

TEST_F(TusHandlersTest, AChecksumMismatchAnswers460AndKeepsNothingOfTheBody) {
  config_.checkpoint_bytes = 8;
  std::string id = NewUpload(100);
  Patch(id, 0, TextBytes(10), 5);  // an earlier, acknowledged part
  const std::string body = TextBytes(30).substr(10);
  auto exchange =
      Exchange(PatchHead(id, 10, body.size(), {{"Upload-Checksum", Sha1Checksum("no")}}), body, 5);
  Run(HandlePatch(*exchange, id));
  EXPECT_EQ(exchange->response().status, 460);
  EXPECT_EQ(HeaderOf(exchange->response(), "Upload-Offset"), "10");
  EXPECT_EQ(DataFileSize(id), 10u);
  CrashAndReopen();
  EXPECT_EQ(Committed(id), TextBytes(10));
}

TEST_F(TusHandlersTest, ARefusedPatchReadsNoBodyAndSendsNoContinue) {
  std::string id = NewUpload(100);
  auto exchange = Exchange(PatchHead(id, 5, 10, {{"Expect", "100-continue"}}), TextBytes(10), 5);
  Run(HandlePatch(*exchange, id));
  EXPECT_EQ(exchange->response().status, 409);
  EXPECT_FALSE(exchange->continue_sent());
  EXPECT_EQ(exchange->body_bytes_read(), 0u);
  EXPECT_FALSE(exchange->body_finished());
  EXPECT_EQ(Record(id).offset, 0u);
}

TEST_F(TusHandlersTest, AnAcceptedPatchSendsContinueBeforeItReads) {
  std::string id = NewUpload(100);
  auto exchange = Exchange(PatchHead(id, 0, 10, {{"Expect", "100-continue"}}), TextBytes(10), 5);
  bool continued_before_body = false;
  exchange->BeforePiece([&](size_t index) {
    if (index == 0) continued_before_body = exchange->continue_sent();
  });
  Run(HandlePatch(*exchange, id));
  EXPECT_EQ(exchange->response().status, 204);
  EXPECT_TRUE(continued_before_body);
}

TEST_F(TusHandlersTest, ANewerRequestEndsARunningPatchWhichCommitsWhatItHas) {
  std::string id = NewUpload(100);
  const std::string body = TextBytes(30);
  auto exchange = Exchange(PatchHead(id, 0, body.size()), body, 5);
  exchange->BeforePiece([&](size_t index) {
    if (index == 3) {
      EXPECT_TRUE(store_->locks().RequestStop(id));  // what a newer request does
    }
  });
  Run(HandlePatch(*exchange, id));
  EXPECT_TRUE(exchange->handover_requested());
  EXPECT_EQ(exchange->response().status, 400);  // ERR_UPLOAD_INTERRUPTED
  EXPECT_EQ(HeaderOf(exchange->response(), "Upload-Offset"), "15");
  EXPECT_FALSE(store_->locks().IsHeld(id));
  CrashAndReopen();
  EXPECT_EQ(Committed(id), body.substr(0, 15));
}

TEST_F(TusHandlersTest, ACreationWithUploadCutAtByteKKeepsKBytes) {
  const std::string body = TextBytes(33);
  auto exchange = Exchange(CreateHead(100, 100), body, 10);
  exchange->EndWith(BodyEnd::kClientGone);
  Run(HandleCreate(*exchange));
  EXPECT_TRUE(exchange->responses().empty());
  std::string id = OnlyUpload();
  EXPECT_EQ(HeadOffset(id), "33");
  CrashAndReopen();
  EXPECT_EQ(Committed(id), body);
}

TEST_F(TusHandlersTest, ACreationWithUploadOutOfSpaceAnswers201WithTheDurableOffset) {
  config_.checkpoint_bytes = 8;
  const std::string body = TextBytes(40);
  fs_.FailAppendPast(18, ENOSPC);
  auto exchange = Exchange(CreateHead(40, 40), body, 4);
  Run(HandleCreate(*exchange));
  // The upload exists whatever happened to its body: where it is, and how far it got.
  std::string id = OnlyUpload();
  EXPECT_EQ(exchange->response().status, 201);
  EXPECT_EQ(HeaderOf(exchange->response(), "Location"), Location(id));
  EXPECT_EQ(HeaderOf(exchange->response(), "Upload-Offset"), "16");
  EXPECT_EQ(DataFileSize(id), 16u);
  CrashAndReopen();
  EXPECT_EQ(Committed(id), body.substr(0, 16));
}

TEST_F(TusHandlersTest, ACreationWithUploadAndAWrongChecksumAnswers460WithItsLocation) {
  const std::string body = TextBytes(20);
  auto exchange =
      Exchange(CreateHead(20, 20, {{"Upload-Checksum", Sha1Checksum("other")}}), body, 5);
  Run(HandleCreate(*exchange));
  std::string id = OnlyUpload();
  EXPECT_EQ(exchange->response().status, 460);
  EXPECT_EQ(HeaderOf(exchange->response(), "Location"), Location(id));
  EXPECT_EQ(HeaderOf(exchange->response(), "Upload-Offset"), "0");
  EXPECT_EQ(Record(id).offset, 0u);
}

TEST_F(TusHandlersTest, ACompressedCreationWithUploadStoresCompressedAndReadsBackExact) {
  config_.compression = compress::CompressionMode::kZstd;
  config_.checkpoint_bytes = 50000;
  const std::string body = TextBytes(200000);
  auto exchange = Exchange(CreateHead(body.size(), body.size()), body, 32 << 10);
  Run(HandleCreate(*exchange));
  std::string id = OnlyUpload();
  EXPECT_EQ(exchange->response().status, 201);
  EXPECT_EQ(HeaderOf(exchange->response(), "Upload-Offset"), "200000");
  EXPECT_LT(DataFileSize(id), body.size() / 4);
  CrashAndReopen();
  store::UploadRecord record = Record(id);
  EXPECT_TRUE(record.complete());
  EXPECT_EQ(record.sha256, OneShotSha256Hex(body));
  // And a download decodes it.
  protocol::RequestHead get;
  get.method = "GET";
  get.path = config_.base_path + id;
  ScriptedExchange download(*services_, get);
  Run(HandleDownload(download, id));
  EXPECT_EQ(download.response().status, 200);
  EXPECT_EQ(download.file_body(), body);
}

TEST_F(TusHandlersTest, ACompressedPatchCutThenResumedIsByteExactAfterACrash) {
  config_.checkpoint_bytes = 40000;
  std::string id = NewUpload(300000, "zstd");
  const std::string body = TextBytes(300000);
  auto cut = Patch(id, 0, std::string_view(body).substr(0, 123457), 16 << 10, BodyEnd::kClientGone,
                   body.size());
  EXPECT_TRUE(cut->responses().empty());
  CrashAndReopen();
  EXPECT_EQ(HeadOffset(id), "123457");
  auto resumed = Patch(id, 123457, std::string_view(body).substr(123457), 16 << 10);
  EXPECT_EQ(resumed->response().status, 204);
  CrashAndReopen();
  EXPECT_EQ(Record(id).sha256, OneShotSha256Hex(body));
  EXPECT_EQ(Committed(id), body);
}

}  // namespace
}  // namespace tuskd::server::testing
