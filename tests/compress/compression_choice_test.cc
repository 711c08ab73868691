#include "compress/compression_choice.h"

#include <gtest/gtest.h>

#include <string>

namespace tuskd::compress {
namespace {

bool Magic(std::string_view head) { return HasIncompressibleMagic({head.data(), head.size()}); }

TEST(CompressionChoiceTest, ModesHaveNames) {
  EXPECT_EQ(CompressionModeFromString("none"), CompressionMode::kNone);
  EXPECT_EQ(CompressionModeFromString("zstd"), CompressionMode::kZstd);
  EXPECT_EQ(CompressionModeFromString("auto"), CompressionMode::kAuto);
  EXPECT_FALSE(CompressionModeFromString("gzip").has_value());
  EXPECT_FALSE(CompressionModeFromString("").has_value());
  EXPECT_FALSE(CompressionModeFromString("ZSTD").has_value());
}

TEST(CompressionChoiceTest, CompressedMediaTypesAreSkipped) {
  for (const char* type :
       {"audio/flac", "audio/mpeg", "video/mp4", "video/x-matroska", "image/jpeg", "image/png",
        "application/zip", "application/gzip", "application/zstd", "application/x-xz", "Audio/FLAC",
        " image/jpeg ; q=1", "video/webm; codecs=vp9",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}) {
    EXPECT_TRUE(IsIncompressibleMediaType(type)) << type;
  }
  for (const char* type :
       {"", "text/plain", "text/csv; charset=utf-8", "audio/wav", "audio/x-wav", "application/json",
        "application/octet-stream", "image/bmp", "image/tiff", "application/x-ndjson"}) {
    EXPECT_FALSE(IsIncompressibleMediaType(type)) << type;
  }
}

TEST(CompressionChoiceTest, MagicBytesOfCompressedFormats) {
  using namespace std::string_literals;
  for (const std::string& head :
       {"\xFF\xD8\xFF\xE0\x00\x10JFIF"s, "\x89PNG\r\n\x1A\n\x00\x00"s, "GIF89a..."s,
        "fLaC\x00\x00\x00\x22"s, "ID3\x04\x00"s, "\xFF\xFB\x90\x64"s, "\xFF\xF1\x50\x80"s,
        "OggS\x00\x02"s, "\x1A\x45\xDF\xA3\x9F"s, "PK\x03\x04\x14\x00"s, "\x1F\x8B\x08\x00"s,
        "\x28\xB5\x2F\xFD\x04"s, "\xFD\x37zXZ\x00\x00"s, "BZh91AY"s, "7z\xBC\xAF\x27\x1C\x00"s,
        "Rar!\x1A\x07\x01"s, "\x04\x22\x4D\x18"s, "\x00\x00\x00 ftypisom"s,
        "RIFF\x10\x00\x00\x00WEBPVP8 "s}) {
    EXPECT_TRUE(Magic(head)) << testing::PrintToString(head);
  }
}

TEST(CompressionChoiceTest, MagicBytesOfCompressibleContent) {
  using namespace std::string_literals;
  for (const std::string& head :
       {""s, "x"s, "hello world"s, R"({"a":1})"s, "RIFF\x24\x08\x00\x00WAVEfmt "s,
        "\xFF\xFE\x61\x00"s, "%PDF-1.7"s, "\x00\x00\x00\x00\x00\x00"s, "BM\x36\x00"s,
        "\xEF\xBB\xBFtext"s}) {
    EXPECT_FALSE(Magic(head)) << testing::PrintToString(head);
  }
}

TEST(CompressionChoiceTest, DeclaredMediaTypePrefersFiletype) {
  EXPECT_EQ(DeclaredMediaType({{"filename", "a.flac"}, {"filetype", "audio/flac"}}), "audio/flac");
  EXPECT_EQ(DeclaredMediaType({{"type", "video/mp4"}, {"filetype", "text/plain"}}), "text/plain");
  EXPECT_EQ(DeclaredMediaType({{"type", "video/mp4"}}), "video/mp4");
  EXPECT_EQ(DeclaredMediaType({{"filetype", ""}, {"type", "image/png"}}), "image/png");
  EXPECT_EQ(DeclaredMediaType({}), "");
}

}  // namespace
}  // namespace tuskd::compress
