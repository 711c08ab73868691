#include "predict/utf8.h"

namespace tuskd::predict {
namespace {

// The length of the valid UTF-8 sequence starting at bytes[0], or 0 if it is invalid or cut
// short. Ranges from RFC 3629 section 4, which excludes overlongs and surrogates.
size_t Utf8SequenceLength(std::string_view bytes) {
  const auto b = [&](size_t i) { return static_cast<unsigned char>(bytes[i]); };
  const unsigned char lead = b(0);
  if (lead < 0x80) return 1;
  size_t length;
  unsigned char low = 0x80, high = 0xBF;  // allowed range of the second byte
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0) low = 0xA0;
    if (lead == 0xED) high = 0x9F;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0) low = 0x90;
    if (lead == 0xF4) high = 0x8F;
  } else {
    return 0;
  }
  if (bytes.size() < length || b(1) < low || b(1) > high) return 0;
  for (size_t i = 2; i < length; ++i) {
    if (b(i) < 0x80 || b(i) > 0xBF) return 0;
  }
  return length;
}

}  // namespace

size_t ValidUtf8Prefix(std::string_view bytes) {
  size_t pos = 0;
  while (pos < bytes.size()) {
    size_t length = Utf8SequenceLength(bytes.substr(pos));
    if (length == 0) break;
    pos += length;
  }
  return pos;
}

std::string ToValidUtf8(std::string_view bytes) {
  size_t valid = ValidUtf8Prefix(bytes);
  if (valid == bytes.size()) return std::string(bytes);
  std::string out;
  out.reserve(bytes.size() + 8);
  while (!bytes.empty()) {
    out.append(bytes.substr(0, valid));
    bytes.remove_prefix(valid);
    if (bytes.empty()) break;
    out.append("\xEF\xBF\xBD");  // U+FFFD for one invalid byte
    bytes.remove_prefix(1);
    valid = ValidUtf8Prefix(bytes);
  }
  return out;
}

}  // namespace tuskd::predict
