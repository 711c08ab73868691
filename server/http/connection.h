// One client connection: a coroutine that reads request heads with Beast, hands each request to
// the router, and offers the handlers bounded body pieces and response writing. An idle or
// stalled connection holds no read buffer: it waits for readability, then reads into its io
// thread's piece buffer and hands the bytes on before it next suspends.
// A Connection runs on one io_context (one thread); only Interrupt() may be called from others.
#pragma once

#include <chrono>
#include <cstdint>
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
#include "server/http/client_stream.h"
#include "server/http/interruption.h"
#include "server/services.h"
#include "store/upload_store.h"

namespace tuskd::server {

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  // `tls`: the server's TLS context (--tls-cert), or nullptr for plain HTTP.
  Connection(boost::asio::ip::tcp::socket socket, ssl_ctx_st* tls, Services& context);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Serves requests until the peer closes, an error, or shutdown.
  boost::asio::awaitable<void> Run();

  // Thread-safe: asks the current request (if it is still `request_seq`) to stop reading.
  void Interrupt(Interruption why, uint64_t request_seq);

  // ---- for handlers, on this connection's own coroutine ----
  const protocol::RequestHead& head() const { return head_; }
  uint64_t request_seq() const { return request_seq_; }
  // The lease callback that asks this request to end when a newer one wants its upload.
  std::function<void()> HandoverCallback();
  // Sends "100 Continue" if the client asked for it (once).
  boost::asio::awaitable<void> SendContinue();
  // Sends an interim 1xx response carrying `headers` (the IETF draft's 104 Upload Resumption
  // Supported) ahead of the final one. Never to an HTTP/1.0 client, which cannot tell an interim
  // response from the final one (RFC 9110 section 15.2). It does not answer an Expect:
  // 100-continue: SendContinue still sends the 100 when the body is wanted. False when nothing
  // was sent (HTTP/1.0, or the write failed).
  boost::asio::awaitable<bool> SendInformational(int status, std::string_view reason,
                                                 const protocol::HeaderList& headers);
  // The next piece of the body, at most `piece_bytes`; `limit` is how many body bytes in total
  // the request may carry (kTooLarge past it, with the fitting bytes delivered first).
  boost::asio::awaitable<BodyPiece> NextPiece(uint64_t limit);
  bool body_finished() const { return body_done_; }
  // A field that came in the chunked body's trailer section (not in the head); only meaningful
  // once the body is complete.
  std::optional<std::string> TrailerField(std::string_view name) const;
  // Writes a response with the headers every response carries. Closes after it when the body
  // was not read to its end.
  boost::asio::awaitable<void> Respond(protocol::Response response);
  // Writes `head` and then `count` bytes of the upload from `first`, never holding more than one
  // piece of it in memory.
  boost::asio::awaitable<void> RespondWithFile(protocol::Response head, store::UploadReader& reader,
                                               uint64_t first, uint64_t count);
  Services& services() { return services_; }
  // True when the peer is on this host's loopback (the admin endpoints' first condition).
  bool peer_is_loopback() const;
  // "scheme://host" for URLs sent back to this request's client (Location, part URLs): https on
  // a TLS connection, else http, unless trusted proxy headers say otherwise.
  std::string PublicOrigin() const;

 private:
  using Parser = boost::beast::http::request_parser<boost::beast::http::buffer_body>;

  // TLS: the handshake, within the header timeout. False when the connection must close.
  boost::asio::awaitable<bool> StartTls();
  boost::asio::awaitable<bool> ReadHead();
  bool BuildHead();
  boost::asio::awaitable<void> RespondToBadHead(boost::system::error_code ec);
  // Reads what the stream has (non-blocking), waiting for readability when it has nothing.
  // Returns bytes read, or 0 with *end set.
  boost::asio::awaitable<size_t> ReadSome(char* out, size_t max, BodyEnd* end);
  boost::asio::awaitable<BodyPiece> NextLengthPiece(uint64_t limit);
  boost::asio::awaitable<BodyPiece> NextChunkedPiece(uint64_t limit);
  boost::asio::awaitable<void> DrainBeforeClose();
  void InstallChunkSink();
  void ArmDeadline(std::chrono::steady_clock::duration timeout);
  void StartWatchdog();
  BodyEnd EndForInterruption() const;
  std::span<char> PieceBuffer();

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
  // Where the chunk callback puts decoded bytes (see InstallChunkSink).
  struct ChunkSink {
    char* out = nullptr;
    size_t decoded = 0;
    uint64_t allowance = 0;
    bool over_limit = false;
  };
  ChunkSink chunk_sink_;
  std::function<size_t(std::uint64_t, std::string_view, boost::system::error_code&)> on_chunk_;
};

}  // namespace tuskd::server
