#include "server/http/request_target.h"

#include <cctype>

namespace tuskd::server {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::string_view Unquote(std::string_view s) {
  if (s.size() >= 2 && s.front() == '"' && s.back() == '"') return s.substr(1, s.size() - 2);
  return s;
}

// A host (with optional port) safe to echo into a header: no spaces, slashes or control bytes.
bool IsSafeHost(std::string_view host) {
  if (host.empty() || host.size() > 255) return false;
  for (unsigned char c : host) {
    if (!(std::isalnum(c) || c == '.' || c == '-' || c == ':' || c == '[' || c == ']' || c == '_'))
      return false;
  }
  return true;
}

// The first element's parameter `name` in a Forwarded header (RFC 7239).
std::string_view ForwardedParam(std::string_view forwarded, std::string_view name) {
  forwarded = forwarded.substr(0, forwarded.find(','));
  while (!forwarded.empty()) {
    size_t semi = forwarded.find(';');
    std::string_view pair = Trim(forwarded.substr(0, semi));
    size_t eq = pair.find('=');
    if (eq != std::string_view::npos && protocol::EqualsIgnoreCase(Trim(pair.substr(0, eq)), name))
      return Unquote(Trim(pair.substr(eq + 1)));
    if (semi == std::string_view::npos) break;
    forwarded.remove_prefix(semi + 1);
  }
  return {};
}

}  // namespace

std::string OriginPath(std::string_view target) {
  size_t scheme = target.find("://");
  if (!target.empty() && target.front() != '/' && scheme != std::string_view::npos) {
    size_t path = target.find('/', scheme + 3);
    target = path == std::string_view::npos ? std::string_view("/") : target.substr(path);
  }
  target = target.substr(0, target.find_first_of("?#"));
  return std::string(target);
}

std::string PublicOrigin(const protocol::HeaderMap& headers, bool behind_proxy,
                         std::string_view own_scheme) {
  std::string_view proto = own_scheme;
  std::string_view host = headers.Get("Host").value_or("localhost");
  if (behind_proxy) {
    if (auto forwarded = headers.Get("Forwarded")) {
      if (auto h = ForwardedParam(*forwarded, "host"); !h.empty()) host = h;
      if (auto p = ForwardedParam(*forwarded, "proto"); !p.empty()) proto = p;
    } else {
      if (auto h = headers.Get("X-Forwarded-Host")) host = Trim(h->substr(0, h->find(',')));
      if (auto p = headers.Get("X-Forwarded-Proto")) proto = Trim(p->substr(0, p->find(',')));
    }
  }
  if (proto != "http" && proto != "https") proto = own_scheme;
  if (!IsSafeHost(host)) host = "localhost";
  return std::string(proto) + "://" + std::string(host);
}

}  // namespace tuskd::server
