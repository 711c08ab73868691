// The digest of one request body, for tus' checksum extension: Upload-Checksum names one
// algorithm up front; a checksum sent as a trailer (checksum-trailer) is only known at the end,
// so then every offered algorithm runs and the trailer picks one. Not thread-safe.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace tuskd {

class ChecksumVerifier {
 public:
  // The algorithms tuskd offers (Tus-Checksum-Algorithm): sha1, sha256, md5.
  static const std::vector<std::string>& Supported();

  // Hashes with each of `algorithms`; unknown names are ignored (the protocol refused them).
  explicit ChecksumVerifier(const std::vector<std::string>& algorithms);
  ~ChecksumVerifier();
  ChecksumVerifier(const ChecksumVerifier&) = delete;
  ChecksumVerifier& operator=(const ChecksumVerifier&) = delete;

  void Update(std::span<const char> bytes);
  // Whether the body hashed so far has `digest` (raw bytes) under `algorithm`. False for an
  // algorithm not being computed. May be called more than once.
  bool Matches(std::string_view algorithm, std::string_view digest) const;

 private:
  struct Running;
  std::vector<std::unique_ptr<Running>> running_;
};

}  // namespace tuskd
