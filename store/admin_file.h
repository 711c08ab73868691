// <data-dir>/admin.json: how tuskctl finds a running tuskd's admin endpoints, as
// {"pid", "admin_url", "token"} and, on an HTTPS server, "tls_pin"; the admin endpoints check
// requests against the token in it. Written with mode 0600 once the listener is bound (the token is
// a credential: whoever may read the data directory may act on it anyway) and removed at a clean
// exit. After a crash it stays behind; tuskctl tells it is stale because the state DB's write lock
// is free (store/rocksdb/writer_lock.h). Not thread-safe; main() owns the one instance.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace tuskd::store {

inline constexpr char kAdminFileName[] = "admin.json";

// What admin.json holds.
struct AdminInfo {
  pid_t pid = 0;
  std::string admin_url;  // "http://127.0.0.1:<port>/admin/" (https:// with --tls-cert)
  std::string token;      // for "Authorization: Bearer <token>"
  // HTTPS only: the server's public key as curl pins it ("sha256//<base64>"). On 127.0.0.1 the
  // certificate's names cannot match, so tuskctl trusts this key instead of a CA.
  std::string tls_pin;
};

// The file in `data_dir`; nullopt when it is absent or unreadable. Says nothing about whether
// that tuskd still runs.
std::optional<AdminInfo> ReadAdminFile(const std::string& data_dir);

// 256 bits from OpenSSL's CSPRNG as 64 hex characters; empty if the CSPRNG fails.
std::string NewAdminToken();
// Where a local client reaches the admin endpoints of a server bound to `host`: a wildcard
// address becomes the matching loopback one, an IPv6 literal gets brackets; https with `tls`.
std::string AdminUrl(const std::string& host, uint16_t port, bool tls);

class AdminFile {
 public:
  // Replaces any stale file atomically (write to a temporary, then rename). nullptr, with
  // *error set, when the file cannot be written.
  static std::unique_ptr<AdminFile> Publish(const std::string& data_dir, const AdminInfo& info,
                                            std::string* error);
  // Replaces the published contents (a reloaded certificate's pin), atomically as Publish does;
  // false, with *error set, when it cannot.
  bool Rewrite(const AdminInfo& info, std::string* error);
  ~AdminFile();  // removes the file
  AdminFile(const AdminFile&) = delete;
  AdminFile& operator=(const AdminFile&) = delete;

 private:
  explicit AdminFile(std::string path) : path_(std::move(path)) {}
  std::string path_;
};

}  // namespace tuskd::store
