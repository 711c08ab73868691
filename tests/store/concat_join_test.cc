// Concatenation in the store: creating final uploads over partial ones, joining their bytes
// (raw and zstd), waiting for unfinished parts, abandoning a final whose part is gone, and
// resuming a join that a failure, a crash or a stop request cut short.
#include <gtest/gtest.h>

#include <mutex>

#include "store/concat_waits.h"
#include "store/upload_store.h"
#include "tests/common/test_content.h"
#include "tests/store/store_test_util.h"

namespace tuskd::store {
namespace {

class ConcatJoinTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    ListenForFinals();
  }

  void ListenForFinals() {
    store_->SetFinalListener([this](const std::string& id) {
      std::lock_guard lock(mu_);
      woken_.push_back(id);
    });
  }

  std::vector<std::string> TakeWoken() {
    std::lock_guard lock(mu_);
    return std::exchange(woken_, {});
  }

  UploadRecord CreatePart(std::optional<uint64_t> length, const std::string& compression = "none") {
    NewUpload spec;
    spec.length = length;
    spec.concat = ConcatKind::kPartial;
    spec.compression = *compress::CompressionModeFromString(compression);
    UploadRecord record;
    Status status = store_->Create(spec, 1000, &record);
    EXPECT_TRUE(status.ok()) << status.ToString();
    return record;
  }

  // A complete partial upload holding `data`, committed in pieces of `piece` bytes.
  UploadRecord Part(const std::string& data, const std::string& compression = "none",
                    size_t piece = SIZE_MAX) {
    UploadRecord part = CreatePart(data.size(), compression);
    for (size_t at = 0; at < data.size(); at += piece) {
      AppendAndCommit(part.id, std::string_view(data).substr(at, piece));
    }
    return GetRecord(part.id);
  }

  Status CreateFinal(const std::vector<std::string>& parts, UploadRecord* out) {
    NewUpload spec;
    spec.concat = ConcatKind::kFinal;
    spec.concat_parts = parts;
    return store_->Create(spec, 1500, out);
  }

  UploadRecord Final(const std::vector<std::string>& parts) {
    UploadRecord record;
    Status status = CreateFinal(parts, &record);
    EXPECT_TRUE(status.ok()) << status.ToString();
    return record;
  }

  AssemblyResult Assemble(const std::string& id) {
    auto lease = store_->locks().TryAcquire(id, [] {});
    EXPECT_TRUE(lease.has_value());
    AssemblyResult result = AssemblyResult::kStopped;
    Status status = store_->AssembleFinal(id, *lease, 3000, &result);
    EXPECT_TRUE(status.ok()) << status.ToString();
    return result;
  }

