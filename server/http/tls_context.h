// TLS for client connections (--tls-cert, --tls-key): the process's one OpenSSL SSL_CTX, loaded
// once at start-up and shared read-only by every io thread. TLS 1.2 and later, HTTP/1.1 by ALPN,
// and record buffers released while a connection is idle, so a waiting TLS connection costs
// OpenSSL's session state, not buffers (memory stays flat).
#pragma once

#include <memory>
#include <string>

struct ssl_ctx_st;

namespace tuskd::server {

class TlsContext {
 public:
  // Loads a PEM certificate chain (leaf first) and its PEM private key. nullptr, with *error
  // saying which file and why, when either does not load or they do not match.
  static std::unique_ptr<TlsContext> Load(const std::string& cert_path, const std::string& key_path,
                                          std::string* error);
  ~TlsContext();
  TlsContext(const TlsContext&) = delete;
  TlsContext& operator=(const TlsContext&) = delete;

  ssl_ctx_st* native() const { return ctx_; }
  // "sha256//<base64>" of the certificate's public key: curl's CURLOPT_PINNEDPUBLICKEY form.
  // tuskctl pins it to reach the admin endpoints on 127.0.0.1, where the certificate's names
  // cannot match.
  const std::string& public_key_pin() const { return pin_; }

 private:
  explicit TlsContext(ssl_ctx_st* ctx) : ctx_(ctx) {}
  ssl_ctx_st* ctx_;
  std::string pin_;
};

}  // namespace tuskd::server
