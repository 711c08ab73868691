#include "server/http/connection.h"

#include <cstring>

#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include "base/log.h"
#include "protocol/decisions.h"
#include "server/http/cors.h"
#include "server/http/loopback_address.h"
#include "server/http/request_target.h"
#include "server/http/router.h"

namespace tuskd::server {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using boost::system::error_code;

namespace {

constexpr size_t kHeaderLimit = 64 * 1024;
// Chunk-size lines are short; more unparsed framing than this is an attack, not a client.
constexpr size_t kMaxChunkFraming = 16 * 1024;
constexpr auto kFinalWriteGrace = std::chrono::seconds(5);

}  // namespace

Connection::Connection(asio::ip::tcp::socket socket, ssl_ctx_st* tls, Services& context)
    : stream_(std::move(socket), tls), services_(context), watchdog_(stream_.get_executor()) {}

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
  // connection of the thread can share it (DESIGN: memory stays flat however many connections).
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
  if (!BuildHead()) {
    body_done_ = false;  // close after answering
    co_await Respond(protocol::ErrorResponse(protocol::ErrorCode::kBadRequest,
                                             "Transfer-Encoding without chunked"));
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

// Beast allows one chunk-body callback per message, set before any body byte is parsed; it
// writes through chunk_sink_, which NextChunkedPiece points at the piece buffer each time.
void Connection::InstallChunkSink() {
  on_chunk_ = [this](std::uint64_t, std::string_view body, error_code& ec) -> size_t {
    ChunkSink& sink = chunk_sink_;
    size_t take = body.size();
    if (take > sink.allowance - sink.decoded) {
      take = static_cast<size_t>(sink.allowance - sink.decoded);
      sink.over_limit = true;
      ec = http::error::body_limit;
    }
    std::memmove(sink.out + sink.decoded, body.data(), take);
    sink.decoded += take;
    return take;
  };
  parser_->on_chunk_body(on_chunk_);
}

bool Connection::BuildHead() {
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
  auto expect = head_.headers.Get("Expect");
  continue_pending_ = expect && protocol::EqualsIgnoreCase(*expect, "100-continue");
  body_done_ = parser_->is_done() || !head_.has_body();
  body_remaining_ = head_.chunked ? 0 : head_.content_length.value_or(0);
  body_delivered_ = 0;
  if (head_.chunked) InstallChunkSink();
  // RFC 9112 6.3: a request whose Transfer-Encoding does not end in chunked has no knowable
  // length; guessing one would let a body smuggle a second request.
  return head_.chunked || !head_.headers.Has("Transfer-Encoding");
}

std::optional<std::string> Connection::TrailerField(std::string_view name) const {
  // Beast adds trailer fields to the message's fields as it parses them.
  if (!parser_ || !body_done_ || head_.headers.Has(name)) return std::nullopt;
  const auto& fields = parser_->get();
  auto found = fields.find(name);
  if (found == fields.end()) return std::nullopt;
  return std::string(found->value());
}

asio::awaitable<void> Connection::SendContinue() {
  if (!continue_pending_ || body_done_) co_return;
  continue_pending_ = false;
  static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
  error_code ec;
  co_await asio::async_write(stream_, asio::buffer(kContinue.data(), kContinue.size()),
                             asio::redirect_error(asio::use_awaitable, ec));
}

asio::awaitable<bool> Connection::SendInformational(int status, std::string_view reason,
                                                    const protocol::HeaderList& headers) {
  if (!parser_ || parser_->get().version() < 11) co_return false;
  http::response<http::empty_body> interim;
  interim.version(11);
  interim.result(static_cast<unsigned>(status));
  interim.reason(reason);
  for (const auto& [name, value] : headers) interim.insert(name, value);
  ArmDeadline(services_.config.body_timeout);
  error_code ec;
  co_await http::async_write(stream_, interim, asio::redirect_error(asio::use_awaitable, ec));
  if (ec) keep_alive_ = false;
  co_return !ec;
}

asio::awaitable<size_t> Connection::ReadSome(char* out, size_t max, BodyEnd* end) {
  for (;;) {
    if (interruption_ != Interruption::kNone) {
      *end = EndForInterruption();
      co_return 0;
    }
    error_code ec;
    size_t n = stream_.TryRead({out, max}, ec);
    if (!ec && n > 0) co_return n;
    if (ec && !IsWouldBlock(ec)) {
      *end = BodyEnd::kClientGone;
      co_return 0;
    }
    // Nothing there: wait for readability without holding any buffer.
    ArmDeadline(services_.config.body_timeout);
    ec = co_await stream_.WaitReadable();
    if (ec && ec != asio::error::operation_aborted) {
      *end = BodyEnd::kClientGone;
      co_return 0;
    }
  }
}

asio::awaitable<BodyPiece> Connection::NextPiece(uint64_t limit) {
  if (body_done_) co_return BodyPiece{{}, BodyEnd::kComplete};
  // Chunked bodies learn they are too large only from a chunk past the limit: a body that ends
  // exactly at the limit still has its last chunk and trailer to come.
  if (!head_.chunked && body_delivered_ >= limit) co_return BodyPiece{{}, BodyEnd::kTooLarge};
  // Fairness: a fast client's socket never runs dry, so reading it until it does would starve
  // every other connection on this io thread (Pistache's flaw). Queue behind them once a piece.
  co_await asio::post(stream_.get_executor(), asio::use_awaitable);
  BodyPiece piece =
      head_.chunked ? co_await NextChunkedPiece(limit) : co_await NextLengthPiece(limit);
  body_delivered_ += piece.bytes.size();
  services_.metrics.AddBytesReceived(piece.bytes.size());
  co_return piece;
}

asio::awaitable<BodyPiece> Connection::NextLengthPiece(uint64_t limit) {
  std::span<char> buf = PieceBuffer();
  size_t want = static_cast<size_t>(
      std::min<uint64_t>({buf.size(), body_remaining_, limit - body_delivered_}));
  size_t n = 0;
  if (buffer_.size() > 0) {
    // Body bytes that arrived with the head.
    n = std::min(want, buffer_.size());
    std::memcpy(buf.data(), buffer_.data().data(), n);
    buffer_.consume(n);
  } else {
    BodyEnd end = BodyEnd::kNone;
    n = co_await ReadSome(buf.data(), want, &end);
    if (n == 0) co_return BodyPiece{{}, end};
  }
  body_remaining_ -= n;
  if (body_remaining_ == 0) body_done_ = true;
  co_return BodyPiece{{buf.data(), n}, BodyEnd::kNone};
}

// Chunked bodies are decoded in place: Beast's parser hands each chunk's bytes to a callback
// that moves them to the front of the piece buffer (never forward past unread input), so a
// piece is one contiguous span. Unparsed framing and bytes of a next pipelined request go back
// to buffer_ before any suspension, since the piece buffer is shared by the thread.
asio::awaitable<BodyPiece> Connection::NextChunkedPiece(uint64_t limit) {
  parser_->eager(true);
  for (;;) {
    std::span<char> buf = PieceBuffer();
    size_t have = std::min(buffer_.size(), buf.size());
    std::memcpy(buf.data(), buffer_.data().data(), have);
    buffer_.consume(have);
    for (;;) {
      chunk_sink_ = ChunkSink{buf.data(), 0, limit - body_delivered_, false};
      const size_t& decoded = chunk_sink_.decoded;
      const bool& over_limit = chunk_sink_.over_limit;
      error_code ec;
      size_t consumed = have ? parser_->put(asio::buffer(buf.data(), have), ec) : 0;
      if (!have) ec = http::error::need_more;
      if (parser_->is_done()) body_done_ = true;
      // Keep what the parser did not take (framing or the next request) outside the buffer.
      auto rest = buffer_.prepare(have - consumed);
      std::memcpy(rest.data(), buf.data() + consumed, have - consumed);
      buffer_.commit(have - consumed);
      if (decoded > 0) co_return BodyPiece{{buf.data(), decoded}, BodyEnd::kNone};
      if (over_limit) co_return BodyPiece{{}, BodyEnd::kTooLarge};
      if (body_done_) co_return BodyPiece{{}, BodyEnd::kComplete};
      if (ec && ec != http::error::need_more) co_return BodyPiece{{}, BodyEnd::kMalformed};
      if (buffer_.size() > kMaxChunkFraming) co_return BodyPiece{{}, BodyEnd::kMalformed};
      // Need more input: read without suspending if the socket has some.
      have = std::min(buffer_.size(), buf.size());
      std::memcpy(buf.data(), buffer_.data().data(), have);
      buffer_.consume(have);
      size_t n = stream_.TryRead(buf.subspan(have), ec);
      if (!ec && n > 0) {
        have += n;
        continue;
      }
      auto back = buffer_.prepare(have);
      std::memcpy(back.data(), buf.data(), have);
      buffer_.commit(have);
      if (ec && !IsWouldBlock(ec)) co_return BodyPiece{{}, BodyEnd::kClientGone};
      break;
    }
    // Suspend until readable; the framing we hold is safe in buffer_.
    if (interruption_ != Interruption::kNone) co_return BodyPiece{{}, EndForInterruption()};
    ArmDeadline(services_.config.body_timeout);
    error_code ec = co_await stream_.WaitReadable();
    if (interruption_ != Interruption::kNone) co_return BodyPiece{{}, EndForInterruption()};
    if (ec && ec != asio::error::operation_aborted) co_return BodyPiece{{}, BodyEnd::kClientGone};
  }
}

asio::awaitable<void> Connection::Respond(protocol::Response response) {
  http::response<http::string_body> res{static_cast<http::status>(response.status), 11};
  if (response.status == 460) res.reason("Checksum Mismatch");  // tus' own status
  res.set("Tus-Resumable", protocol::kTusVersion);
  AddCorsHeaders(services_.config, head_, response.headers);
  for (auto& [name, value] : response.headers) res.insert(name, value);
  bool is_head = head_.method == "HEAD";
  if (!body_done_ || interruption_ != Interruption::kNone) keep_alive_ = false;
  if (services_.shutting_down.load()) keep_alive_ = false;
  res.keep_alive(keep_alive_);
  if (!is_head) {
    res.body() = std::move(response.body);
    res.prepare_payload();
  }
  continue_pending_ = false;
  services_.metrics.CountRequest(response.status);
  if (interruption_ == Interruption::kTimeout)
    ArmDeadline(kFinalWriteGrace);
  else
    ArmDeadline(services_.config.body_timeout);
  error_code ec;
  co_await http::async_write(stream_, res, asio::redirect_error(asio::use_awaitable, ec));
  if (ec) keep_alive_ = false;
}

asio::awaitable<void> Connection::RespondWithFile(protocol::Response head,
                                                  store::UploadReader& reader, uint64_t first,
                                                  uint64_t count) {
  http::response<http::empty_body> res{static_cast<http::status>(head.status), 11};
  res.set("Tus-Resumable", protocol::kTusVersion);
  AddCorsHeaders(services_.config, head_, head.headers);
  for (auto& [name, value] : head.headers) res.insert(name, value);
  res.content_length(count);
  res.keep_alive(keep_alive_);
  services_.metrics.CountRequest(head.status);
  error_code ec;
  ArmDeadline(services_.config.body_timeout);
  co_await http::async_write(stream_, res, asio::redirect_error(asio::use_awaitable, ec));
  if (ec || head_.method == "HEAD") co_return;
  uint64_t position = first;
  uint64_t left = count;
  while (left > 0) {
    // Read, then write what the socket takes now; after a wait, read again from the file rather
    // than keep a buffer per connection (the page cache makes the re-read cheap).
    std::span<char> buf = PieceBuffer();
    size_t n = 0;
    auto status = reader.Read(position, buf.first(std::min<uint64_t>(buf.size(), left)), &n);
    if (!status.ok() || n == 0) break;
    size_t written = stream_.TryWrite(buf.first(n), ec);
    if (!ec) {
      position += written;
      left -= written;
      services_.metrics.AddBytesSent(written);
      continue;
    }
    if (!IsWouldBlock(ec)) break;
    ArmDeadline(services_.config.body_timeout);
    ec = co_await stream_.WaitWritable();
    if (ec || interruption_ != Interruption::kNone) break;
  }
  if (left > 0) keep_alive_ = false;  // a short body: the client must see the connection end
}

}  // namespace tuskd::server
