// Standard base64 (RFC 4648 section 4, with padding): Upload-Metadata values, Upload-Checksum
// and Repr-Digest digests, the http predictor's headers, the TLS key pin. OpenSSL does the
// coding; what is ours is the strictness a protocol parser needs. Pure functions; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace tuskd {

std::string EncodeBase64(std::string_view bytes);
// nullopt unless `text` is canonical base64: a multiple of 4 characters from the standard
// alphabet, '=' only as the last one or two. No whitespace, no line breaks.
std::optional<std::string> DecodeBase64(std::string_view text);

}  // namespace tuskd
