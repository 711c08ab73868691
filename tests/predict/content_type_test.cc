#include "predict/content_type.h"

#include <gtest/gtest.h>

#include <string>

#include "tests/predict/audio_files.h"
#include "tests/predict/content_info_test_util.h"
#include "tests/predict/predictor_test_util.h"

namespace tuskd::predict {
namespace {

using namespace std::string_literals;
using nlohmann::json;
using predictor_testing::FlacHeader;
using predictor_testing::InputOver;
using predictor_testing::Predict;
using predictor_testing::Wav;
using predictor_testing::WavSpec;

std::string MpegFrame() {
  // MPEG 1 layer III, 128 kbit/s, 44.1 kHz, no padding: 417 bytes per frame.
  return std::string("\xFF\xFB\x90\x00", 4) + std::string(413, '\0');
}

std::string OggPage(const std::string& first_packet) {
  std::string header = "OggS" + std::string(1, '\0') + "\x02" + std::string(20, '\0');
  header += static_cast<char>(1);                    // one segment
  header += static_cast<char>(first_packet.size());  // its length
  return header + first_packet;
}

TEST(DetectContentTypeTest, MagicBytesTable) {
  WavSpec spec;
  struct Case {
    std::string head;
    const char* type;
  } cases[] = {
      {"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"s, "image/png"},
      {"\xFF\xD8\xFF\xE0\0\x10JFIF"s, "image/jpeg"},
      {"GIF89a\x01\0"s, "image/gif"},
      {"GIF87a\x01\0"s, "image/gif"},
      {"RIFF\x24\0\0\0WEBPVP8 "s, "image/webp"},
      {"%PDF-1.7\n%\xE2\xE3"s, "application/pdf"},
      {"PK\x03\x04\x14\0\0\0"s, "application/zip"},
      {"PK\x05\x06" + std::string(18, '\0'), "application/zip"},
      {"\x1F\x8B\x08\0\0\0\0\0"s, "application/gzip"},
      {"\x28\xB5\x2F\xFD\x04\x58"s, "application/zstd"},
      {Wav(spec, ""), "audio/wav"},
      {"RF64\xFF\xFF\xFF\xFFWAVEds64"s, "audio/wav"},
      {"RIFF\x24\0\0\0AVI LIST"s, "application/octet-stream"},
      {FlacHeader(44100, 2, 16, 0), "audio/flac"},
      {"ID3\x04\0\0\0\0\0\0"s, "audio/mpeg"},
      {MpegFrame() + MpegFrame(), "audio/mpeg"},
      {MpegFrame(), "audio/mpeg"},  // a single whole frame
      {MpegFrame() + "junk", "application/octet-stream"},
      {"\xFF\xFB\x90"s, "application/octet-stream"},
      {OggPage("\x01vorbis\0\0\0\0"s), "audio/ogg"},
      {OggPage("OpusHead\x01\x02"), "audio/ogg"},
      {OggPage("\x80theora\x03\x02"), "video/ogg"},
      {OggPage("something"), "application/ogg"},
      {std::string("\0\0\0\x18", 4) + "ftypisom\0\0\x02\0"s, "video/mp4"},
      {std::string("\0\0\0\x14", 4) + "ftypqt  \0\0\x02\0"s, "video/quicktime"},
      {std::string("\0\0\0\x1c", 4) + "ftypM4A \0\0\0\0"s, "audio/mp4"},
      {std::string("\0\0\0\x18", 4) + "ftypheic\0\0\0\0"s, "image/heic"},
      {std::string("\0\0\0\x1c", 4) + "ftypavif\0\0\0\0"s, "image/avif"},
      {"hello, world\n"s, "text/plain"},
      {"{\"json\": [1, 2]}\r\n\tindented\f"s, "text/plain"},
      {"caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x8E\xB5\n"s, "text/plain"},
      {"\x1B[31mred log line\x1B[0m\n"s, "text/plain"},
      {"caf\xE9 latin-1\n"s, "application/octet-stream"},
      {std::string("text with a\0NUL", 15), "application/octet-stream"},
      {"bell\x07"s, "application/octet-stream"},
      {""s, "application/octet-stream"},
      {"\x7F"
       "ELF\x02\x01\x01"s,
       "application/octet-stream"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(DetectContentType(c.head), c.type) << ::testing::PrintToString(c.head);
  }
}

TEST(DetectContentTypeTest, TextCutMidCharacterByTheSniffLimitIsStillText) {
  std::string head(kSniffBytes - 1, 'a');
  EXPECT_EQ(DetectContentType(head + "\xC3"), "text/plain");
  EXPECT_EQ(DetectContentType(head.substr(0, 100) + "\xC3"), "application/octet-stream");
  // Through the predictor: it peeks exactly kSniffBytes of a longer file.
  const std::string text = head + "\xC3\xA9 and more text\n";
  json result = Predict(InputOver(text, 5));
  EXPECT_EQ(result["type"], "text/plain");
  EXPECT_EQ(result["size"], text.size());
  EXPECT_FALSE(result.contains("audio"));
}

}  // namespace
}  // namespace tuskd::predict
