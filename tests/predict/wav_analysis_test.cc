#include "predict/wav_analysis.h"

#include <gtest/gtest.h>

#include <cstring>
#include <string>

#include "predict/content_info_predictor.h"
#include "tests/predict/audio_files.h"
#include "tests/predict/content_info_test_util.h"
#include "tests/predict/predictor_test_util.h"

namespace tuskd::predict {
namespace {

using nlohmann::json;
using predictor_testing::Audio;
using predictor_testing::Chunk;
using predictor_testing::ExpectHalfScaleSine;
using predictor_testing::FailingInput;
using predictor_testing::FmtChunk;
using predictor_testing::InputOver;
using predictor_testing::Le;
using predictor_testing::Predict;
using predictor_testing::Sine;
using predictor_testing::Wav;
using predictor_testing::WavSpec;

TEST(ContentInfoWavTest, Pcm16StereoSine) {
  WavSpec spec;
  json result = Predict(InputOver(Wav(spec, Sine(spec, 0.5, 1.0))));
  EXPECT_EQ(result["predictor"], "builtin:content-info");
  EXPECT_EQ(result["type"], "audio/wav");
  EXPECT_EQ(result["sha256"], std::string(64, 'a'));
  const json& audio = result["audio"];
  EXPECT_EQ(audio["format"], "pcm_s16le");
  EXPECT_EQ(audio["sample_rate"], 48000);
  EXPECT_EQ(audio["channels"], 2);
  EXPECT_EQ(audio["bits_per_sample"], 16);
  EXPECT_EQ(audio["frames"], 48000);
  EXPECT_DOUBLE_EQ(audio["duration_seconds"].get<double>(), 1.0);
  ExpectHalfScaleSine(audio);
  EXPECT_FALSE(audio.contains("truncated"));
  EXPECT_FALSE(audio.contains("error"));
}

TEST(ContentInfoWavTest, EverySampleEncoding) {
  const WavSpec specs[] = {
      {1, 1, 48000, 8}, {1, 2, 48000, 24}, {1, 1, 48000, 32}, {3, 2, 48000, 32}, {3, 1, 48000, 64},
  };
  const char* names[] = {"pcm_u8", "pcm_s24le", "pcm_s32le", "float32", "float64"};
  for (size_t i = 0; i < std::size(specs); ++i) {
    json audio = Audio(Wav(specs[i], Sine(specs[i], 0.5, 0.5)));
    EXPECT_EQ(audio["format"], names[i]);
    EXPECT_EQ(audio["frames"], 24000);
    EXPECT_EQ(audio["channels"], specs[i].channels);
    EXPECT_DOUBLE_EQ(audio["duration_seconds"].get<double>(), 0.5);
    ExpectHalfScaleSine(audio, specs[i].bits == 8 ? 0.03 : 0.011);
  }
}

TEST(ContentInfoWavTest, ExtensibleFormatUsesItsSubFormat) {
  WavSpec spec{1, 2, 48000, 24, true};
  json audio = Audio(Wav(spec, Sine(spec, 0.5, 0.25)));
  EXPECT_EQ(audio["format"], "pcm_s24le");
  EXPECT_EQ(audio["frames"], 12000);
  ExpectHalfScaleSine(audio);
  WavSpec float_spec{3, 1, 48000, 32, true};
  EXPECT_EQ(Audio(Wav(float_spec, Sine(float_spec, 0.5, 0.1)))["format"], "float32");
}

TEST(ContentInfoWavTest, SilenceHasNullLevels) {
  WavSpec spec{1, 1, 44100, 16};
  json audio = Audio(Wav(spec, std::string(size_t{44100} * 2 * 3, '\0')));
  EXPECT_EQ(audio["frames"], 44100 * 3);
  EXPECT_DOUBLE_EQ(audio["duration_seconds"].get<double>(), 3.0);
  EXPECT_TRUE(audio["peak_dbfs"].is_null());
  EXPECT_TRUE(audio["rms_dbfs"].is_null());
}

TEST(ContentInfoWavTest, FullScaleSquareIsZeroDbfs) {
  WavSpec spec{1, 1, 8000, 16};
  std::string samples;
  for (int i = 0; i < 800; ++i) samples += Le(0x8000, 2);  // -32768, the negative full scale
  json audio = Audio(Wav(spec, samples));
  EXPECT_DOUBLE_EQ(audio["peak_dbfs"].get<double>(), 0.0);
  EXPECT_DOUBLE_EQ(audio["rms_dbfs"].get<double>(), 0.0);
}

TEST(ContentInfoWavTest, SamplesSplitAcrossReadsGiveTheSameAnswer) {
  WavSpec spec{1, 2, 48000, 24};
  std::string wav = Wav(spec, Sine(spec, 0.5, 0.2), Chunk("LIST", std::string(1001, 'x')));
  json whole = Audio(wav);
  json pieces = Audio(wav, 7);  // 7 bytes per Read: headers and 3-byte samples straddle reads
  EXPECT_EQ(whole, pieces);
  EXPECT_EQ(whole["frames"], 9600);
  ExpectHalfScaleSine(whole);
}

TEST(ContentInfoWavTest, StreamingSizePlaceholderMeansToTheEnd) {
  WavSpec spec{1, 1, 48000, 16};
  std::string wav = Wav(spec, Sine(spec, 0.5, 0.5));
  std::memcpy(wav.data() + wav.find("data") + 4, "\xFF\xFF\xFF\xFF", 4);
  json audio = Audio(wav);
  EXPECT_EQ(audio["frames"], 24000);
  EXPECT_FALSE(audio.contains("truncated"));
}

TEST(ContentInfoWavTest, TruncatedDataReportsWhatIsThere) {
  WavSpec spec{1, 2, 48000, 16};
  std::string wav = Wav(spec, Sine(spec, 0.5, 1.0));
  wav.resize(wav.size() - size_t{48000} * 2 + 1);  // half a second gone, and half a sample
  json audio = Audio(wav);
  EXPECT_EQ(audio["truncated"], true);
  EXPECT_EQ(audio["declared_frames"], 48000);
  EXPECT_EQ(audio["frames"], 24000);
  ExpectHalfScaleSine(audio);
}

TEST(ContentInfoWavTest, MalformedHeadersGiveAnAudioErrorNotAFailure) {
  WavSpec spec;
  std::string good = Wav(spec, Sine(spec, 0.5, 0.01));
  std::string short_fmt = "RIFF" + Le(100, 4) + "WAVE" + "fmt " + Le(16, 4) + "abcdef";
  std::string tiny_fmt = "RIFF" + Le(100, 4) + "WAVE" + Chunk("fmt ", "abcd") + Chunk("data", "");
  std::string data_first = "RIFF" + Le(100, 4) + "WAVE" + Chunk("data", "xx") + FmtChunk(spec);
  std::string no_data = "RIFF" + Le(100, 4) + "WAVE" + FmtChunk(spec);
  std::string just_riff = "RIFF" + Le(100, 4) + "WAVE";
  std::string cut_chunk = "RIFF" + Le(100, 4) + "WAVE" + "LI\x01T" + Le(5000, 4) + "xx";
  WavSpec alaw{6, 1, 8000, 8};
  std::string unsupported = Wav(alaw, std::string(800, '\x55'));
  std::string zero_channels = Wav(WavSpec{1, 0, 48000, 16}, "");
  for (const std::string& bytes : {short_fmt, tiny_fmt, data_first, no_data, just_riff, cut_chunk,
                                   unsupported, zero_channels, good.substr(0, 30)}) {
    json result = Predict(InputOver(bytes));
    EXPECT_EQ(result["type"], "audio/wav");
    ASSERT_TRUE(result["audio"].contains("error")) << result.dump();
    EXPECT_NO_THROW(result.dump());
  }
  json audio = Predict(InputOver(unsupported))["audio"];
  EXPECT_EQ(audio["sample_rate"], 8000);
  EXPECT_EQ(audio["channels"], 1);
  EXPECT_EQ(audio["error"], "unsupported WAV encoding (format code 0x0006, 8 bits)");
}

TEST(ContentInfoWavTest, ReadFailureIsARetryableError) {
  WavSpec spec;
  std::string wav = Wav(spec, Sine(spec, 0.5, 1.0));
  ContentInfoPredictor predictor;
  PredictionOutcome outcome = predictor.Predict(FailingInput(wav.substr(0, 100000), wav.size()));
  EXPECT_FALSE(outcome.ok);
  EXPECT_TRUE(outcome.retryable);
  EXPECT_NE(outcome.error.find("disk on fire"), std::string::npos) << outcome.error;
}

}  // namespace
}  // namespace tuskd::predict
