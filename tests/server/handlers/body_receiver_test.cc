// ReceiveBody in process (server/handlers/body_receiver.h): a real store on the fault-injection
// file system, a scripted exchange, and in each test something broken on purpose (a cut body,
// ENOSPC at byte N, a failed fdatasync, a wrong digest, a missing trailer), after which nothing
// acknowledged is lost: the committed offset and the bytes below it survive a crash that drops
// every unsynced byte (I1, I3), and a cut body keeps what arrived (I2).
#include "server/handlers/body_receiver.h"

#include <gtest/gtest.h>

#include <cerrno>

#include "protocol/header_parsers.h"
#include "tests/server/handlers/handler_test.h"

namespace tuskd::server::testing {
namespace {

namespace asio = boost::asio;

class BodyReceiverTest : public HandlerTest {
 protected:
  // A new upload of `length`, its lease (held by the test, as a handler would) and its writer.
  void Start(std::optional<uint64_t> length, std::string compression = "none") {
    id_ = NewUpload(length, std::move(compression));
    lease_ = store_->locks().TryAcquire(id_, [] {});
    ASSERT_TRUE(lease_.has_value());
    Status status = store_->OpenWriter(id_, &writer_);
    ASSERT_TRUE(status.ok()) << status.ToString();
  }
  ReceiveOutcome Receive(ScriptedExchange& exchange, uint64_t limit,
                         protocol::BodyChecksum checksum = {}) {
    ReceiveOutcome outcome;
    Run([&]() -> asio::awaitable<void> {
      outcome = co_await ReceiveBody(exchange, *writer_, limit, checksum);
    }());
    return outcome;
  }
  // Lets go of the upload, then loses power: what is left is what was durable.
  void Crash() {
    writer_.reset();
    lease_.reset();
    CrashAndReopen();
  }
  // The committed offset seen before each piece is handed out.
  void RecordOffsets(ScriptedExchange& exchange) {
    exchange.BeforePiece([this](size_t) { offsets_.push_back(Record(id_).offset); });
  }
  static protocol::ChecksumHeader Parsed(const std::string& field) {
    return std::get<protocol::ChecksumHeader>(protocol::ParseChecksumHeader(field));
  }

