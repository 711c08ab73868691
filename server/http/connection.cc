// Connection, the request loop: TLS start, request heads, the watchdog behind every timeout,
// interruption from other threads, and the drain before a close. Bodies are in
// connection_body.cc, responses in connection_responses.cc.
#include "server/http/connection.h"

#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>

#include "base/log.h"
#include "protocol/decisions.h"
#include "server/http/loopback_address.h"
#include "server/http/request_target.h"
#include "server/http/router.h"

namespace tuskd::server {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using boost::system::error_code;

namespace {

constexpr size_t kHeaderLimit = 64 * 1024;

}  // namespace

Connection::Connection(asio::ip::tcp::socket socket, ssl_ctx_st* tls, Services& services)
    : stream_(std::move(socket), tls), services_(services), watchdog_(stream_.get_executor()) {}

Connection::~Connection() = default;

bool Connection::peer_is_loopback() const {
  error_code ec;
  asio::ip::tcp::endpoint peer = stream_.remote_endpoint(ec);
  return !ec && IsLoopbackAddress(peer.address());
}

std::string Connection::PublicOrigin() const {
  return server::PublicOrigin(head_.headers, services_.config.behind_proxy,
                              stream_.is_tls() ? "https" : "http");
}

std::span<char> Connection::PieceBuffer() {
  // One buffer per io thread: a connection only touches it between two suspensions, so every
  // connection of the thread can share it (I4 in docs/architecture.md: memory stays flat
  // however many connections).
  thread_local std::vector<char> piece;
  if (piece.size() != services_.config.piece_bytes) piece.resize(services_.config.piece_bytes);
  return piece;
}

void Connection::ArmDeadline(std::chrono::steady_clock::duration timeout) {
  deadline_ = std::chrono::steady_clock::now() + timeout;
  // Later deadlines (every body piece) only move a value; the timer catches up when it fires.
  // An earlier one (a header timeout after an idle wait) must restart the timer.
  if (!watchdog_armed_ || deadline_ < watchdog_.expiry()) StartWatchdog();
}

// One timer per connection that only re-arms when it fires, so moving the deadline per body
// piece costs a store, not a timer operation.
void Connection::StartWatchdog() {
  watchdog_armed_ = true;
  uint64_t generation = ++watchdog_generation_;
  watchdog_.expires_at(deadline_);  // cancels a pending wait, whose handler then stands down
  watchdog_.async_wait([self = shared_from_this(), generation](error_code ec) {
    if (generation != self->watchdog_generation_) return;  // superseded by a restart
    self->watchdog_armed_ = false;
    if (ec || !self->stream_.is_open()) return;
    if (std::chrono::steady_clock::now() >= self->deadline_) {
      if (self->interruption_ == Interruption::kNone) self->interruption_ = Interruption::kTimeout;
      self->stream_.Cancel();
      self->deadline_ = std::chrono::steady_clock::now() + kFinalWriteGrace;
    }
    self->StartWatchdog();
  });
}

void Connection::Interrupt(Interruption why, uint64_t request_seq) {
  asio::post(stream_.get_executor(), [self = shared_from_this(), why, request_seq] {
    if (request_seq != 0 && request_seq != self->request_seq_) return;  // a later request
    if (self->interruption_ == Interruption::kNone) self->interruption_ = why;
    self->stream_.Cancel();
  });
}

std::function<void()> Connection::HandoverCallback() {
  return [weak = weak_from_this(), seq = request_seq_] {
    if (auto self = weak.lock()) self->Interrupt(Interruption::kHandover, seq);
  };
}

BodyEnd Connection::EndForInterruption() const {
  switch (interruption_) {
    case Interruption::kTimeout:
      return BodyEnd::kTimedOut;
    case Interruption::kTooSlow:
      return BodyEnd::kTooSlow;
    case Interruption::kHandover:
      return BodyEnd::kHandedOver;
    case Interruption::kShutdown:
      return BodyEnd::kShutdown;
    case Interruption::kNone:
      break;
  }
  return BodyEnd::kNone;
}

asio::awaitable<void> Connection::Run() {
  registry_key_ = services_.connections.Add(weak_from_this());
  services_.metrics.ConnectionOpened();
  try {
    bool started = co_await StartTls();
    while (started && interruption_ == Interruption::kNone && !services_.shutting_down.load()) {
      if (!co_await ReadHead()) break;
      co_await ServeRequest(*this);
      if (!keep_alive_ || !body_done_ || interruption_ != Interruption::kNone) break;
      parser_.reset();
    }
  } catch (const std::exception& e) {
    // A warning, not an error: one connection ended early; the server carries on.
    Log(LogLevel::kWarn, kServerLog, std::string("connection error: ") + e.what());
  }
  if (!body_done_ && stream_.is_open()) co_await DrainBeforeClose();
  stream_.Close();
  watchdog_.cancel();
  services_.connections.Remove(registry_key_);
  services_.metrics.ConnectionClosed();
}

// The client may still be sending a body we refused. Closing with unread bytes makes the kernel
// reset the connection, which can destroy our response before the client reads it; so stop
// sending, and read and drop what comes for a short, bounded while.
asio::awaitable<void> Connection::DrainBeforeClose() {
  constexpr uint64_t kMaxDrain = 4 << 20;
  constexpr auto kDrainTime = std::chrono::seconds(2);
  if (stream_.ShutdownSend()) co_return;
  if (interruption_ == Interruption::kNone) ArmDeadline(kDrainTime);
  uint64_t drained = 0;
  while (drained < kMaxDrain && interruption_ == Interruption::kNone) {
    error_code ec;
    size_t n = stream_.TryRead(PieceBuffer(), ec);
    if (!ec) {
      drained += n;
      continue;
    }
    if (!IsWouldBlock(ec)) break;
    if (co_await stream_.WaitReadable()) break;
  }
}

asio::awaitable<bool> Connection::StartTls() {
  if (!stream_.is_tls()) co_return true;
  ArmDeadline(services_.config.header_timeout);
  bool plain_http = false;
  error_code ec = co_await stream_.Handshake(&plain_http);
  if (!ec) co_return true;
  services_.metrics.CountTlsHandshakeFailure();
  if (plain_http) {
    // What Go's and nginx's HTTPS servers do: say so in the clear, so a curl without https://
    // learns why, instead of seeing a closed connection.
    const std::string reason = "Client sent an HTTP request to an HTTPS server.\n";
    stream_.WritePlain(
        "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\n"
        "Connection: close\r\nContent-Length: " +
        std::to_string(reason.size()) + "\r\n\r\n" + reason);
  }
  body_done_ = true;  // nothing to drain: the connection closes now
  co_return false;
}

asio::awaitable<bool> Connection::ReadHead() {
  error_code ec;
  if (buffer_.size() == 0) {
    // Idle keep-alive: hold no buffer while waiting for the next request.
    buffer_.shrink_to_fit();
    ArmDeadline(services_.config.idle_timeout);
    ec = co_await stream_.WaitReadable();
    if (ec || interruption_ != Interruption::kNone) co_return false;
  }
  parser_.emplace();
  parser_->header_limit(kHeaderLimit);
  parser_->body_limit(std::numeric_limits<uint64_t>::max());
  ArmDeadline(services_.config.header_timeout);
  co_await http::async_read_header(stream_, buffer_, *parser_,
                                   asio::redirect_error(asio::use_awaitable, ec));
  if (ec) {
    co_await RespondToBadHead(ec);
    co_return false;
  }
  ++request_seq_;
  if (std::optional<std::string> refused = BuildHead()) {
    body_done_ = false;  // close after answering: the body's framing is not trusted
    co_await Respond(protocol::ErrorResponse(protocol::ErrorCode::kBadRequest, *refused));
    co_return false;
  }
  co_return true;
}

asio::awaitable<void> Connection::RespondToBadHead(error_code ec) {
  body_done_ = false;  // whatever follows is not a request we understood: close after
  keep_alive_ = false;
  protocol::ErrorCode code;
  if (ec == http::error::header_limit) {
    code = protocol::ErrorCode::kHeadersTooLarge;
  } else if (interruption_ == Interruption::kTimeout && buffer_.size() > 0) {
    code = protocol::ErrorCode::kRequestTimeout;
  } else if (ec == http::error::end_of_stream || ec == asio::error::eof ||
             ec == asio::error::operation_aborted || ec == asio::error::connection_reset ||
             buffer_.size() == 0) {
    co_return;  // the peer left or went quiet between requests: nothing to answer
  } else {
    code = protocol::ErrorCode::kBadRequest;
  }
  head_ = {};
  co_await Respond(protocol::ErrorResponse(code, ec.message()));
}

std::optional<std::string> Connection::BuildHead() {
  const auto& message = parser_->get();
  head_ = {};
  head_.method = std::string(message.method_string());
  head_.path = OriginPath(message.target());
  for (const auto& field : message) {
    head_.headers.Add(std::string(field.name_string()), std::string(field.value()));
  }
  if (auto length = parser_->content_length()) head_.content_length = *length;
  head_.chunked = parser_->chunked();
  keep_alive_ = message.keep_alive();
  // RFC 9110 10.1.1: an HTTP/1.0 client cannot know 100 Continue, so it never gets one.
  auto expect = head_.headers.Get("Expect");
  continue_pending_ =
      expect && protocol::EqualsIgnoreCase(*expect, "100-continue") && message.version() >= 11;
  body_done_ = parser_->is_done() || !head_.has_body();
  body_remaining_ = head_.chunked ? 0 : head_.content_length.value_or(0);
  body_delivered_ = 0;
  rate_window_start_ = {};
  rate_window_bytes_ = 0;
  if (head_.chunked) InstallChunkSink();
  // RFC 9112 6.3: a request whose Transfer-Encoding does not end in chunked has no knowable
  // length; guessing one would let a body smuggle a second request.
  if (!head_.chunked && head_.headers.Has("Transfer-Encoding")) {
    return "Transfer-Encoding without chunked";
  }
  return HostProblem(head_.headers, message.version());
}

}  // namespace tuskd::server
