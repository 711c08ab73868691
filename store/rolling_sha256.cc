#include "store/rolling_sha256.h"

#include <openssl/sha.h>

#include <cstring>

#include "base/hex.h"

// SHA256_Init/Update/Final and SHA256_CTX are deprecated in OpenSSL 3 but are the only way to
// get at a digest state that can be saved and restored (docs/architecture.md, "Facts that shaped
// the design"). This is the one file allowed to use them.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"

namespace tuskd::store {
namespace {

static_assert(sizeof(SHA256_CTX) == 112, "SHA256_CTX layout changed: bump the state format");

constexpr char kMagic[4] = {'T', 'S', 'H', '2'};
constexpr uint32_t kFormatVersion = 1;
constexpr uint32_t kAlgorithmSha256 = 1;
constexpr uint32_t kStateSize = sizeof(SHA256_CTX);
constexpr size_t kHeaderSize = 4 + 4 + 4 + 4 + 8;
constexpr size_t kBlobSize = kHeaderSize + kStateSize;

// The context lives as raw bytes (so the header needs no OpenSSL); it is copied into a real
// SHA256_CTX object for every call rather than type-punned, which would be undefined behaviour.
SHA256_CTX Load(const std::array<unsigned char, 112>& raw) {
  SHA256_CTX ctx;
  std::memcpy(&ctx, raw.data(), sizeof(ctx));
  return ctx;
}

void StoreCtx(const SHA256_CTX& ctx, std::array<unsigned char, 112>* raw) {
  std::memcpy(raw->data(), &ctx, sizeof(ctx));
}

uint64_t BytesHashed(const SHA256_CTX& ctx) {
  // Nh:Nl is the message length in bits.
  return ((static_cast<uint64_t>(ctx.Nh) << 32) | ctx.Nl) / 8;
}

template <typename T>
void PutLittleEndian(T value, std::string* out) {
  for (size_t i = 0; i < sizeof(T); ++i) out->push_back(static_cast<char>(value >> (8 * i)));
}

template <typename T>
T GetLittleEndian(std::string_view bytes) {
  T value = 0;
  for (size_t i = 0; i < sizeof(T); ++i) {
    value |= static_cast<T>(static_cast<unsigned char>(bytes[i])) << (8 * i);
  }
  return value;
}

}  // namespace

RollingSha256::RollingSha256() {
  SHA256_CTX ctx;
  SHA256_Init(&ctx);
  StoreCtx(ctx, &ctx_);
}

void RollingSha256::Update(std::span<const char> bytes) {
  SHA256_CTX ctx = Load(ctx_);
  SHA256_Update(&ctx, bytes.data(), bytes.size());
  StoreCtx(ctx, &ctx_);
}

uint64_t RollingSha256::bytes_hashed() const { return BytesHashed(Load(ctx_)); }

std::array<unsigned char, 32> RollingSha256::Digest() const {
  SHA256_CTX copy = Load(ctx_);  // SHA256_Final consumes the context; the running one stays
  std::array<unsigned char, 32> digest;
  SHA256_Final(digest.data(), &copy);
  return digest;
}

std::string RollingSha256::HexDigest() const { return ToHex(Digest()); }

std::string RollingSha256::Serialize() const {
  // The raw state is in host byte order: blobs are read back by the same build on the same
  // machine (the data dir is not portable across architectures).
  std::string blob(kMagic, sizeof(kMagic));
  blob.reserve(kBlobSize);
  PutLittleEndian(kFormatVersion, &blob);
  PutLittleEndian(kAlgorithmSha256, &blob);
  PutLittleEndian(kStateSize, &blob);
  PutLittleEndian(bytes_hashed(), &blob);
  blob.append(reinterpret_cast<const char*>(ctx_.data()), ctx_.size());
  return blob;
}

Status RollingSha256::Deserialize(std::string_view blob, uint64_t expected_offset,
                                  RollingSha256* out) {
  auto corrupt = [](const std::string& why) { return Status::Corruption("hash state: " + why); };
  if (blob.size() < kHeaderSize)
    return corrupt("blob too short (" + std::to_string(blob.size()) + " bytes)");
  if (blob.substr(0, 4) != std::string_view(kMagic, 4)) return corrupt("bad magic");
  uint32_t version = GetLittleEndian<uint32_t>(blob.substr(4));
  if (version != kFormatVersion)
    return corrupt("unknown format version " + std::to_string(version));
  uint32_t algorithm = GetLittleEndian<uint32_t>(blob.substr(8));
  if (algorithm != kAlgorithmSha256)
    return corrupt("unknown algorithm " + std::to_string(algorithm));
  uint32_t state_size = GetLittleEndian<uint32_t>(blob.substr(12));
  if (state_size != kStateSize)
    return corrupt("state size " + std::to_string(state_size) + ", expected 112");
  if (blob.size() != kBlobSize)
    return corrupt("blob is " + std::to_string(blob.size()) + " bytes, expected " +
                   std::to_string(kBlobSize));
  uint64_t bytes = GetLittleEndian<uint64_t>(blob.substr(16));
  if (bytes != expected_offset) {
    return corrupt("covers " + std::to_string(bytes) + " bytes but the committed offset is " +
                   std::to_string(expected_offset));
  }
  SHA256_CTX ctx;
  std::memcpy(&ctx, blob.data() + kHeaderSize, sizeof(ctx));
  // The envelope could be intact around a damaged state; these fields are cheap to check.
  if (BytesHashed(ctx) != bytes || ctx.num >= SHA256_CBLOCK || ctx.md_len != SHA256_DIGEST_LENGTH) {
    return corrupt("raw state disagrees with its envelope");
  }
  StoreCtx(ctx, &out->ctx_);
  return Status::Ok();
}

}  // namespace tuskd::store

#pragma GCC diagnostic pop
