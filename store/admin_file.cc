#include "store/admin_file.h"

#include <fcntl.h>
#include <openssl/rand.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>

#include <nlohmann/json.hpp>

#include "base/hex.h"

namespace tuskd::store {

std::string NewAdminToken() {
  unsigned char random[32];
  if (RAND_bytes(random, sizeof(random)) != 1) return {};
  return ToHex(random);
}

std::string AdminUrl(const std::string& host, uint16_t port, bool tls) {
  std::string local = host;
  if (host.empty() || host == "0.0.0.0") local = "127.0.0.1";
  if (host == "::" || host == "[::]") local = "::1";
  if (local.find(':') != std::string::npos && local.front() != '[') local = "[" + local + "]";
  return (tls ? "https://" : "http://") + local + ":" + std::to_string(port) + "/admin/";
}

namespace {

// Writes `info` to `path` through a temporary and a rename, so a reader sees the old contents
// or the new, never a part.
bool WriteAtomically(const std::string& path, const AdminInfo& info, std::string* error) {
  const std::string temp = path + ".tmp";
  nlohmann::json json{{"pid", info.pid}, {"admin_url", info.admin_url}, {"token", info.token}};
  if (!info.tls_pin.empty()) json["tls_pin"] = info.tls_pin;
  const std::string body = json.dump() + "\n";
  // O_EXCL after an unlink: a leftover temporary must not lend us its (wider) permissions.
  ::unlink(temp.c_str());
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  bool ok = fd >= 0 && ::write(fd, body.data(), body.size()) == static_cast<ssize_t>(body.size());
  int err = errno;
  if (fd >= 0) ::close(fd);
  if (ok && ::rename(temp.c_str(), path.c_str()) != 0) {
    ok = false;
    err = errno;
  }
  if (!ok) {
    ::unlink(temp.c_str());
    *error = "cannot write " + path + ": " + std::strerror(err);
  }
  return ok;
}

}  // namespace

std::unique_ptr<AdminFile> AdminFile::Publish(const std::string& data_dir, const AdminInfo& info,
                                              std::string* error) {
  const std::string path = data_dir + "/" + kAdminFileName;
  if (!WriteAtomically(path, info, error)) return nullptr;
  return std::unique_ptr<AdminFile>(new AdminFile(path));
}

bool AdminFile::Rewrite(const AdminInfo& info, std::string* error) {
  return WriteAtomically(path_, info, error);
}

AdminFile::~AdminFile() { ::unlink(path_.c_str()); }

std::optional<AdminInfo> ReadAdminFile(const std::string& data_dir) {
  std::ifstream in(data_dir + "/" + kAdminFileName);
  if (!in) return std::nullopt;
  nlohmann::json parsed = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (!parsed.is_object()) return std::nullopt;
  auto pid = parsed.find("pid");
  auto url = parsed.find("admin_url");
  auto token = parsed.find("token");
  if (pid == parsed.end() || !pid->is_number_integer() || url == parsed.end() ||
      !url->is_string() || token == parsed.end() || !token->is_string()) {
    return std::nullopt;
  }
  AdminInfo info{pid->get<pid_t>(), url->get<std::string>(), token->get<std::string>(), ""};
  if (auto pin = parsed.find("tls_pin"); pin != parsed.end() && pin->is_string()) {
    info.tls_pin = pin->get<std::string>();
  }
  return info;
}

}  // namespace tuskd::store
