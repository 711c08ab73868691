#include "compress/frame_encoder.h"

#include <gtest/gtest.h>
// ZSTD_getFrameHeader, to check the window the encoder declares.
#define ZSTD_STATIC_LINKING_ONLY
#include <zstd.h>

#include <cerrno>
#include <string>

#include "tests/common/test_content.h"

namespace tuskd::compress {
namespace {

// A DataFile in memory that can fail its appends, and counts them.
// Where the encoder's output lands; Truncate is what a writer does after a failure.
class MemoryFile final : public ByteSink {
 public:
  Status Append(std::span<const char> bytes) override {
    ++appends;
    if (fail_appends) return Status::FromErrno(ENOSPC, "memory file");
    data.append(bytes.data(), bytes.size());
    return Status::Ok();
  }
  Status Truncate(uint64_t length) {
    data.resize(length);
    return Status::Ok();
  }

  std::string data;
  int appends = 0;
  bool fail_appends = false;
};

// Sizes of the frames in `compressed`, in order.
std::vector<size_t> FrameSizes(const std::string& compressed) {
  std::vector<size_t> sizes;
  for (size_t at = 0; at < compressed.size();) {
    size_t size = ZSTD_findFrameCompressedSize(compressed.data() + at, compressed.size() - at);
    EXPECT_FALSE(ZSTD_isError(size)) << ZSTD_getErrorName(size);
    if (ZSTD_isError(size)) break;
    sizes.push_back(size);
    at += size;
  }
  return sizes;
}

TEST(FrameEncoderTest, AFrameDecodesToItsInput) {
  MemoryFile file;
  FrameEncoder encoder(3);
  std::string text = TextContent(300000, 1);
  for (size_t at = 0; at < text.size(); at += 70000) {
    ASSERT_TRUE(
        encoder.Write({text.data() + at, std::min<size_t>(70000, text.size() - at)}, &file).ok());
  }
  EXPECT_TRUE(encoder.frame_open());
  EXPECT_EQ(encoder.frame_bytes(), text.size());
  ASSERT_TRUE(encoder.EndFrame(&file).ok());
  EXPECT_FALSE(encoder.frame_open());
  EXPECT_EQ(encoder.frame_bytes(), 0u);
  EXPECT_EQ(FrameSizes(file.data).size(), 1u);
  EXPECT_LT(file.data.size(), text.size() / 3);
  EXPECT_TRUE(SameBytes(DecodeFrames(file.data), text));
}

TEST(FrameEncoderTest, FramesConcatenateIntoOneStream) {
  MemoryFile file;
  FrameEncoder encoder(1);
  std::string expected;
  for (uint32_t seed = 1; seed <= 4; ++seed) {
    std::string part =
        seed % 2 ? TextContent(size_t{10000} * seed, seed) : RandomContent(5000, seed);
    ASSERT_TRUE(encoder.Write(part, &file).ok());
    ASSERT_TRUE(encoder.EndFrame(&file).ok());
    expected += part;
  }
  EXPECT_EQ(FrameSizes(file.data).size(), 4u);
  EXPECT_TRUE(SameBytes(DecodeFrames(file.data), expected));
}

TEST(FrameEncoderTest, EndFrameWithoutAFrameWritesNothing) {
  MemoryFile file;
  FrameEncoder encoder(3);
  ASSERT_TRUE(encoder.EndFrame(&file).ok());
  EXPECT_EQ(file.appends, 0);
  EXPECT_TRUE(file.data.empty());
}

TEST(FrameEncoderTest, OutputLeavesThroughAFixedBuffer) {
  // Incompressible input: the output outgrows the buffer and must reach the file before the
  // frame ends, so the encoder's memory does not grow with the frame.
  MemoryFile file;
  FrameEncoder encoder(3);
  std::string data = RandomContent(1 << 20, 7);
  ASSERT_TRUE(encoder.Write(data, &file).ok());
  EXPECT_GT(file.data.size(), (1u << 20) - 2 * ZSTD_CStreamOutSize());
  ASSERT_TRUE(encoder.EndFrame(&file).ok());
  EXPECT_TRUE(SameBytes(DecodeFrames(file.data), data));
}

TEST(FrameEncoderTest, ResetDropsTheOpenFrame) {
  MemoryFile file;
  FrameEncoder encoder(3);
  ASSERT_TRUE(encoder.Write(TextContent(5000, 1), &file).ok());
  ASSERT_TRUE(encoder.EndFrame(&file).ok());
  const std::string first = file.data;
  ASSERT_TRUE(encoder.Write(RandomContent(400000, 2), &file).ok());  // part of it is in the file
  ASSERT_GT(file.data.size(), first.size());
  encoder.Reset();
  ASSERT_TRUE(file.Truncate(first.size()).ok());
  std::string second = TextContent(7000, 3);
  ASSERT_TRUE(encoder.Write(second, &file).ok());
  ASSERT_TRUE(encoder.EndFrame(&file).ok());
  EXPECT_TRUE(SameBytes(DecodeFrames(file.data), TextContent(5000, 1) + second));
}

TEST(FrameEncoderTest, AFailedFileAppendIsReported) {
  MemoryFile file;
  FrameEncoder encoder(1);
  file.fail_appends = true;
  Status status = encoder.Write(RandomContent(1 << 20, 1), &file);
  EXPECT_TRUE(status.IsNoSpace()) << status.ToString();
  encoder.Reset();
  file.fail_appends = false;
  file.data.clear();
  ASSERT_TRUE(encoder.Write(TextContent(100, 1), &file).ok());
  ASSERT_TRUE(encoder.EndFrame(&file).ok());
  EXPECT_TRUE(SameBytes(DecodeFrames(file.data), TextContent(100, 1)));
}

TEST(FrameEncoderTest, WindowStaysWithinTheCap) {
  for (int level : {1, 3, 9, 19, 100, -5}) {
    MemoryFile file;
    FrameEncoder encoder(level);
    std::string data = TextContent(600000, 9);
    ASSERT_TRUE(encoder.Write(data, &file).ok());
    ASSERT_TRUE(encoder.EndFrame(&file).ok());
    ZSTD_frameHeader header;
    ASSERT_EQ(ZSTD_getFrameHeader(&header, file.data.data(), file.data.size()), 0u);
    EXPECT_LE(header.windowSize, 1ull << kMaxWindowLog) << "level " << level;
    EXPECT_TRUE(SameBytes(DecodeFrames(file.data), data)) << "level " << level;
  }
}

}  // namespace
}  // namespace tuskd::compress