  std::string id_;
  std::optional<store::UploadLockTable::Lease> lease_;
  std::unique_ptr<store::UploadWriter> writer_;
  std::vector<uint64_t> offsets_;
};

TEST_F(BodyReceiverTest, ABodyCutAtByteKCommitsAllKBytes) {
  Start(100);
  const std::string body = TextBytes(25);  // pieces of 10, 10, 5, then the client is gone
  auto exchange = Exchange(PatchHead(id_, 0, 100), body, 10);
  exchange->EndWith(BodyEnd::kClientGone);
  ReceiveOutcome outcome = Receive(*exchange, 100);
  EXPECT_EQ(outcome.end, BodyEnd::kClientGone);
  EXPECT_TRUE(outcome.storage.ok()) << outcome.storage.ToString();
  EXPECT_FALSE(FailureForOutcome(outcome));  // nobody to answer
  EXPECT_EQ(writer_->committed().offset, 25u);
  Crash();
  EXPECT_EQ(Record(id_).offset, 25u);
  EXPECT_EQ(Committed(id_), body);
}

TEST_F(BodyReceiverTest, ALongBodyCommitsEveryCheckpointBytes) {
  config_.checkpoint_bytes = 8;
  Start(100);
  const std::string body = TextBytes(20);
  auto exchange = Exchange(PatchHead(id_, 0, 20), body, 4);
  RecordOffsets(*exchange);
  ReceiveOutcome outcome = Receive(*exchange, 100);
  EXPECT_EQ(outcome.end, BodyEnd::kComplete);
  // Visible before pieces 0..4 and before the end: a commit after every 8 bytes.
  EXPECT_EQ(offsets_, (std::vector<uint64_t>{0, 0, 8, 8, 16, 16}));
  EXPECT_EQ(CommitsCounted(), 3u);  // 8, 16, and the end at 20
  Crash();
  EXPECT_EQ(Committed(id_), body);
}

TEST_F(BodyReceiverTest, NoSpaceMidBodyAnswers507AndLeavesNoTailPastTheCommit) {
  config_.checkpoint_bytes = 8;
  Start(100);
  const std::string body = TextBytes(20);
  fs_.FailAppendPast(14, ENOSPC);  // the piece at 12..16 does not fit
  auto exchange = Exchange(PatchHead(id_, 0, 20), body, 4);
  ReceiveOutcome outcome = Receive(*exchange, 100);
  EXPECT_TRUE(outcome.storage.IsNoSpace()) << outcome.storage.ToString();
  auto failure = FailureForOutcome(outcome);
  ASSERT_TRUE(failure);
  EXPECT_EQ(failure->code, protocol::ErrorCode::kInsufficientStorage);
  EXPECT_FALSE(exchange->body_finished());  // the rest of the body was never read
  // The whole pieces before the failure are committed; the two bytes that fitted are not.
  EXPECT_EQ(writer_->committed().offset, 12u);
  EXPECT_EQ(DataFileSize(id_), 12u);
  Crash();
  EXPECT_EQ(Record(id_).offset, 12u);
  EXPECT_EQ(Committed(id_), body.substr(0, 12));
}

TEST_F(BodyReceiverTest, AFailedSyncAnswers500AndKeepsTheLastDurableCommit) {
  config_.checkpoint_bytes = 8;
  Start(100);
  const std::string body = TextBytes(20);
  auto exchange = Exchange(PatchHead(id_, 0, 20), body, 4);
  exchange->BeforePiece([this](size_t index) {
    if (index == 3) fs_.FailNextSync(EIO);  // the checkpoint at 16 fails
  });
  ReceiveOutcome outcome = Receive(*exchange, 100);
  EXPECT_FALSE(outcome.storage.ok());
  auto failure = FailureForOutcome(outcome);
  ASSERT_TRUE(failure);
  EXPECT_EQ(failure->code, protocol::ErrorCode::kInternal);
  // A failed fdatasync may have lost pages: back to the commit at 8, nothing after it kept.
  EXPECT_EQ(writer_->committed().offset, 8u);
  EXPECT_EQ(writer_->pending_bytes(), 0u);
  EXPECT_EQ(DataFileSize(id_), 8u);
  Crash();
  EXPECT_EQ(Committed(id_), body.substr(0, 8));
}

TEST_F(BodyReceiverTest, AChecksumMismatchRollsTheWholeBodyBack) {
  config_.checkpoint_bytes = 8;  // a checked body never checkpoints
  Start(100);
  const std::string body = TextBytes(20);
  auto exchange = Exchange(PatchHead(id_, 0, 20), body, 4);
  RecordOffsets(*exchange);
  protocol::BodyChecksum checksum{Parsed(Sha1Checksum("other bytes")), false};
  ReceiveOutcome outcome = Receive(*exchange, 100, checksum);
  ASSERT_TRUE(outcome.checksum_failure);
  EXPECT_EQ(outcome.checksum_failure->code, protocol::ErrorCode::kChecksumMismatch);
  EXPECT_EQ(offsets_, (std::vector<uint64_t>(6, 0)));
  EXPECT_EQ(CommitsCounted(), 0u);
  EXPECT_EQ(writer_->offset(), 0u);
  EXPECT_EQ(DataFileSize(id_), 0u);
  Crash();
  EXPECT_EQ(Record(id_).offset, 0u);
}

TEST_F(BodyReceiverTest, AMatchingChecksumCommitsTheBodyOnce) {
  config_.checkpoint_bytes = 8;
  Start(100);
  const std::string body = TextBytes(20);
  auto exchange = Exchange(PatchHead(id_, 0, 20), body, 4);
  protocol::BodyChecksum checksum{Parsed(Sha1Checksum(body)), false};
  ReceiveOutcome outcome = Receive(*exchange, 100, checksum);
  EXPECT_FALSE(FailureForOutcome(outcome));
  EXPECT_EQ(CommitsCounted(), 1u);
  Crash();
  EXPECT_EQ(Committed(id_), body);
}

TEST_F(BodyReceiverTest, ACutCheckedBodyKeepsNothing) {
  Start(100);
  auto exchange = Exchange(PatchHead(id_, 0, 20), TextBytes(12), 4);
  exchange->EndWith(BodyEnd::kClientGone);
  protocol::BodyChecksum checksum{Parsed(Sha1Checksum(TextBytes(20))), false};
  ReceiveOutcome outcome = Receive(*exchange, 100, checksum);
  EXPECT_EQ(outcome.end, BodyEnd::kClientGone);
  EXPECT_EQ(writer_->committed().offset, 0u);
  EXPECT_EQ(DataFileSize(id_), 0u);
}

TEST_F(BodyReceiverTest, ATrailerChecksumIsCheckedAtTheEnd) {
  Start(100);
  const std::string body = TextBytes(20);
  auto head = ChunkedPatchHead(id_, 0, {{"Trailer", "Upload-Checksum"}});
  auto checksum = protocol::DecideBodyChecksum(head, std::nullopt, services_->policy);
  ASSERT_TRUE(checksum.trailer);
  auto exchange = Exchange(head, body, 4);
  exchange->AddTrailer("Upload-Checksum", Sha1Checksum(body));
  ReceiveOutcome outcome = Receive(*exchange, 100, checksum);
  EXPECT_FALSE(FailureForOutcome(outcome));
  EXPECT_EQ(writer_->committed().offset, 20u);
}

TEST_F(BodyReceiverTest, AWrongTrailerChecksumIs460AndRollsBack) {
  Start(100);
  auto head = ChunkedPatchHead(id_, 0, {{"Trailer", "Upload-Checksum"}});
  auto checksum = protocol::DecideBodyChecksum(head, std::nullopt, services_->policy);
  auto exchange = Exchange(head, TextBytes(20), 4);
  exchange->AddTrailer("Upload-Checksum", Sha1Checksum("something else"));
  ReceiveOutcome outcome = Receive(*exchange, 100, checksum);
  auto failure = FailureForOutcome(outcome);
  ASSERT_TRUE(failure);
  EXPECT_EQ(failure->code, protocol::ErrorCode::kChecksumMismatch);
  EXPECT_EQ(writer_->committed().offset, 0u);
  EXPECT_EQ(DataFileSize(id_), 0u);
}

TEST_F(BodyReceiverTest, AMissingTrailerIs400AndRollsBack) {
  Start(100);
  auto head = ChunkedPatchHead(id_, 0, {{"Trailer", "Upload-Checksum"}});
  auto checksum = protocol::DecideBodyChecksum(head, std::nullopt, services_->policy);
  auto exchange = Exchange(head, TextBytes(20), 4);
  ReceiveOutcome outcome = Receive(*exchange, 100, checksum);
  auto failure = FailureForOutcome(outcome);
  ASSERT_TRUE(failure);
  EXPECT_EQ(failure->code, protocol::ErrorCode::kInvalidChecksumHeader);
  EXPECT_EQ(writer_->committed().offset, 0u);
}

TEST_F(BodyReceiverTest, AChunkedBodyPastItsLimitKeepsTheBytesThatFit) {
  Start(std::nullopt);
  auto exchange = Exchange(ChunkedPatchHead(id_, 0), TextBytes(15), 4);
  ReceiveOutcome outcome = Receive(*exchange, 10);
  EXPECT_EQ(outcome.end, BodyEnd::kTooLarge);
  auto failure = FailureForOutcome(outcome);
  ASSERT_TRUE(failure);
  EXPECT_EQ(failure->code, protocol::ErrorCode::kSizeExceeded);
  EXPECT_EQ(exchange->body_bytes_read(), 10u);
  EXPECT_EQ(writer_->committed().offset, 10u);
}

TEST_F(BodyReceiverTest, ACompressedBodyCutMidwayKeepsItsBytesAcrossACrash) {
  config_.checkpoint_bytes = 100000;
  Start(1 << 20, "zstd");
  ASSERT_TRUE(writer_->compressed());
  const std::string body = TextBytes(300000);
  // Pieces are overwritten after each call (as the io thread's buffer is), so this also checks
  // that a compressed append works from its own copy while it runs on the pool.
  auto exchange = Exchange(PatchHead(id_, 0, 1 << 20), body, 64 << 10);
  exchange->EndWith(BodyEnd::kClientGone);
  RecordOffsets(*exchange);
  ReceiveOutcome outcome = Receive(*exchange, 1 << 20);
  EXPECT_TRUE(outcome.storage.ok()) << outcome.storage.ToString();
  EXPECT_EQ(writer_->committed().offset, body.size());
  EXPECT_GT(CommitsCounted(), 2u);  // checkpoints, then the cut
  for (size_t i = 1; i < offsets_.size(); ++i) EXPECT_GE(offsets_[i], offsets_[i - 1]);
  EXPECT_LT(DataFileSize(id_), body.size() / 4);  // stored compressed
  Crash();
  EXPECT_EQ(Record(id_).offset, body.size());
  EXPECT_EQ(Committed(id_), body);
}

TEST_F(BodyReceiverTest, NoSpaceInACompressedBodyKeepsEveryCommittedByte) {
  config_.checkpoint_bytes = 200000;
  Start(1 << 20, "zstd");
  const std::string body = TextBytes(600000);
  auto exchange = Exchange(PatchHead(id_, 0, body.size()), body, 64 << 10);
  // Once the first checkpoint is durable, the disk fills 100 bytes past its frames.
  bool armed = false;
  exchange->BeforePiece([&](size_t) {
    if (armed || Record(id_).offset == 0) return;
    armed = true;
    fs_.FailAppendPast(DataFileSize(id_) + 100, ENOSPC);
  });
  ReceiveOutcome outcome = Receive(*exchange, 1 << 20);
  EXPECT_TRUE(outcome.storage.IsNoSpace()) << outcome.storage.ToString();
  auto failure = FailureForOutcome(outcome);
  ASSERT_TRUE(failure);
  EXPECT_EQ(failure->code, protocol::ErrorCode::kInsufficientStorage);
  const store::UploadRecord committed = writer_->committed();
  EXPECT_GE(committed.offset, 200000u);  // the checkpoint before the failure stays
  EXPECT_LT(committed.offset, body.size());
  EXPECT_EQ(DataFileSize(id_), committed.data_length);  // no tail past the commit
  Crash();
  EXPECT_EQ(Record(id_).offset, committed.offset);
  EXPECT_EQ(Committed(id_), body.substr(0, committed.offset));
}

}  // namespace
}  // namespace tuskd::server::testing
