#include "predict/content_info_predictor.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <numbers>
#include <string>
#include <vector>

#ifdef TUSKD_HAVE_FLAC
#include <FLAC/stream_encoder.h>
#endif

#include "tests/predict/predictor_test_util.h"

namespace tuskd::predict {
namespace {

using namespace std::string_literals;
using nlohmann::json;
using predictor_testing::FailingInput;
using predictor_testing::InputOver;

// ---- building WAV files ----

std::string Le(uint64_t value, int bytes) {
  std::string out;
  for (int i = 0; i < bytes; ++i) out += static_cast<char>((value >> (8 * i)) & 0xFF);
  return out;
}

std::string Chunk(const std::string& id, const std::string& body) {
  return id + Le(body.size(), 4) + body + (body.size() % 2 ? std::string(1, '\0') : "");
}

struct WavSpec {
  uint16_t code = 1;  // 1 PCM, 3 IEEE float
  uint16_t channels = 2;
  uint32_t rate = 48000;
  uint16_t bits = 16;
  bool extensible = false;
};

std::string FmtChunk(const WavSpec& s) {
  const uint16_t block = s.channels * s.bits / 8;
  std::string body = Le(s.extensible ? 0xFFFE : s.code, 2) + Le(s.channels, 2) + Le(s.rate, 4) +
                     Le(s.rate * block, 4) + Le(block, 2) + Le(s.bits, 2);
  if (s.extensible) {
    body += Le(22, 2) + Le(s.bits, 2) + Le(0x3, 4) + Le(s.code, 4) +
            std::string("\x00\x00\x10\x00\x80\x00\x00\xAA\x00\x38\x9B\x71", 12);
  }
  return Chunk("fmt ", body);
}

std::string Wav(const WavSpec& s, const std::string& samples, const std::string& before = "") {
  std::string chunks = FmtChunk(s) + before + Chunk("data", samples);
  return "RIFF" + Le(4 + chunks.size(), 4) + "WAVE" + chunks;
}

std::string EncodeSample(const WavSpec& s, double x) {
  auto scaled = [&](double full_scale, double lo, double hi) {
    return static_cast<int64_t>(std::clamp(std::round(x * full_scale), lo, hi));
  };
  if (s.code == 3 && s.bits == 32) {
    uint32_t bits;
    float f = static_cast<float>(x);
    std::memcpy(&bits, &f, 4);
    return Le(bits, 4);
  }
  if (s.code == 3) {
    uint64_t bits;
    std::memcpy(&bits, &x, 8);
    return Le(bits, 8);
  }
  switch (s.bits) {
    case 8:
      return Le(128 + scaled(128, -128, 127), 1);
    case 16:
      return Le(scaled(32768, -32768, 32767), 2);
    case 24:
      return Le(scaled(8388608, -8388608, 8388607), 3);
    default:
      return Le(scaled(2147483648.0, -2147483648.0, 2147483647.0), 4);
  }
}

// A 1 kHz sine of peak `amplitude` (full scale 1.0) on every channel. At 48 kHz there are 48
// samples per period, one exactly on each crest, so the peak is exact and the RMS is
// amplitude / sqrt(2) over whole periods.
std::string Sine(const WavSpec& s, double amplitude, double seconds) {
  std::string out;
  const auto frames = static_cast<size_t>(s.rate * seconds);
  for (size_t n = 0; n < frames; ++n) {
    double x = amplitude * std::sin(2 * std::numbers::pi * 1000 * n / s.rate);
    for (int c = 0; c < s.channels; ++c) out += EncodeSample(s, x);
  }
  return out;
}

json Predict(const PredictionInput& input) {
  ContentInfoPredictor predictor;
  PredictionOutcome outcome = predictor.Predict(input);
  EXPECT_TRUE(outcome.ok) << outcome.error;
  return outcome.result;
}

json Audio(const std::string& bytes, size_t max_chunk = 0) {
  json result = Predict(InputOver(bytes, max_chunk));
  EXPECT_TRUE(result.contains("audio")) << result.dump();
  return result.value("audio", json());
}

// -6.02 dBFS peak and -9.03 dBFS RMS: a sine at half of full scale. 8-bit samples carry enough
// quantisation noise to move the RMS by 0.02 dB, hence `rms_tolerance`.
void ExpectHalfScaleSine(const json& audio, double rms_tolerance = 0.011) {
  EXPECT_NEAR(audio.value("peak_dbfs", 0.0), -6.02, 0.011) << audio.dump();
  EXPECT_NEAR(audio.value("rms_dbfs", 0.0), -9.03, rms_tolerance) << audio.dump();
}

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
  json audio = Audio(Wav(spec, std::string(44100 * 2 * 3, '\0')));
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
  wav.resize(wav.size() - 48000 * 2 + 1);  // half a second gone, and half a sample
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

// ---- FLAC ----

// "fLaC" and a STREAMINFO block only, laid out by hand from https://xiph.org/flac/format.html.
std::string FlacHeader(uint32_t rate, uint32_t channels, uint32_t bits, uint64_t total) {
  std::string out = "fLaC";
  out += std::string("\x80\x00\x00\x22", 4);  // last metadata block, STREAMINFO, 34 bytes
  out += std::string("\x10\x00\x10\x00", 4);  // min and max block size 4096
  out += std::string(6, '\0');                // min and max frame size unknown
  const uint64_t packed = (static_cast<uint64_t>(rate) << 44) |
                          (static_cast<uint64_t>(channels - 1) << 41) |
                          (static_cast<uint64_t>(bits - 1) << 36) | total;
  for (int shift = 56; shift >= 0; shift -= 8) out += static_cast<char>((packed >> shift) & 0xFF);
  out += std::string(16, '\0');  // MD5 unknown
  return out;
}

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

// ---- detection by magic bytes ----

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
      {OggPage("\x01vorbis\0\0\0\0"), "audio/ogg"},
      {OggPage("OpusHead\x01\x02"), "audio/ogg"},
      {OggPage("\x80theora\x03\x02"), "video/ogg"},
      {OggPage("something"), "application/ogg"},
      {std::string("\0\0\0\x18", 4) + "ftypisom\0\0\x02\0", "video/mp4"},
      {std::string("\0\0\0\x14", 4) + "ftypqt  \0\0\x02\0", "video/quicktime"},
      {std::string("\0\0\0\x1c", 4) + "ftypM4A \0\0\0\0", "audio/mp4"},
      {std::string("\0\0\0\x18", 4) + "ftypheic\0\0\0\0", "image/heic"},
      {std::string("\0\0\0\x1c", 4) + "ftypavif\0\0\0\0", "image/avif"},
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

TEST(ContentInfoPredictorTest, NullOpenerIsARetryableError) {
  PredictionInput input = InputOver("x");
  input.open = [] { return std::unique_ptr<ByteSource>(); };
  ContentInfoPredictor predictor;
  PredictionOutcome outcome = predictor.Predict(input);
  EXPECT_FALSE(outcome.ok);
  EXPECT_TRUE(outcome.retryable);
}

}  // namespace
}  // namespace tuskd::predict
