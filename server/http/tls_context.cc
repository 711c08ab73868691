#include "server/http/tls_context.h"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509err.h>

#include <cstring>
#include <vector>

#include "base/base64.h"

namespace tuskd::server {
namespace {

// Every reason on OpenSSL's queue, oldest (the cause) first, and clears the queue: "No such file
// or directory (system lib)", "unsupported, no start line (PEM lib)"...
std::string OpenSslReason() {
  std::string text;
  while (unsigned long code = ERR_get_error()) {
    std::string reason;
    if (ERR_SYSTEM_ERROR(code)) {
      reason = std::strerror(ERR_GET_REASON(code));
    } else if (const char* known = ERR_reason_error_string(code)) {
      reason = known;
    } else {
      reason = "OpenSSL error " + std::to_string(code);
    }
    if (text.find(reason) == std::string::npos) text += (text.empty() ? "" : ", ") + reason;
  }
  return text.empty() ? "unknown OpenSSL error" : text;
}

// Offers HTTP/1.1 to clients that negotiate a protocol; one that offers only h2 gets no ALPN
// answer and may fall back or leave (tuskd speaks HTTP/1.1 only).
int SelectHttp11(SSL*, const unsigned char** out, unsigned char* outlen, const unsigned char* in,
                 unsigned int inlen, void*) {
  static const unsigned char kHttp11[] = {8, 'h', 't', 't', 'p', '/', '1', '.', '1'};
  unsigned char* selected = nullptr;
  if (SSL_select_next_proto(&selected, outlen, kHttp11, sizeof kHttp11, in, inlen) !=
      OPENSSL_NPN_NEGOTIATED) {
    return SSL_TLSEXT_ERR_NOACK;
  }
  *out = selected;
  return SSL_TLSEXT_ERR_OK;
}

std::string PublicKeyPin(SSL_CTX* ctx) {
  X509* cert = SSL_CTX_get0_certificate(ctx);
  EVP_PKEY* key = cert ? X509_get0_pubkey(cert) : nullptr;
  int size = key ? i2d_PUBKEY(key, nullptr) : 0;
  if (size <= 0) return "";
  std::vector<unsigned char> der(static_cast<size_t>(size));
  unsigned char* at = der.data();
  i2d_PUBKEY(key, &at);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int digest_size = 0;
  if (!EVP_Digest(der.data(), der.size(), digest, &digest_size, EVP_sha256(), nullptr)) return "";
  return "sha256//" + EncodeBase64({reinterpret_cast<const char*>(digest), digest_size});
}

}  // namespace

std::unique_ptr<TlsContext> TlsContext::Load(const std::string& cert_path,
                                             const std::string& key_path, std::string* error) {
  ERR_clear_error();
  SSL_CTX* ctx = SSL_CTX_new(TLS_server_method());
  if (!ctx) {
    *error = "cannot create a TLS context: " + OpenSslReason();
    return nullptr;
  }
  std::unique_ptr<TlsContext> tls(new TlsContext(ctx));
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  // Partial and moving writes: a write that would block is retried later from a buffer that may
  // have been refilled elsewhere (the io thread's piece buffer). Released buffers: idle
  // connections hold none. Unexpected EOF: a client that vanishes without close_notify is a
  // client that left, as on plain TCP.
  SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER |
                            SSL_MODE_RELEASE_BUFFERS);
  SSL_CTX_set_options(ctx, SSL_OP_IGNORE_UNEXPECTED_EOF | SSL_OP_NO_RENEGOTIATION);
  // Read ahead: one read() fills OpenSSL's record buffer (a record and the start of the next)
  // instead of one for a record's header and one for its body; the buffer (default size, about
  // 17 KiB) is still released when a connection goes idle.
  SSL_CTX_set_read_ahead(ctx, 1);
  SSL_CTX_set_alpn_select_cb(ctx, SelectHttp11, nullptr);
  if (SSL_CTX_use_certificate_chain_file(ctx, cert_path.c_str()) != 1) {
    *error = "--tls-cert " + cert_path + ": " + OpenSslReason();
    return nullptr;
  }
  // Loading the key also checks it against the certificate.
  if (SSL_CTX_use_PrivateKey_file(ctx, key_path.c_str(), SSL_FILETYPE_PEM) != 1 ||
      SSL_CTX_check_private_key(ctx) != 1) {
    if (ERR_GET_REASON(ERR_peek_last_error()) != X509_R_KEY_VALUES_MISMATCH) {
      *error = "--tls-key " + key_path + ": " + OpenSslReason();
      return nullptr;
    }
    *error = "--tls-key " + key_path + " does not belong to --tls-cert " + cert_path + ": " +
             OpenSslReason();
    return nullptr;
  }
  tls->pin_ = PublicKeyPin(ctx);
  return tls;
}

TlsContext::~TlsContext() { SSL_CTX_free(ctx_); }

}  // namespace tuskd::server