  std::string ReadAll(const std::string& id) {
    std::unique_ptr<UploadReader> reader;
    Status status = store_->OpenReader(id, &reader);
    EXPECT_TRUE(status.ok()) << status.ToString();
    if (!status.ok()) return {};
    std::string out;
    std::string buffer(100'000, '\0');  // not a divisor of anything here: reads cross frames
    for (;;) {
      size_t read = 0;
      EXPECT_TRUE(reader->Read(out.size(), {buffer.data(), buffer.size()}, &read).ok());
      if (read == 0) break;
      out.append(buffer.data(), read);
    }
    return out;
  }

  std::mutex mu_;
  std::vector<std::string> woken_;
};

TEST_F(ConcatJoinTest, JoinsRawPartsInOrderAndHashesTheWhole) {
  std::string a = RandomContent(300'000, 1), b = RandomContent(5, 2), c = RandomContent(70'000, 3);
  UploadRecord pa = Part(a), pb = Part(b), pc = Part(c);
  UploadRecord final_upload = Final({pc.id, pa.id, pb.id, pa.id});  // any order, reuse allowed
  EXPECT_EQ(final_upload.length, c.size() + a.size() + b.size() + a.size());
  EXPECT_EQ(final_upload.state, UploadState::kReceiving);
  EXPECT_FALSE(final_upload.expires_at) << "a final lives as long as its parts";
  EXPECT_TRUE(TakeWoken().empty()) << "every part was complete: the caller joins at once";

  EXPECT_EQ(Assemble(final_upload.id), AssemblyResult::kComplete);
  const std::string whole = c + a + b + a;
  UploadRecord joined = GetRecord(final_upload.id);
  EXPECT_EQ(joined.state, UploadState::kComplete);
  EXPECT_EQ(joined.offset, whole.size());
  EXPECT_EQ(joined.compression, compress::Compression::kNone);
  EXPECT_EQ(joined.sha256, OneShotSha256Hex(whole));
  EXPECT_EQ(ReadDataFile(final_upload.id), whole);
  EXPECT_EQ(ReadAll(final_upload.id), whole);
  // Parts are kept by default, and a second join is a no-op.
  EXPECT_EQ(ReadAll(pa.id), a);
  EXPECT_EQ(Assemble(final_upload.id), AssemblyResult::kComplete);
}

TEST_F(ConcatJoinTest, ZstdPartsAreJoinedFrameForFrameWithoutRecompressing) {
  // Several frames per part (commits every 1 MB, and the 4 MiB cap inside a long append).
  std::string a = TextContent(5'500'000, 4), b = TextContent(1'200'000, 5);
  UploadRecord pa = Part(a, "zstd", 1'000'000), pb = Part(b, "zstd");
  UploadRecord final_upload = Final({pa.id, pb.id});
  EXPECT_EQ(Assemble(final_upload.id), AssemblyResult::kComplete);
  UploadRecord joined = GetRecord(final_upload.id);
  EXPECT_EQ(joined.compression, compress::Compression::kZstd);
  EXPECT_EQ(ReadDataFile(final_upload.id), ReadDataFile(pa.id) + ReadDataFile(pb.id))
      << "the parts' frames, byte for byte";
  EXPECT_EQ(joined.data_length, pa.data_length + pb.data_length);
  EXPECT_EQ(joined.sha256, OneShotSha256Hex(a + b));
  EXPECT_EQ(ReadAll(final_upload.id), a + b);

  // Ranged reads use the shifted frame index: across the boundary, and deep in the second part.
  std::unique_ptr<UploadReader> reader;
  ASSERT_TRUE(store_->OpenReader(final_upload.id, &reader).ok());
  for (uint64_t at : {uint64_t{a.size() - 7}, uint64_t{a.size() + 600'000}, uint64_t{3}}) {
    std::string got(20, '\0');
    size_t read = 0;
    ASSERT_TRUE(reader->Read(at, {got.data(), got.size()}, &read).ok());
    got.resize(read);
    EXPECT_EQ(got, (a + b).substr(at, read)) << "at " << at;
    EXPECT_GT(read, 0u);
  }
}

// A frame that decodes to exactly one zstd output block (128 KiB) once made the join report
// "data ends inside a zstd frame" (seen with tus-js-client parallelUploads on a zstd server).
TEST_F(ConcatJoinTest, ZstdFramesOfExactlyOneDecoderBlockJoin) {
  const size_t block = 128u << 10;
  std::string a = TextContent(block, 11), b = TextContent(3 * block, 12);
  UploadRecord pa = Part(a, "zstd"), pb = Part(b, "zstd", block);
  UploadRecord final_upload = Final({pa.id, pb.id});
  EXPECT_EQ(Assemble(final_upload.id), AssemblyResult::kComplete);
  UploadRecord joined = GetRecord(final_upload.id);
  EXPECT_EQ(joined.sha256, OneShotSha256Hex(a + b));
  EXPECT_TRUE(SameBytes(ReadAll(final_upload.id), a + b));
}

TEST_F(ConcatJoinTest, MixedPartsAreStoredUncompressed) {
  std::string a = TextContent(200'000, 6), b = RandomContent(100'000, 7);
  UploadRecord pa = Part(a, "zstd"), pb = Part(b, "none");
  UploadRecord final_upload = Final({pa.id, pb.id});
  EXPECT_EQ(Assemble(final_upload.id), AssemblyResult::kComplete);
  EXPECT_EQ(GetRecord(final_upload.id).compression, compress::Compression::kNone);
  EXPECT_EQ(ReadDataFile(final_upload.id), a + b);
}

TEST_F(ConcatJoinTest, FinalDeclaredBeforeItsPartsFinishCompletesWhenTheyDo) {
  std::string a = RandomContent(1000, 8), b = RandomContent(2000, 9);
  UploadRecord pa = Part(a);
  UploadRecord pb = CreatePart(std::nullopt);  // deferred length: the final's is unknown too
  UploadRecord final_upload = Final({pa.id, pb.id});
  EXPECT_FALSE(final_upload.length);
  EXPECT_EQ(TakeWoken(), std::vector<std::string>{final_upload.id}) << "one look after creation";
  EXPECT_EQ(Assemble(final_upload.id), AssemblyResult::kWaiting);

  AppendAndCommit(pb.id, std::string_view(b).substr(0, 500));
  EXPECT_TRUE(TakeWoken().empty()) << "an unfinished part wakes nobody";
  {
    auto lease = store_->locks().TryAcquire(pb.id, [] {});
    std::unique_ptr<UploadWriter> writer;
    ASSERT_TRUE(store_->OpenWriter(pb.id, &writer).ok());
    ASSERT_TRUE(writer->SetLength(b.size()).ok());
    ASSERT_TRUE(writer->Append(Bytes(std::string_view(b).substr(500))).ok());
    ASSERT_TRUE(writer->Commit(2500).ok());
  }
  EXPECT_EQ(TakeWoken(), std::vector<std::string>{final_upload.id});
  EXPECT_EQ(Assemble(final_upload.id), AssemblyResult::kComplete);
  UploadRecord joined = GetRecord(final_upload.id);
  EXPECT_EQ(joined.length, a.size() + b.size());
  EXPECT_EQ(joined.sha256, OneShotSha256Hex(a + b));
  WithClosedDb([&](RocksStateStore& db) {
    std::vector<std::string> waiting;
    ASSERT_TRUE(FinalsWaitingOn(db, pb.id, &waiting).ok());
    EXPECT_TRUE(waiting.empty()) << "the completion batch drops the waiting entries";
  });
}

TEST_F(ConcatJoinTest, FinalWhosePartGoesAwayIsTerminated) {
  UploadRecord pa = Part("aaaa");
  UploadRecord pb = CreatePart(10);
  UploadRecord final_upload = Final({pa.id, pb.id});
  TakeWoken();
  {
    // The complete part: a waiting final is found from every part, not only unfinished ones.
    auto lease = store_->locks().TryAcquire(pa.id, [] {});
    ASSERT_TRUE(store_->Terminate(pa.id, 2000).ok());
  }
  EXPECT_EQ(TakeWoken(), std::vector<std::string>{final_upload.id});
  EXPECT_EQ(Assemble(final_upload.id), AssemblyResult::kAbandoned);
  EXPECT_EQ(GetRecord(final_upload.id).state, UploadState::kTerminated);
  UploadRecord other;
  Status refused = CreateFinal({pa.id, pb.id}, &other);
  EXPECT_TRUE(refused.IsInvalid()) << refused.ToString();
}

TEST_F(ConcatJoinTest, CreationRefusesPartsThatCannotBeJoined) {
  UploadRecord plain = CreateUpload(4);
  UploadRecord part = Part("xyz");
  UploadRecord out;
  EXPECT_TRUE(CreateFinal({part.id, plain.id}, &out).IsInvalid()) << "not partial";
  EXPECT_TRUE(CreateFinal({part.id, "0123456789abcdef0123456789abcdef"}, &out).IsInvalid());
  NewUpload with_length;
  with_length.concat = ConcatKind::kFinal;
  with_length.concat_parts = {part.id};
  with_length.length = 3;
  EXPECT_TRUE(store_->Create(with_length, 1, &out).IsInvalid());
  NewUpload parts_without_final;
  parts_without_final.concat = ConcatKind::kPartial;
  parts_without_final.concat_parts = {part.id};
  EXPECT_TRUE(store_->Create(parts_without_final, 1, &out).IsInvalid());
}

TEST_F(ConcatJoinTest, OnlyTheFinalUploadEntersTheCompletionPipeline) {
  UploadRecord pa = Part("first half "), pb = Part("second half");
  UploadRecord empty = CreatePart(0);
  EXPECT_EQ(empty.state, UploadState::kComplete);
  EXPECT_EQ(store_->pipeline().QueueDepth(), 0u) << "partial uploads are pieces, not files";
  EXPECT_TRUE(GetRecord(pa.id).prediction.is_null());
  UploadRecord final_upload = Final({pa.id, empty.id, pb.id});
  EXPECT_EQ(Assemble(final_upload.id), AssemblyResult::kComplete);
  EXPECT_EQ(store_->pipeline().QueueDepth(), 1u);
  PredictionStatus status;
  ASSERT_TRUE(
      store_->pipeline().StatusFor(OneShotSha256Hex("first half second half"), &status).ok());
  EXPECT_EQ(status.state, PredictionState::kPending);
}

TEST_F(ConcatJoinTest, JoinCutByAFailureResumesAtThePartBoundaryAfterACrash) {
  std::string a = RandomContent(400'000, 10), b = RandomContent(600'000, 11);
  UploadRecord pa = Part(a), pb = Part(b);
  UploadRecord final_upload = Final({pa.id, pb.id});
  fs_.FailAppendPast(a.size() + 250'000, ENOSPC);  // inside the second part
  {
    auto lease = store_->locks().TryAcquire(final_upload.id, [] {});
    AssemblyResult result = AssemblyResult::kComplete;
    Status status = store_->AssembleFinal(final_upload.id, *lease, 3000, &result);
    EXPECT_TRUE(status.IsNoSpace()) << status.ToString();
  }
  UploadRecord cut = GetRecord(final_upload.id);
  EXPECT_EQ(cut.state, UploadState::kReceiving);
  EXPECT_EQ(cut.offset, a.size()) << "the first part was committed";
  CloseStore();
  ASSERT_TRUE(fs_.Crash().ok());
  OpenStore();
  ListenForFinals();
  std::vector<std::string> unjoined;
  ASSERT_TRUE(store_->ListUnjoinedFinals(&unjoined).ok());
  EXPECT_EQ(unjoined, std::vector<std::string>{final_upload.id});
  EXPECT_EQ(Assemble(final_upload.id), AssemblyResult::kComplete);
  EXPECT_EQ(ReadDataFile(final_upload.id), a + b);
  EXPECT_EQ(GetRecord(final_upload.id).sha256, OneShotSha256Hex(a + b));
  ASSERT_TRUE(store_->ListUnjoinedFinals(&unjoined).ok());
  EXPECT_TRUE(unjoined.empty());
}

TEST_F(ConcatJoinTest, StopRequestEndsTheJoinAndALaterOneFinishesIt) {
  std::string a = TextContent(300'000, 12), b = TextContent(300'000, 13);
  UploadRecord pa = Part(a, "zstd"), pb = Part(b, "zstd");
  UploadRecord final_upload = Final({pa.id, pb.id});
  {
    auto lease = store_->locks().TryAcquire(final_upload.id, [] {});
    ASSERT_TRUE(store_->locks().RequestStop(final_upload.id));  // a DELETE wants it
    AssemblyResult result = AssemblyResult::kComplete;
    ASSERT_TRUE(store_->AssembleFinal(final_upload.id, *lease, 3000, &result).ok());
    EXPECT_EQ(result, AssemblyResult::kStopped);
  }
  UploadRecord stopped = GetRecord(final_upload.id);
  EXPECT_EQ(stopped.offset, 0u);
  EXPECT_EQ(ReadDataFile(final_upload.id).size(), stopped.data_length) << "no partial copy left";
  EXPECT_EQ(Assemble(final_upload.id), AssemblyResult::kComplete);
  EXPECT_EQ(ReadAll(final_upload.id), a + b);
}

TEST_F(ConcatJoinTest, RemovePartsOptionTerminatesJoinedPartsNobodyElseWaitsFor) {
  CloseStore();
  options_.remove_parts_after_concat = true;
  OpenStore();
  ListenForFinals();
  UploadRecord pa = Part("alpha"), pb = Part("beta");
  UploadRecord pc = CreatePart(5);
  UploadRecord waiting_final = Final({pb.id, pc.id});  // still needs pb
  UploadRecord final_upload = Final({pa.id, pb.id});
  EXPECT_EQ(Assemble(final_upload.id), AssemblyResult::kComplete);
  EXPECT_EQ(GetRecord(pa.id).state, UploadState::kTerminated);
  EXPECT_EQ(GetRecord(pb.id).state, UploadState::kComplete) << "another final waits for it";
  EXPECT_EQ(ReadAll(final_upload.id), "alphabeta");
  EXPECT_EQ(GetRecord(waiting_final.id).state, UploadState::kReceiving);
}

TEST_F(ConcatJoinTest, EmptyPartsMakeAnEmptyCompleteFinal) {
  UploadRecord pa = CreatePart(0), pb = CreatePart(0);
  UploadRecord final_upload = Final({pa.id, pb.id});
  EXPECT_EQ(final_upload.state, UploadState::kComplete);
  EXPECT_EQ(final_upload.sha256, OneShotSha256Hex(""));
}

}  // namespace
}  // namespace tuskd::store
