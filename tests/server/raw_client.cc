#include "tests/server/raw_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <thread>

#include "base/base64.h"
#include "base/hex.h"
#include "tests/common/one_shot_sha256.h"

namespace tuskd::server::testing {
namespace {

using Clock = std::chrono::steady_clock;

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

bool HasField(const HeaderFields& headers, std::string_view name) {
  for (const auto& [key, value] : headers) {
    if (EqualsIgnoreCase(key, name)) return true;
  }
  return false;
}

std::string Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return std::string(s);
}

HttpResponse Failed(std::string why) {
  HttpResponse response;
  response.error = std::move(why);
  return response;
}

// The status line and header fields of a response head (without its final CRLF CRLF).
HttpResponse ParseHead(const std::string& head) {
  HttpResponse response;
  size_t line_end = head.find("\r\n");
  std::string status_line = head.substr(0, line_end);
  if (status_line.rfind("HTTP/1.1 ", 0) != 0 || status_line.size() < 12) {
    return Failed("bad status line: " + status_line);
  }
  response.status = std::atoi(status_line.substr(9, 3).c_str());
  while (line_end != std::string::npos) {
    size_t start = line_end + 2;
    line_end = head.find("\r\n", start);
    std::string line =
        head.substr(start, line_end == std::string::npos ? std::string::npos : line_end - start);
    size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    response.headers.emplace_back(line.substr(0, colon), Trim(line.substr(colon + 1)));
  }
  return response;
}

}  // namespace

std::optional<std::string> HttpResponse::Header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (EqualsIgnoreCase(key, name)) return value;
  }
  return std::nullopt;
}

std::string BuildRequest(std::string_view method, std::string_view target,
                         const HeaderFields& headers, std::string_view body) {
  std::string request;
  request.append(method).append(" ").append(target).append(" HTTP/1.1\r\n");
  if (!HasField(headers, "Host")) request.append("Host: 127.0.0.1\r\n");
  for (const auto& [name, value] : headers)
    request.append(name).append(": ").append(value).append("\r\n");
  if (!body.empty() && !HasField(headers, "Content-Length") &&
      !HasField(headers, "Transfer-Encoding")) {
    request.append("Content-Length: ").append(std::to_string(body.size())).append("\r\n");
  }
  request.append("\r\n").append(body);
  return request;
}

std::string Chunk(std::string_view data, std::string_view extension) {
  char size[32];
  std::snprintf(size, sizeof(size), "%zx", data.size());
  std::string chunk = size;
  if (!extension.empty()) chunk.append(";").append(extension);
  chunk.append("\r\n").append(data).append("\r\n");
  return chunk;
}

RawClient::RawClient(uint16_t port, std::chrono::milliseconds timeout) : timeout_(timeout) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
    ::close(fd);
    return;
  }
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  // Sends block at most the timeout (a server that stopped reading must not hang the test).
  timeval tv{static_cast<time_t>(timeout.count() / 1000),
             static_cast<suseconds_t>((timeout.count() % 1000) * 1000)};
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
  fd_ = fd;
}

RawClient::~RawClient() { Close(); }

bool RawClient::Send(std::string_view bytes) {
  if (fd_ < 0) return false;
  while (!bytes.empty()) {
    ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

bool RawClient::SendPieces(const std::vector<std::string>& pieces,
                           std::chrono::milliseconds pause) {
  for (size_t i = 0; i < pieces.size(); ++i) {
    if (i > 0) std::this_thread::sleep_for(pause);
    if (!Send(pieces[i])) return false;
  }
  return true;
}

bool RawClient::Fill(Clock::time_point deadline) {
  if (fd_ < 0 || closed_) return false;
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return false;
    pollfd p{fd_, POLLIN, 0};
    int ready = ::poll(&p, 1, static_cast<int>(left.count()));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) return false;
    char chunk[64 * 1024];
    ssize_t n = ::recv(fd_, chunk, sizeof(chunk), 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      closed_ = true;  // EOF or reset
      return false;
    }
    buffer_.append(chunk, static_cast<size_t>(n));
    return true;
  }
}

bool RawClient::Take(size_t n, Clock::time_point deadline, std::string* out) {
  while (buffer_.size() < n) {
    if (!Fill(deadline)) return false;
  }
  out->append(buffer_, 0, n);
  buffer_.erase(0, n);
  return true;
}

bool RawClient::ReadLine(Clock::time_point deadline, std::string* line) {
  size_t end;
  while ((end = buffer_.find("\r\n")) == std::string::npos) {
    if (!Fill(deadline)) return false;
  }
  *line = buffer_.substr(0, end);
  buffer_.erase(0, end + 2);
  return true;
}

std::string RawClient::ReadChunkedBody(Clock::time_point deadline, std::string* body) {
  for (;;) {
    std::string size_line;
    if (!ReadLine(deadline, &size_line)) return "cut chunked body";
    size_t size = std::strtoull(size_line.c_str(), nullptr, 16);
    if (size == 0) {
      std::string trailer;
      do {
        if (!ReadLine(deadline, &trailer)) return "cut chunked trailer";
      } while (!trailer.empty());
      return {};
    }
    std::string crlf;
    if (!Take(size, deadline, body) || !Take(2, deadline, &crlf)) return "cut chunk";
  }
}

