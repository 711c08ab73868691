#include "base/checksum_verifier.h"

#include <openssl/evp.h>

#include <cstring>

namespace tuskd {

struct ChecksumVerifier::Running {
  std::string algorithm;
  EVP_MD_CTX* ctx = nullptr;
  ~Running() { EVP_MD_CTX_free(ctx); }
};

namespace {

const EVP_MD* DigestFor(std::string_view algorithm) {
  if (algorithm == "sha1") return EVP_sha1();
  if (algorithm == "sha256") return EVP_sha256();
  if (algorithm == "md5") return EVP_md5();
  return nullptr;
}

}  // namespace

const std::vector<std::string>& ChecksumVerifier::Supported() {
  static const std::vector<std::string> kSupported = {"sha1", "sha256", "md5"};
  return kSupported;
}

ChecksumVerifier::ChecksumVerifier(const std::vector<std::string>& algorithms) {
  for (const auto& name : algorithms) {
    const EVP_MD* md = DigestFor(name);
    if (!md) continue;
    auto running = std::make_unique<Running>();
    running->algorithm = name;
    running->ctx = EVP_MD_CTX_new();
    if (!running->ctx || EVP_DigestInit_ex(running->ctx, md, nullptr) != 1) continue;
    running_.push_back(std::move(running));
  }
}

ChecksumVerifier::~ChecksumVerifier() = default;

void ChecksumVerifier::Update(std::span<const char> bytes) {
  for (auto& running : running_) EVP_DigestUpdate(running->ctx, bytes.data(), bytes.size());
}

bool ChecksumVerifier::Matches(std::string_view algorithm, std::string_view digest) const {
  for (const auto& running : running_) {
    if (running->algorithm != algorithm) continue;
    // Finish a copy so the running state stays usable.
    EVP_MD_CTX* copy = EVP_MD_CTX_new();
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int size = 0;
    bool ok = copy && EVP_MD_CTX_copy_ex(copy, running->ctx) == 1 &&
              EVP_DigestFinal_ex(copy, out, &size) == 1;
    EVP_MD_CTX_free(copy);
    return ok && size == digest.size() && std::memcmp(out, digest.data(), size) == 0;
  }
  return false;
}

}  // namespace tuskd
