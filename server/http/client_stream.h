// The byte stream of one client connection: plain TCP, or TLS with OpenSSL running on the same
// non-blocking socket. Both read and write without blocking and wait for readiness apart from
// reading, so a connection that waits holds no buffer of ours: the io thread's piece buffer is
// only lent between two suspensions (TLS: OpenSSL drops its record buffers when they empty).
// Asio's ssl::stream cannot do that: its reads need a buffer that lives across the wait.
// Also an Asio AsyncReadStream and AsyncWriteStream, for Beast's header reads and writes.
// Used on its connection's io thread only.
#pragma once

#include <cstddef>
#include <memory>
#include <span>
#include <string_view>

#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/compose.hpp>
#include <boost/asio/ip/tcp.hpp>

struct ssl_st;
struct ssl_ctx_st;

namespace tuskd::server {

bool IsWouldBlock(const boost::system::error_code& ec);

class ClientStream {
 public:
  using executor_type = boost::asio::ip::tcp::socket::executor_type;

  // `tls`: the server's context, or nullptr for plain TCP.
  ClientStream(boost::asio::ip::tcp::socket socket, ssl_ctx_st* tls);
  ~ClientStream();
  ClientStream(const ClientStream&) = delete;
  ClientStream& operator=(const ClientStream&) = delete;

  executor_type get_executor() { return socket_.get_executor(); }
  bool is_tls() const { return tls_; }
  bool is_open() const { return socket_.is_open(); }
  boost::asio::ip::tcp::endpoint remote_endpoint(boost::system::error_code& ec) const {
    return socket_.remote_endpoint(ec);
  }

  // TLS: the server side of the handshake. A no-op on plain TCP. An error when the peer does not
  // speak TLS, fails the handshake or leaves; `plain_http` then says the peer sent an HTTP
  // request in the clear (it may be told so in the clear).
  boost::asio::awaitable<boost::system::error_code> Handshake(bool* plain_http);

  // Writes `bytes` on the socket itself, outside TLS, without waiting (what does not fit now is
  // dropped): the one plain-text answer to a client that sent HTTP to the TLS port.
  void WritePlain(std::string_view bytes);

  // Without blocking: the bytes read (as many as fit and are there), or 0 with `ec` set:
  // would_block when nothing has arrived yet, eof when the peer ended the stream.
  size_t TryRead(std::span<char> out, boost::system::error_code& ec);
  // Without blocking: the bytes written, or 0 with `ec` (would_block when the peer is not
  // reading). After would_block, TLS needs the same bytes offered again.
  size_t TryWrite(std::span<const char> bytes, boost::system::error_code& ec);
  // Until a TryRead / TryWrite that would have blocked can make progress (or Cancel()).
  boost::asio::awaitable<boost::system::error_code> WaitReadable();
  boost::asio::awaitable<boost::system::error_code> WaitWritable();

  // Ends what we send (TLS: close_notify first, if it can go at once); reading goes on. An error
  // when the socket is already gone.
  boost::system::error_code ShutdownSend();
  void Cancel();  // wakes pending waits with operation_aborted
  void Close();

  // ---- Asio stream operations (Beast), built on the calls above ----
  template <class MutableBuffers, class Token>
  auto async_read_some(const MutableBuffers& buffers, Token&& token) {
    return Retrying<Token>(
        [this, buffers](boost::system::error_code& ec) {
          if (!is_tls()) return socket_.read_some(buffers, ec);
          auto b = FirstOf<boost::asio::mutable_buffer>(buffers);
          return TryRead({static_cast<char*>(b.data()), b.size()}, ec);
        },
        /*read=*/true, std::forward<Token>(token));
  }
  template <class ConstBuffers, class Token>
  auto async_write_some(const ConstBuffers& buffers, Token&& token) {
    return Retrying<Token>(
        [this, buffers](boost::system::error_code& ec) {
          // TCP writes the whole sequence at once (a message's head and body in one segment).
          if (!is_tls()) return socket_.write_some(buffers, ec);
          // TLS: a response head is many small buffers; gathered, they make one record, not
          // one record (and one packet) each. A retry after would_block gathers the same bytes.
          std::span<char> staging = TlsStaging();
          size_t n = boost::asio::buffer_copy(boost::asio::buffer(staging.data(), staging.size()),
                                              buffers);
          return TryWrite(staging.first(n), ec);
        },
        /*read=*/false, std::forward<Token>(token));
  }

 private:
  struct SslFree {
    void operator()(ssl_st* ssl) const;
  };

  // The first non-empty buffer: TLS reads into one buffer per call.
  template <class Buffer, class Buffers>
  static Buffer FirstOf(const Buffers& buffers) {
    for (auto it = boost::asio::buffer_sequence_begin(buffers);
         it != boost::asio::buffer_sequence_end(buffers); ++it) {
      Buffer b(*it);
      if (b.size() > 0) return b;
    }
    return Buffer();
  }
  // One TLS record's worth of the io thread's memory, lent for the length of one write call.
  static std::span<char> TlsStaging();

  // Which socket readiness the last TryRead / TryWrite that would block is waiting for (TLS may
  // need to write to read, or read to write).
  boost::asio::socket_base::wait_type WaitFor(bool read) const;

  // Tries `attempt` until it does not say would_block, waiting for readiness in between.
  template <class Token, class Attempt>
  auto Retrying(Attempt attempt, bool read, Token&& token) {
    return boost::asio::async_compose<Token, void(boost::system::error_code, size_t)>(
        [this, attempt, read](auto& self, boost::system::error_code wait_ec = {}) mutable {
          if (wait_ec) return self.complete(wait_ec, 0);
          boost::system::error_code ec;
          size_t n = attempt(ec);
          if (!IsWouldBlock(ec)) return self.complete(ec, n);
          socket_.async_wait(WaitFor(read), std::move(self));
        },
        token, socket_);
  }
  // TLS bytes OpenSSL already holds that the last read did not take: readable without the
  // socket. (After a read that would block, what it holds is at most part of a record.)
  bool TlsHasBufferedBytes() const;

  boost::asio::ip::tcp::socket socket_;
  const bool tls_;                        // a TLS connection, even if its SSL could not be made
  std::unique_ptr<ssl_st, SslFree> ssl_;  // null only when SSL_new failed: the handshake fails
  bool read_wants_write_ = false;         // the last TLS read needs the socket writable
  bool read_blocked_ = false;             // the last TLS read stopped because nothing more had come
  bool write_wants_read_ = false;         // the last TLS write needs the socket readable
};

}  // namespace tuskd::server