HttpResponse RawClient::ReadResponse(bool to_head) {
  auto deadline = Clock::now() + timeout_;
  size_t end;
  while ((end = buffer_.find("\r\n\r\n")) == std::string::npos) {
    if (!Fill(deadline)) {
      return Failed(closed_
                        ? "connection closed before a response head (received '" + buffer_ + "')"
                        : "timed out waiting for a response head (received '" +
                              buffer_.substr(0, 200) + "')");
    }
  }
  std::string head = buffer_.substr(0, end);
  buffer_.erase(0, end + 4);

  HttpResponse response = ParseHead(head);
  if (!response.error.empty()) return response;

  bool no_body =
      to_head || response.status < 200 || response.status == 204 || response.status == 304;
  if (no_body) return response;
  if (auto length = response.Header("Content-Length")) {
    if (!Take(std::strtoull(length->c_str(), nullptr, 10), deadline, &response.body)) {
      return Failed("body shorter than Content-Length " + *length);
    }
    return response;
  }
  if (auto te = response.Header("Transfer-Encoding"); te && EqualsIgnoreCase(*te, "chunked")) {
    std::string why = ReadChunkedBody(deadline, &response.body);
    return why.empty() ? response : Failed(why);
  }
  // Neither: the body runs to the close.
  while (Fill(deadline)) {
  }
  if (!closed_) return Failed("timed out reading a body delimited by the close");
  response.body = std::move(buffer_);
  buffer_.clear();
  return response;
}

HttpResponse RawClient::RoundTrip(std::string_view request) {
  if (!Send(request)) return Failed("send failed");
  return ReadResponse(request.rfind("HEAD ", 0) == 0);
}

bool RawClient::WaitForClose(std::chrono::milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  size_t before = buffer_.size();
  while (Fill(deadline)) {
  }
  return closed_ && buffer_.size() == before;
}

bool RawClient::StaysQuiet(std::chrono::milliseconds wait) {
  size_t before = buffer_.size();
  Fill(Clock::now() + wait);
  return !closed_ && buffer_.size() == before;
}

void RawClient::ShutdownWrite() {
  if (fd_ >= 0) ::shutdown(fd_, SHUT_WR);
}

void RawClient::Close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

void RawClient::Reset() {
  if (fd_ < 0) return;
  linger hard{1, 0};
  ::setsockopt(fd_, SOL_SOCKET, SO_LINGER, &hard, sizeof(hard));
  Close();
}

// ---- tus helpers ----

HttpResponse Exchange(uint16_t port, std::string_view method, std::string_view target,
                      const HeaderFields& headers, std::string_view body) {
  RawClient client(port);
  if (!client.connected()) return Failed("connect failed");
  return client.RoundTrip(BuildRequest(method, target, headers, body));
}

CreatedUpload CreateUpload(uint16_t port, std::optional<uint64_t> length,
                           const HeaderFields& extra) {
  HeaderFields headers = kTusHeaders;
  if (length) {
    headers.emplace_back("Upload-Length", std::to_string(*length));
  } else {
    headers.emplace_back("Upload-Defer-Length", "1");
  }
  headers.insert(headers.end(), extra.begin(), extra.end());
  CreatedUpload created;
  created.response = Exchange(port, "POST", "/files/", headers);
  auto location = created.response.Header("Location");
  if (created.response.status != 201 || !location) return created;
  size_t files = location->find("/files/");
  if (files == std::string::npos) return created;
  created.path = location->substr(files);
  created.id = created.path.substr(std::string_view("/files/").size());
  return created;
}

HeaderFields PatchHeaders(uint64_t offset, const HeaderFields& extra) {
  HeaderFields headers = {{"Tus-Resumable", "1.0.0"},
                          {"Content-Type", "application/offset+octet-stream"},
                          {"Upload-Offset", std::to_string(offset)}};
  headers.insert(headers.end(), extra.begin(), extra.end());
  return headers;
}

std::string PatchRequest(std::string_view path, uint64_t offset, std::string_view body,
                         const HeaderFields& extra) {
  HeaderFields headers = PatchHeaders(offset, extra);
  if (!HasField(headers, "Content-Length")) {
    headers.emplace_back("Content-Length", std::to_string(body.size()));
  }
  return BuildRequest("PATCH", path, headers, body);
}

std::optional<uint64_t> HeadOffset(uint16_t port, std::string_view path) {
  HttpResponse response = Exchange(port, "HEAD", path);
  auto offset = response.Header("Upload-Offset");
  if (response.status != 200 || !offset) return std::nullopt;
  return std::strtoull(offset->c_str(), nullptr, 10);
}

std::optional<std::string> Download(uint16_t port, std::string_view path) {
  HttpResponse response = Exchange(port, "GET", path, {});
  if (response.status != 200) return std::nullopt;
  return response.body;
}

std::optional<int64_t> MetricValue(uint16_t port, std::string_view name) {
  HttpResponse response = Exchange(port, "GET", "/metrics", {});
  std::string line = "\n" + std::string(name) + " ";
  size_t at = response.body.find(line);
  if (response.status != 200 || at == std::string::npos) return std::nullopt;
  return std::strtoll(response.body.c_str() + at + line.size(), nullptr, 10);
}

bool WaitForMetric(uint16_t port, std::string_view name, int64_t value,
                   std::chrono::milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  for (;;) {
    if (MetricValue(port, name).value_or(INT64_MIN) >= value) return true;
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

std::optional<int64_t> OpenConnections(uint16_t port) {
  return MetricValue(port, "tuskd_connections_open");
}

bool WaitUntilIdle(uint16_t port, std::chrono::milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  for (;;) {
    if (OpenConnections(port) == 1) return true;
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

std::string TestBytes(size_t size, uint32_t seed) {
  std::mt19937 random(seed);
  std::string bytes(size, '\0');
  for (char& c : bytes) c = static_cast<char>(random() & 0xff);
  return bytes;
}

std::string Sha256Of(std::string_view data, bool hex) {
  std::string digest = OneShotSha256(data);
  return hex ? ToHex(digest) : EncodeBase64(digest);
}

}  // namespace tuskd::server::testing
