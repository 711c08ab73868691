// A throwaway self-signed certificate for TLS tests: an EC P-256 key and a certificate for
// localhost and 127.0.0.1, valid for a day, written as PEM files. Made with OpenSSL's API so the
// tests need no openssl program. Header-only: server and tuskctl tests both use it.
#pragma once

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <memory>
#include <string>

namespace tuskd::testing {

struct TestCertificate {
  std::string cert_path;  // PEM certificate (also the CA file a client trusts)
  std::string key_path;   // PEM private key
};

namespace detail {

inline bool AddExtension(X509* cert, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  bool ok = ext != nullptr && X509_add_ext(cert, ext, -1) == 1;
  X509_EXTENSION_free(ext);
  return ok;
}

inline bool WritePem(const std::string& path, bool key, EVP_PKEY* pkey, X509* cert) {
  std::unique_ptr<FILE, int (*)(FILE*)> file(std::fopen(path.c_str(), "w"), std::fclose);
  if (!file) return false;
  if (key) return PEM_write_PrivateKey(file.get(), pkey, nullptr, nullptr, 0, nullptr, nullptr);
  return PEM_write_X509(file.get(), cert) == 1;
}

}  // namespace detail

// Writes "<prefix>cert.pem" and "<prefix>key.pem" in `dir`; false when anything fails.
inline bool MakeTestCertificate(const std::string& dir, const std::string& prefix,
                                TestCertificate* out) {
  std::unique_ptr<EVP_PKEY, void (*)(EVP_PKEY*)> key(EVP_EC_gen("P-256"), EVP_PKEY_free);
  std::unique_ptr<X509, void (*)(X509*)> cert(X509_new(), X509_free);
  if (!key || !cert) return false;
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -60);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 24L * 3600);
  X509_set_pubkey(cert.get(), key.get());
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("localhost"), -1, -1, 0);
  X509_set_issuer_name(cert.get(), name);
  // What `openssl req -x509` makes: its own CA, so a client can trust it directly.
  if (!detail::AddExtension(cert.get(), NID_basic_constraints, "critical,CA:TRUE") ||
      !detail::AddExtension(cert.get(), NID_subject_key_identifier, "hash") ||
      !detail::AddExtension(cert.get(), NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1") ||
      X509_sign(cert.get(), key.get(), EVP_sha256()) == 0) {
    return false;
  }
  out->cert_path = dir + "/" + prefix + "cert.pem";
  out->key_path = dir + "/" + prefix + "key.pem";
  return detail::WritePem(out->cert_path, false, nullptr, cert.get()) &&
         detail::WritePem(out->key_path, true, key.get(), nullptr);
}

}  // namespace tuskd::testing
