#include "store/rolling_sha256.h"

#include <gtest/gtest.h>

#include <random>

#include "tests/store/store_test_util.h"

namespace tuskd::store {
namespace {

std::string RandomBytes(size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::string out(n, '\0');
  for (char& c : out) c = static_cast<char>(rng());
  return out;
}

TEST(RollingSha256Test, EmptyDigestIsTheSha256OfNothing) {
  RollingSha256 hash;
  EXPECT_EQ(hash.bytes_hashed(), 0u);
  EXPECT_EQ(hash.HexDigest(), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(RollingSha256Test, PiecewiseUpdatesEqualOneShot) {
  std::string data = RandomBytes(100000, 1);
  RollingSha256 hash;
  for (size_t pos = 0, piece = 1; pos < data.size(); pos += piece, piece = piece * 3 % 4097 + 1) {
    hash.Update(Bytes(std::string_view(data).substr(pos, piece)));
  }
  EXPECT_EQ(hash.bytes_hashed(), data.size());
  EXPECT_EQ(hash.HexDigest(), OneShotSha256Hex(data));
}

TEST(RollingSha256Test, DigestLeavesTheRunningStateAlone) {
  RollingSha256 hash;
  hash.Update(Bytes("hello "));
  EXPECT_EQ(hash.HexDigest(), OneShotSha256Hex("hello "));
  hash.Update(Bytes("world"));
  EXPECT_EQ(hash.HexDigest(), OneShotSha256Hex("hello world"));
}

// The point of the class: stop at any offset (inside a block or on its edge), save, restore in
// "another process", finish, and get the digest of the whole input.
TEST(RollingSha256Test, ResumesAcrossSerializeAtAnyOffset) {
  std::string data = RandomBytes(3000, 2);
  for (size_t split : {0, 1, 55, 56, 63, 64, 65, 127, 128, 1000, 2999, 3000}) {
    RollingSha256 first;
    first.Update(Bytes(std::string_view(data).substr(0, split)));
    std::string blob = first.Serialize();
    RollingSha256 resumed;
    Status status = RollingSha256::Deserialize(blob, split, &resumed);
    ASSERT_TRUE(status.ok()) << "split " << split << ": " << status.ToString();
    EXPECT_EQ(resumed.bytes_hashed(), split);
    resumed.Update(Bytes(std::string_view(data).substr(split)));
    EXPECT_EQ(resumed.HexDigest(), OneShotSha256Hex(data)) << "split " << split;
  }
}

TEST(RollingSha256Test, EnvelopeLayoutIsStable) {
  RollingSha256 hash;
  hash.Update(Bytes("abc"));
  std::string blob = hash.Serialize();
  ASSERT_EQ(blob.size(), 24u + 112u);
  EXPECT_EQ(blob.substr(0, 4), "TSH2");
  EXPECT_EQ(blob.substr(4, 4), std::string("\x01\0\0\0", 4));   // format version
  EXPECT_EQ(blob.substr(8, 4), std::string("\x01\0\0\0", 4));   // sha256
  EXPECT_EQ(blob.substr(12, 4), std::string("\x70\0\0\0", 4));  // 112
  EXPECT_EQ(blob.substr(16, 8), std::string("\x03\0\0\0\0\0\0\0", 8));
}

class RollingSha256CorruptionTest : public ::testing::Test {
 protected:
  RollingSha256CorruptionTest() {
    RollingSha256 hash;
    hash.Update(Bytes("0123456789"));
    blob_ = hash.Serialize();
  }
  Status Load(const std::string& blob, uint64_t offset = 10) {
    RollingSha256 out;
    return RollingSha256::Deserialize(blob, offset, &out);
  }
  std::string With(size_t at, char byte) {
    std::string copy = blob_;
    copy[at] = byte;
    return copy;
  }
  std::string blob_;
};

TEST_F(RollingSha256CorruptionTest, AcceptsTheIntactBlob) { EXPECT_TRUE(Load(blob_).ok()); }

TEST_F(RollingSha256CorruptionTest, RefusesWrongMagic) {
  Status s = Load(With(3, '1'));
  EXPECT_TRUE(s.IsCorruption());
  EXPECT_NE(s.message().find("magic"), std::string::npos) << s.message();
}

TEST_F(RollingSha256CorruptionTest, RefusesWrongVersion) {
  Status s = Load(With(4, 2));
  EXPECT_TRUE(s.IsCorruption());
  EXPECT_NE(s.message().find("version"), std::string::npos) << s.message();
}

TEST_F(RollingSha256CorruptionTest, RefusesWrongAlgorithm) {
  Status s = Load(With(8, 2));
  EXPECT_TRUE(s.IsCorruption());
  EXPECT_NE(s.message().find("algorithm"), std::string::npos) << s.message();
}

TEST_F(RollingSha256CorruptionTest, RefusesWrongStateSize) {
  Status s = Load(With(12, 111));
  EXPECT_TRUE(s.IsCorruption());
  EXPECT_NE(s.message().find("size"), std::string::npos) << s.message();
}

TEST_F(RollingSha256CorruptionTest, RefusesWrongOffset) {
  Status s = Load(blob_, 11);
  EXPECT_TRUE(s.IsCorruption());
  EXPECT_NE(s.message().find("offset"), std::string::npos) << s.message();
}

TEST_F(RollingSha256CorruptionTest, RefusesTruncatedOrPaddedBlobs) {
  EXPECT_TRUE(Load("").IsCorruption());
  EXPECT_TRUE(Load(blob_.substr(0, 20)).IsCorruption());
  EXPECT_TRUE(Load(blob_.substr(0, blob_.size() - 1)).IsCorruption());
  EXPECT_TRUE(Load(blob_ + "x").IsCorruption());
}

TEST_F(RollingSha256CorruptionTest, RefusesAStateThatDisagreesWithItsEnvelope) {
  // Header claims 11 bytes, raw state says 10.
  Status s = Load(With(16, 11), 11);
  EXPECT_TRUE(s.IsCorruption());
}

TEST_F(RollingSha256CorruptionTest, LeavesTheOutputUntouchedOnFailure) {
  RollingSha256 out;
  out.Update(Bytes("keep"));
  EXPECT_FALSE(RollingSha256::Deserialize(blob_, 99, &out).ok());
  EXPECT_EQ(out.HexDigest(), OneShotSha256Hex("keep"));
}

}  // namespace
}  // namespace tuskd::store
