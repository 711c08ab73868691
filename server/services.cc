#include "server/services.h"

#include "base/checksum_verifier.h"

namespace tuskd::server {

protocol::ServerPolicy PolicyFor(const ServerConfig& config) {
  protocol::ServerPolicy policy;
  policy.max_size = config.max_size;
  policy.max_concat_parts = config.max_concat_parts;
  policy.expiration = config.expiration.count() > 0;
  policy.checksum_algorithms = ChecksumVerifier::Supported();
  policy.checksum_trailer = true;
  policy.concatenation = config.concatenation;
  return policy;
}

}  // namespace tuskd::server
