#include "server/http/request_target.h"

#include <cctype>
#include <optional>

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

bool IsHexDigit(char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; }

// RFC 3986 reg-name: unreserved, sub-delims and %XX; empty is allowed. `also` names one more
// byte allowed (':' inside an IPvFuture literal).
bool IsRegName(std::string_view name, char also = '\0') {
  static constexpr std::string_view kAllowed = "-._~!$&'()*+,;=";
  for (size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    if (c == '%') {
      if (i + 2 >= name.size() || !IsHexDigit(name[i + 1]) || !IsHexDigit(name[i + 2])) {
        return false;
      }
      i += 2;
    } else if (!std::isalnum(static_cast<unsigned char>(c)) && c != also &&
               kAllowed.find(c) == std::string_view::npos) {
      return false;
    }
  }
  return true;
}

// The inside of an IP-literal: an IPv6 address (hex, ':' and a dotted IPv4 tail) or an
// IPvFuture ("v" hex "." and more). Loose on purpose: the point is that no byte outside the
// grammar's alphabet reaches a header or a log, not to validate addresses.
bool IsIpLiteral(std::string_view inside) {
  if (inside.empty()) return false;
  if (inside.front() == 'v' || inside.front() == 'V') return IsRegName(inside, ':');
  for (char c : inside) {
    if (!IsHexDigit(c) && c != ':' && c != '.') return false;
  }
  return true;
}

bool IsUriHostAndPort(std::string_view value) {
  std::string_view host = value;
  std::string_view port;
  if (!value.empty() && value.front() == '[') {
    size_t close = value.find(']');
    if (close == std::string_view::npos || !IsIpLiteral(value.substr(1, close - 1))) return false;
    std::string_view rest = value.substr(close + 1);
    if (!rest.empty() && rest.front() != ':') return false;
    port = rest.empty() ? rest : rest.substr(1);
    host = {};
  } else if (size_t colon = value.find(':'); colon != std::string_view::npos) {
    host = value.substr(0, colon);
    port = value.substr(colon + 1);
  }
  for (char c : port) {
    if (c < '0' || c > '9') return false;
  }
  return IsRegName(host);
}

}  // namespace

std::optional<std::string> HostProblem(const protocol::HeaderMap& headers, unsigned version) {
  size_t count = headers.Count("Host");
  if (count > 1) return "more than one Host field";
  if (count == 0) {
    if (version >= 11) return "an HTTP/1.1 request needs a Host field";
    return std::nullopt;
  }
  if (!IsUriHostAndPort(Trim(*headers.Get("Host")))) return "the Host field is not host[:port]";
  return std::nullopt;
}

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
