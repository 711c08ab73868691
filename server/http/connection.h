// One client connection: a coroutine that reads request heads with Beast, hands each request to
// the router as an Exchange (server/http/exchange.h), and offers the handlers bounded body
// pieces and response writing. An idle or stalled connection holds no read buffer: it waits for
// readability, then reads into its io thread's piece buffer and hands the bytes on before it
// next suspends.
// Its definitions are in three files: connection.cc (the request loop, heads, timeouts,
// interruption), connection_body.cc (Content-Length and chunked body pieces, trailers) and
// connection_responses.cc (100 Continue, interim, final and file responses).
// A Connection runs on one io_context (one thread); only Interrupt() and the callbacks of
// HandoverCallback() may be called from others.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/parser.hpp>

#include "protocol/request_head.h"
#include "protocol/response.h"
#include "server/http/body_piece.h"
#include "server/http/chunk_sink.h"
#include "server/http/client_stream.h"
#include "server/http/exchange.h"
#include "server/http/interruption.h"
#include "server/services.h"

namespace tuskd::server {

class Connection final : public Exchange, public std::enable_shared_from_this<Connection> {
 public:
  // `tls`: the server's TLS context (--tls-cert), or nullptr for plain HTTP.
  Connection(boost::asio::ip::tcp::socket socket, ssl_ctx_st* tls, Services& services);
  ~Connection() override;

  // Serves requests until the peer closes, an error, or shutdown.
  boost::asio::awaitable<void> Run();

  // Thread-safe: asks the current request (if it is still `request_seq`; 0 for whichever) to
  // stop reading.
  void Interrupt(Interruption why, uint64_t request_seq);

  // ---- Exchange, for handlers, on this connection's own coroutine ----
  const protocol::RequestHead& head() const override { return head_; }
  Services& services() override { return services_; }
  boost::asio::awaitable<void> SendContinue() override;
  boost::asio::awaitable<bool> SendInformational(int status, std::string_view reason,
                                                 const protocol::HeaderList& headers) override;
  boost::asio::awaitable<BodyPiece> NextPiece(uint64_t limit) override;
  bool body_finished() const override { return body_done_; }
  std::optional<std::string> TrailerField(std::string_view name) const override;
  boost::asio::awaitable<void> Respond(protocol::Response response) override;
  boost::asio::awaitable<void> RespondWithFile(protocol::Response head, store::UploadReader& reader,
                                               uint64_t first, uint64_t count) override;
  // Interrupt(kHandover) for the request being served now (request_seq_ at the call).
  std::function<void()> HandoverCallback() override;
  std::string PublicOrigin() const override;
  bool peer_is_loopback() const override;

 private:
  using Parser = boost::beast::http::request_parser<boost::beast::http::buffer_body>;

  // How long a last response may take to go out after a timeout already fired.
  static constexpr auto kFinalWriteGrace = std::chrono::seconds(5);

  // ---- connection.cc ----
  // TLS: the handshake, within the header timeout. False when the connection must close.
  boost::asio::awaitable<bool> StartTls();
  boost::asio::awaitable<bool> ReadHead();
  // Fills head_ from the parsed head; why the request is refused (400, then close), if it is.
  std::optional<std::string> BuildHead();
  boost::asio::awaitable<void> RespondToBadHead(boost::system::error_code ec);
  boost::asio::awaitable<void> DrainBeforeClose();
  void ArmDeadline(std::chrono::steady_clock::duration timeout);
  void StartWatchdog();
  BodyEnd EndForInterruption() const;
  std::span<char> PieceBuffer();

  // ---- connection_body.cc ----
  // Reads what the stream has (non-blocking), waiting for readability when it has nothing.
  // Returns bytes read, or 0 with *end set.
  boost::asio::awaitable<size_t> ReadSome(char* out, size_t max, BodyEnd* end);
  boost::asio::awaitable<BodyPiece> NextLengthPiece(uint64_t limit);
  boost::asio::awaitable<BodyPiece> NextChunkedPiece(uint64_t limit);
  void InstallChunkSink();
  // --min-body-rate, after each piece: marks the body kTooSlow at a window's end.
  void CheckBodyRate(size_t bytes);

  ClientStream stream_;
  Services& services_;
  boost::asio::steady_timer watchdog_;
  std::chrono::steady_clock::time_point deadline_;
  bool watchdog_armed_ = false;
  uint64_t watchdog_generation_ = 0;
  Interruption interruption_ = Interruption::kNone;
  uint64_t registry_key_ = 0;

  boost::beast::flat_buffer buffer_;  // request heads and bytes read past them; small
  std::optional<Parser> parser_;
  protocol::RequestHead head_;
  uint64_t request_seq_ = 0;
  bool keep_alive_ = true;
  bool continue_pending_ = false;
  bool body_done_ = false;
  uint64_t body_remaining_ = 0;  // Content-Length bodies
  uint64_t body_delivered_ = 0;
  // --min-body-rate: the current window of the body (zero until its first piece is asked for).
  std::chrono::steady_clock::time_point rate_window_start_;
  uint64_t rate_window_bytes_ = 0;
  ChunkSink chunk_sink_;  // where the chunk callback puts decoded bytes (InstallChunkSink)
  std::function<size_t(std::uint64_t, std::string_view, boost::system::error_code&)> on_chunk_;
};

}  // namespace tuskd::server
