#include "base/base64.h"

#include <openssl/evp.h>

#include <algorithm>

namespace tuskd {
namespace {

bool InAlphabet(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
         c == '/';
}

// The padding length of canonical base64, or -1. EVP_DecodeBlock is lenient (it skips
// surrounding whitespace and cannot say how much padding it saw), so the text is checked first.
int CanonicalPadding(std::string_view text) {
  if (text.size() % 4 != 0) return -1;
  int padding = 0;
  if (!text.empty() && text.back() == '=') padding = text[text.size() - 2] == '=' ? 2 : 1;
  std::string_view body = text.substr(0, text.size() - padding);
  return std::all_of(body.begin(), body.end(), InAlphabet) ? padding : -1;
}

}  // namespace

std::string EncodeBase64(std::string_view bytes) {
  std::string text(4 * ((bytes.size() + 2) / 3) + 1, '\0');  // + the NUL EVP_EncodeBlock adds
  int written = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(text.data()),
                                reinterpret_cast<const unsigned char*>(bytes.data()),
                                static_cast<int>(bytes.size()));
  text.resize(static_cast<size_t>(std::max(written, 0)));
  return text;
}

std::optional<std::string> DecodeBase64(std::string_view text) {
  int padding = CanonicalPadding(text);
  if (padding < 0) return std::nullopt;
  std::string bytes(text.size() / 4 * 3, '\0');
  if (text.empty()) return bytes;
  int decoded = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(bytes.data()),
                                reinterpret_cast<const unsigned char*>(text.data()),
                                static_cast<int>(text.size()));
  if (decoded < padding) return std::nullopt;
  bytes.resize(static_cast<size_t>(decoded - padding));  // EVP counts the padding as zero bytes
  return bytes;
}

}  // namespace tuskd
