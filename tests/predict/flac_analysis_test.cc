#include "predict/flac_analysis.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <numbers>
#include <string>
#include <vector>

#ifdef TUSKD_HAVE_FLAC
#include <FLAC/stream_encoder.h>
#endif

#include "tests/predict/audio_files.h"
#include "tests/predict/content_info_test_util.h"
#include "tests/predict/predictor_test_util.h"

namespace tuskd::predict {
namespace {

using nlohmann::json;
using predictor_testing::Audio;
using predictor_testing::ExpectHalfScaleSine;
using predictor_testing::FlacHeader;
using predictor_testing::InputOver;
using predictor_testing::Predict;

TEST(ContentInfoFlacTest, ParsesStreamInfo) {
  json result = Predict(InputOver(FlacHeader(44100, 2, 16, 441000)));
  EXPECT_EQ(result["type"], "audio/flac");
  const json& audio = result["audio"];
  EXPECT_EQ(audio["format"], "flac");
  EXPECT_EQ(audio["sample_rate"], 44100);
  EXPECT_EQ(audio["channels"], 2);
  EXPECT_EQ(audio["bits_per_sample"], 16);
  EXPECT_EQ(audio["frames"], 441000);
  EXPECT_DOUBLE_EQ(audio["duration_seconds"].get<double>(), 10.0);
  EXPECT_TRUE(audio["peak_dbfs"].is_null());  // no audio frames follow the header
#ifndef TUSKD_HAVE_FLAC
  EXPECT_EQ(audio["levels"], "not computed");
#endif
}

TEST(ContentInfoFlacTest, ParsesFieldsAtTheirBitBoundaries) {
  const uint64_t total = (uint64_t{1} << 35) + 12345;  // uses all 36 bits' top nibble
  json audio = Audio(FlacHeader(655350, 8, 32, total), 3);
  EXPECT_EQ(audio["sample_rate"], 655350);
  EXPECT_EQ(audio["channels"], 8);
  EXPECT_EQ(audio["bits_per_sample"], 32);
  EXPECT_EQ(audio["frames"], total);
}

TEST(ContentInfoFlacTest, MalformedHeadersGiveAnAudioError) {
  std::string not_streaminfo = FlacHeader(44100, 2, 16, 1);
  not_streaminfo[4] = '\x84';  // first block claims to be VORBIS_COMMENT
  std::string zero_rate = FlacHeader(0, 2, 16, 1);
  for (const std::string& bytes : {std::string("fLaC"), FlacHeader(44100, 2, 16, 1).substr(0, 30),
                                   not_streaminfo, zero_rate}) {
    json result = Predict(InputOver(bytes));
    EXPECT_EQ(result["type"], "audio/flac");
    EXPECT_TRUE(result["audio"].contains("error")) << result.dump();
  }
}

#ifdef TUSKD_HAVE_FLAC

FLAC__StreamEncoderWriteStatus AppendEncoded(const FLAC__StreamEncoder*, const FLAC__byte bytes[],
                                             size_t count, uint32_t, uint32_t, void* out) {
  static_cast<std::string*>(out)->append(reinterpret_cast<const char*>(bytes), count);
  return FLAC__STREAM_ENCODER_WRITE_STATUS_OK;
}

// A 16-bit FLAC of the same half-scale 1 kHz sine, encoded with libFLAC.
std::string FlacSine(uint32_t channels, double seconds) {
  const uint32_t rate = 48000;
  const auto frames = static_cast<uint32_t>(rate * seconds);
  std::vector<FLAC__int32> samples;
  for (uint32_t n = 0; n < frames; ++n) {
    double x = 0.5 * std::sin(2 * std::numbers::pi * 1000 * n / rate);
    for (uint32_t c = 0; c < channels; ++c) samples.push_back(std::lround(x * 32768));
  }
  std::string out;
  FLAC__StreamEncoder* encoder = FLAC__stream_encoder_new();
  FLAC__stream_encoder_set_channels(encoder, channels);
  FLAC__stream_encoder_set_bits_per_sample(encoder, 16);
  FLAC__stream_encoder_set_sample_rate(encoder, rate);
  FLAC__stream_encoder_set_total_samples_estimate(encoder, frames);
  EXPECT_EQ(
      FLAC__stream_encoder_init_stream(encoder, AppendEncoded, nullptr, nullptr, nullptr, &out),
      FLAC__STREAM_ENCODER_INIT_STATUS_OK);
  EXPECT_TRUE(FLAC__stream_encoder_process_interleaved(encoder, samples.data(), frames));
  EXPECT_TRUE(FLAC__stream_encoder_finish(encoder));
  FLAC__stream_encoder_delete(encoder);
  return out;
}

TEST(ContentInfoFlacTest, DecodesLevelsWithLibFlac) {
  std::string flac = FlacSine(2, 1.0);
  json audio = Audio(flac, 1000);
  EXPECT_EQ(audio["frames"], 48000);
  EXPECT_DOUBLE_EQ(audio["duration_seconds"].get<double>(), 1.0);
  ExpectHalfScaleSine(audio);
  EXPECT_FALSE(audio.contains("truncated")) << audio.dump();
  EXPECT_FALSE(audio.contains("decode_error")) << audio.dump();
}

TEST(ContentInfoFlacTest, TruncatedFlacReportsDecodedFrames) {
  std::string flac = FlacSine(1, 2.0);
  json audio = Audio(flac.substr(0, flac.size() / 2));
  EXPECT_EQ(audio["frames"], 96000);  // from STREAMINFO
  EXPECT_EQ(audio["truncated"], true);
  EXPECT_GT(audio["decoded_frames"].get<uint64_t>(), 0u);
  EXPECT_LT(audio["decoded_frames"].get<uint64_t>(), 96000u);
  ExpectHalfScaleSine(audio);
}

TEST(ContentInfoFlacTest, GarbageAfterTheHeaderIsNotACrash) {
  std::string bytes = FlacHeader(44100, 2, 16, 1000) + std::string(100000, '\xA5');
  json audio = Audio(bytes);
  EXPECT_EQ(audio["sample_rate"], 44100);
  EXPECT_NO_THROW(audio.dump());
}

#endif  // TUSKD_HAVE_FLAC

}  // namespace
}  // namespace tuskd::predict
