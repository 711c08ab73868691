// FrameDecoder against zstd's one-shot API as the oracle: frames of sizes around the decoder's
// output block, fed in pieces of any size, cut inside a frame, and bytes that are not zstd.
#include "compress/frame_decoder.h"

#include <gtest/gtest.h>
#include <zstd.h>

#include <string>
#include <vector>

#include "tests/common/test_content.h"

namespace tuskd::compress {
namespace {

std::string Compress(const std::string& data) {
  std::string out(ZSTD_compressBound(data.size()), '\0');
  size_t size = ZSTD_compress(out.data(), out.size(), data.data(), data.size(), 1);
  EXPECT_FALSE(ZSTD_isError(size)) << ZSTD_getErrorName(size);
  out.resize(ZSTD_isError(size) ? 0 : size);
  return out;
}

struct Decoded {
  std::string bytes;
  bool at_frame_end = false;
  Status status;
};

Decoded FeedInPieces(const std::string& raw, size_t piece) {
  FrameDecoder decoder;
  Decoded result;
  for (size_t at = 0; at < raw.size() && result.status.ok(); at += piece) {
    const size_t size = std::min(piece, raw.size() - at);
    result.status = decoder.Feed({raw.data() + at, size}, [&](std::span<const char> bytes) {
      result.bytes.append(bytes.data(), bytes.size());
    });
  }
  result.at_frame_end = decoder.at_frame_end();
  return result;
}

const size_t kBlock = ZSTD_DStreamOutSize();

// The case that once failed a concatenation: a frame decoding to exactly one output block, fed
// whole, fills the output; the extra call that checks for more moves nothing.
TEST(FrameDecoderTest, AFrameExactlyOneOutputBlockLongEndsOnItsBoundary) {
  const std::string data = TextContent(kBlock, 1);
  Decoded got = FeedInPieces(Compress(data), SIZE_MAX);
  ASSERT_TRUE(got.status.ok()) << got.status.ToString();
  EXPECT_TRUE(got.at_frame_end);
  EXPECT_TRUE(SameBytes(got.bytes, data));
}

TEST(FrameDecoderTest, FramesOfManySizesFedInPiecesOfManySizes) {
  const std::vector<size_t> sizes = {0,          1,          kBlock - 1,      kBlock,
                                     kBlock + 1, 2 * kBlock, 3 * kBlock + 17, 4u << 20};
  std::string raw, expected;
  uint32_t seed = 2;
  for (size_t size : sizes) {
    std::string data = seed % 2 ? TextContent(size, seed) : RandomContent(size, seed);
    ++seed;
    raw += Compress(data);
    expected += data;
  }
  for (size_t piece : {size_t{1}, size_t{7}, size_t{4096}, kBlock, size_t{1} << 20, SIZE_MAX}) {
    Decoded got = FeedInPieces(raw, piece);
    ASSERT_TRUE(got.status.ok()) << got.status.ToString() << " piece " << piece;
    EXPECT_TRUE(got.at_frame_end) << "piece " << piece;
    EXPECT_TRUE(SameBytes(got.bytes, expected)) << "piece " << piece;
  }
}

TEST(FrameDecoderTest, EachFrameOnItsOwnEndsOnABoundary) {
  for (size_t size : {kBlock - 1, kBlock, kBlock + 1, 2 * kBlock, 5 * kBlock}) {
    const std::string data = RandomContent(size, 9);
    for (size_t piece : {size_t{333}, kBlock, SIZE_MAX}) {
      Decoded got = FeedInPieces(Compress(data), piece);
      ASSERT_TRUE(got.status.ok()) << got.status.ToString();
      EXPECT_TRUE(got.at_frame_end) << "size " << size << " piece " << piece;
      EXPECT_TRUE(SameBytes(got.bytes, data)) << "size " << size << " piece " << piece;
    }
  }
}

TEST(FrameDecoderTest, DataCutInsideAFrameDoesNotEndOnABoundary) {
  const std::string frame = Compress(TextContent(3 * kBlock, 3));
  for (size_t cut : {size_t{1}, size_t{6}, frame.size() / 2, frame.size() - 1}) {
    Decoded got = FeedInPieces(Compress("first frame") + frame.substr(0, cut), SIZE_MAX);
    ASSERT_TRUE(got.status.ok()) << got.status.ToString();
    EXPECT_FALSE(got.at_frame_end) << "cut " << cut;
  }
}

TEST(FrameDecoderTest, BytesThatAreNotZstdAreCorruption) {
  Decoded got = FeedInPieces(RandomContent(1000, 4), SIZE_MAX);
  EXPECT_TRUE(got.status.IsCorruption()) << got.status.ToString();
}

TEST(FrameDecoderTest, FeedingNothingChangesNothing) {
  FrameDecoder decoder;
  int calls = 0;
  ASSERT_TRUE(decoder.Feed({}, [&](std::span<const char>) { ++calls; }).ok());
  EXPECT_TRUE(decoder.at_frame_end());
  EXPECT_EQ(calls, 0);
}

}  // namespace
}  // namespace tuskd::compress
