#include "compress/compression_choice.h"

#include <algorithm>
#include <array>
#include <cctype>

namespace tuskd::compress {
namespace {

std::string Lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

bool StartsWith(std::span<const char> head, std::string_view magic, size_t at = 0) {
  return head.size() >= at + magic.size() &&
         std::string_view(head.data() + at, magic.size()) == magic;
}

}  // namespace

std::optional<CompressionMode> CompressionModeFromString(std::string_view text) {
  if (text == "none") return CompressionMode::kNone;
  if (text == "zstd") return CompressionMode::kZstd;
  if (text == "auto") return CompressionMode::kAuto;
  return std::nullopt;
}

bool IsIncompressibleMediaType(std::string_view media_type) {
  std::string type = Lower(media_type.substr(0, media_type.find(';')));
  type.erase(type.find_last_not_of(" \t") + 1);
  type.erase(0, type.find_first_not_of(" \t"));
  if (type.starts_with("video/")) return true;
  // OOXML documents (docx, xlsx, pptx) are zip archives.
  if (type.starts_with("application/vnd.openxmlformats-officedocument.")) return true;
  // clang-format off
  static constexpr std::array<std::string_view, 36> kCompressed = {
      "image/jpeg", "image/jpg", "image/png", "image/gif", "image/webp", "image/avif",
      "image/heic", "image/heif", "image/jxl", "audio/flac", "audio/x-flac", "audio/mpeg",
      "audio/mp3", "audio/mp4", "audio/m4a", "audio/x-m4a", "audio/aac", "audio/ogg",
      "audio/opus", "audio/webm", "application/zip", "application/x-zip-compressed",
      "application/gzip", "application/x-gzip", "application/zstd", "application/x-zstd",
      "application/x-xz", "application/x-bzip2", "application/x-7z-compressed",
      "application/vnd.rar", "application/x-rar-compressed", "application/java-archive",
      "application/x-lz4", "application/x-brotli", "application/epub+zip",
      "application/vnd.android.package-archive"};
  // clang-format on
  return std::find(kCompressed.begin(), kCompressed.end(), type) != kCompressed.end();
}

bool HasIncompressibleMagic(std::span<const char> head) {
  // clang-format off
  static constexpr std::array<std::string_view, 17> kMagic = {
      std::string_view("\xFF\xD8\xFF", 3),              // JPEG
      std::string_view("\x89PNG\r\n\x1A\n", 8),         // PNG
      "GIF87a", "GIF89a",                               // GIF
      "fLaC",                                           // FLAC
      "ID3",                                            // MP3 with an ID3v2 tag
      "OggS",                                           // Ogg (Vorbis, Opus, FLAC)
      std::string_view("\x1A\x45\xDF\xA3", 4),          // Matroska, WebM
      std::string_view("PK\x03\x04", 4),                // zip (and jar, docx, apk, epub)
      std::string_view("\x1F\x8B", 2),                  // gzip
      std::string_view("\x28\xB5\x2F\xFD", 4),          // zstd
      std::string_view("\xFD\x37zXZ\x00", 6),            // xz
      "BZh",                                            // bzip2
      std::string_view("7z\xBC\xAF\x27\x1C", 6),        // 7z
      std::string_view("Rar!\x1A\x07", 6),              // rar
      std::string_view("\x04\x22\x4D\x18", 4),          // lz4 frame
      std::string_view("\x00\x00\x00\x0CjP  ", 8),      // JPEG 2000
  };
  // clang-format on
  for (std::string_view magic : kMagic) {
    if (StartsWith(head, magic)) return true;
  }
  if (StartsWith(head, "RIFF") && StartsWith(head, "WEBP", 8)) return true;
  if (StartsWith(head, "ftyp", 4)) return true;  // MP4, MOV, M4A, HEIC, AVIF
  // An MPEG audio frame without a tag: 11 sync bits, then MP3's layer bits or AAC's ADTS
  // header. FF FE is a UTF-16 byte-order mark (text), not audio.
  if (head.size() < 2 || static_cast<unsigned char>(head[0]) != 0xFF) return false;
  const auto second = static_cast<unsigned char>(head[1]);
  if (second == 0xFE) return false;
  return ((second & 0xE0) == 0xE0 && (second & 0x06) != 0) || (second & 0xF6) == 0xF0;
}

std::string DeclaredMediaType(const std::vector<std::pair<std::string, std::string>>& metadata) {
  for (std::string_view key : {"filetype", "type"}) {
    for (const auto& [name, value] : metadata) {
      if (name == key && !value.empty()) return value;
    }
  }
  return "";
}

}  // namespace tuskd::compress
