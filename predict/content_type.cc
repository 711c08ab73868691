#include "predict/content_type.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>

#include "predict/utf8.h"

namespace tuskd::predict {
namespace {

uint8_t At(std::string_view s, size_t i) { return static_cast<uint8_t>(s[i]); }

bool HasAt(std::string_view head, size_t offset, std::string_view magic) {
  return head.size() >= offset + magic.size() && head.substr(offset, magic.size()) == magic;
}

// The length in bytes of the MPEG audio frame whose 4-byte header starts `h`, or nullopt when
// it is not a valid header (reserved version, layer, bitrate or sample rate; free format is
// rejected too, as its length is unknowable here).
std::optional<size_t> MpegFrameLength(std::string_view h) {
  if (h.size() < 4 || At(h, 0) != 0xFF || (At(h, 1) & 0xE0) != 0xE0) return std::nullopt;
  const int version = (At(h, 1) >> 3) & 3;      // 0: MPEG 2.5, 1: reserved, 2: MPEG 2, 3: MPEG 1
  const int layer = 4 - ((At(h, 1) >> 1) & 3);  // 4 means reserved
  const int bitrate_index = At(h, 2) >> 4;
  const int rate_index = (At(h, 2) >> 2) & 3;
  if (version == 1 || layer == 4 || bitrate_index == 0 || bitrate_index == 15 || rate_index == 3) {
    return std::nullopt;
  }
  static constexpr std::array<std::array<int, 15>, 5> kKbps = {{
      {0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448},  // MPEG 1 layer I
      {0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384},     // MPEG 1 layer II
      {0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320},      // MPEG 1 layer III
      {0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256},     // MPEG 2 layer I
      {0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160},          // MPEG 2 II, III
  }};
  static constexpr std::array<int, 3> kMpeg1Rates = {44100, 48000, 32000};
  const bool mpeg1 = version == 3;
  const int kbps = kKbps[mpeg1 ? layer - 1 : (layer == 1 ? 3 : 4)][bitrate_index];
  const int rate = kMpeg1Rates[rate_index] >> (mpeg1 ? 0 : (version == 2 ? 1 : 2));
  const int padding = (At(h, 2) >> 1) & 1;
  if (layer == 1) return (12000 * kbps / rate + padding) * 4;
  const int factor = (layer == 3 && !mpeg1) ? 72000 : 144000;
  return factor * kbps / rate + padding;
}

// One frame header is 11 sync bits plus a few fields, easily matched by chance in binary data,
// so a second header must follow the first frame when the head is long enough to show it.
bool LooksLikeMpegAudio(std::string_view head) {
  std::optional<size_t> length = MpegFrameLength(head);
  if (!length.has_value() || head.size() < *length) return false;
  if (head.size() < *length + 4) return true;  // the file is a single frame
  return MpegFrameLength(head.substr(*length)).has_value();
}

std::string OggType(std::string_view head) {
  // The first page's header is 27 bytes plus its segment table; the first packet follows.
  if (head.size() < 27) return "application/ogg";
  std::string_view packet = head.substr(std::min(head.size(), size_t{27} + At(head, 26)));
  for (std::string_view audio : {"\x01vorbis", "OpusHead", "\177FLAC", "Speex   "}) {
    if (packet.starts_with(audio)) return "audio/ogg";
  }
  if (packet.starts_with("\x80theora")) return "video/ogg";
  return "application/ogg";
}

std::string IsoMediaType(std::string_view brand) {
  if (brand == "qt  ") return "video/quicktime";
  if (brand == "M4A " || brand == "M4B " || brand == "M4P ") return "audio/mp4";
  if (brand == "heic" || brand == "heix") return "image/heic";
  if (brand == "mif1") return "image/heif";
  if (brand == "avif" || brand == "avis") return "image/avif";
  return "video/mp4";
}

// Text: valid UTF-8 (ASCII included) with no NUL and no control characters other than the
// whitespace ones and ESC (for coloured logs). A sequence cut by the end of a full-length head
// is forgiven. Latin-1 and UTF-16 text come out as octet-stream: a deliberate simplification.
bool LooksLikeText(std::string_view head) {
  if (head.empty()) return false;
  for (char c : head) {
    const auto b = static_cast<uint8_t>(c);
    if ((b < 0x20 && b != '\t' && b != '\n' && b != '\r' && b != '\f' && b != '\v' && b != 0x1B) ||
        b == 0x7F) {
      return false;
    }
  }
  const size_t valid = ValidUtf8Prefix(head);
  if (valid == head.size()) return true;
  return head.size() >= kSniffBytes && head.size() - valid < 4 && At(head, valid) >= 0xC2;
}

}  // namespace

std::string DetectContentType(std::string_view head) {
  struct Magic {
    size_t offset;
    std::string_view bytes;
    const char* type;
  };
  static constexpr Magic kMagics[] = {
      {0, "\x89PNG\r\n\x1a\n", "image/png"},
      {0, "\xFF\xD8\xFF", "image/jpeg"},
      {0, "GIF87a", "image/gif"},
      {0, "GIF89a", "image/gif"},
      {0, "%PDF-", "application/pdf"},
      {0, "PK\x03\x04", "application/zip"},
      {0, "PK\x05\x06", "application/zip"},  // empty archive
      {0, "\x1F\x8B", "application/gzip"},
      {0, "\x28\xB5\x2F\xFD", "application/zstd"},
      {0, "fLaC", "audio/flac"},
      {0, "ID3", "audio/mpeg"},
  };
  for (const Magic& magic : kMagics) {
    if (HasAt(head, magic.offset, magic.bytes)) return magic.type;
  }
  if (HasAt(head, 0, "RIFF") && HasAt(head, 8, "WEBP")) return "image/webp";
  if ((HasAt(head, 0, "RIFF") || HasAt(head, 0, "RF64") || HasAt(head, 0, "BW64")) &&
      HasAt(head, 8, "WAVE")) {
    return "audio/wav";
  }
  if (HasAt(head, 0, "OggS")) return OggType(head);
  if (HasAt(head, 4, "ftyp") && head.size() >= 12) return IsoMediaType(head.substr(8, 4));
  if (LooksLikeMpegAudio(head)) return "audio/mpeg";
  if (LooksLikeText(head)) return "text/plain";
  return "application/octet-stream";
}

}  // namespace tuskd::predict
