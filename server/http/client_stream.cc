#include "server/http/client_stream.h"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <array>
#include <cerrno>
#include <climits>
#include <optional>

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

namespace tuskd::server {

namespace asio = boost::asio;
using boost::system::error_code;

bool IsWouldBlock(const error_code& ec) {
  return ec == asio::error::would_block || ec == asio::error::try_again;
}

namespace {

// What an SSL_* call that returned `rc` means, as an error code; *wants says which readiness a
// retry needs when the answer is would_block. Reads OpenSSL's per-thread error queue, which the
// caller cleared just before its call.
error_code TlsError(ssl_st* ssl, int rc, asio::socket_base::wait_type* wants) {
  switch (SSL_get_error(ssl, rc)) {
    case SSL_ERROR_WANT_READ:
      *wants = asio::socket_base::wait_read;
      return asio::error::would_block;
    case SSL_ERROR_WANT_WRITE:
      *wants = asio::socket_base::wait_write;
      return asio::error::would_block;
    case SSL_ERROR_ZERO_RETURN:
      return asio::error::eof;
    case SSL_ERROR_SYSCALL:
      if (errno != 0) return error_code(errno, boost::system::system_category());
      return asio::error::eof;
    default: {
      unsigned long code = ERR_get_error();
      ERR_clear_error();
      return error_code(static_cast<int>(code), asio::error::get_ssl_category());
    }
  }
}

// Runs `step(at, n)` (an SSL_read or SSL_write of n bytes from offset `at`; one call moves at most
// one 16 KiB record) until all `size` bytes have moved or it fails. *blocked: the socket readiness
// a retry needs, when it stopped because it would block. `ec` only when nothing moved.
template <class Step>
size_t TlsTransfer(ssl_st* ssl, size_t size, Step step,
                   std::optional<asio::socket_base::wait_type>* blocked, error_code& ec) {
  size_t done = 0;
  while (done < size) {
    ERR_clear_error();
    errno = 0;
    int rc = step(done, static_cast<int>(std::min<size_t>(size - done, INT_MAX)));
    if (rc > 0) {
      done += static_cast<size_t>(rc);
      continue;
    }
    asio::socket_base::wait_type wants = asio::socket_base::wait_read;
    error_code error = TlsError(ssl, rc, &wants);
    if (IsWouldBlock(error)) *blocked = wants;
    if (done == 0) ec = error;
    break;
  }
  return done;
}

}  // namespace

void ClientStream::SslFree::operator()(ssl_st* ssl) const { SSL_free(ssl); }

ClientStream::ClientStream(asio::ip::tcp::socket socket, ssl_ctx_st* tls)
    : socket_(std::move(socket)), tls_(tls != nullptr) {
  error_code ignored;
  socket_.non_blocking(true, ignored);
  socket_.set_option(asio::ip::tcp::no_delay(true), ignored);
  if (tls) {
    ssl_.reset(SSL_new(tls));
    if (ssl_) {
      SSL_set_fd(ssl_.get(), socket_.native_handle());
      SSL_set_accept_state(ssl_.get());
    }
  }
}

ClientStream::~ClientStream() = default;

asio::awaitable<error_code> ClientStream::Handshake(bool* plain_http) {
  *plain_http = false;
  if (!is_tls()) co_return error_code();
  // Never serve the TLS port in the clear: no SSL object (out of memory) ends the connection.
  if (!ssl_) co_return asio::error::no_memory;
  for (;;) {
    ERR_clear_error();
    errno = 0;
    int rc = SSL_do_handshake(ssl_.get());
    if (rc == 1) co_return error_code();
    asio::socket_base::wait_type wants = asio::socket_base::wait_read;
    error_code ec = TlsError(ssl_.get(), rc, &wants);
    if (!IsWouldBlock(ec)) {
      *plain_http = ec.category() == asio::error::get_ssl_category() &&
                    ERR_GET_REASON(static_cast<unsigned long>(ec.value())) == SSL_R_HTTP_REQUEST;
      co_return ec;
    }
    co_await socket_.async_wait(wants, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return ec;
  }
}

void ClientStream::WritePlain(std::string_view bytes) {
  error_code ignored;
  asio::write(socket_, asio::buffer(bytes.data(), bytes.size()), ignored);
}

size_t ClientStream::TryRead(std::span<char> out, error_code& ec) {
  ec = {};
  if (out.empty()) return 0;
  if (!is_tls()) return socket_.read_some(asio::buffer(out.data(), out.size()), ec);
  std::optional<asio::socket_base::wait_type> blocked;
  size_t got = TlsTransfer(
      ssl_.get(), out.size(),
      [&](size_t at, int n) { return SSL_read(ssl_.get(), out.data() + at, n); }, &blocked, ec);
  // Not blocked: `out` is full, and OpenSSL may hold more.
  read_blocked_ = blocked.has_value();
  if (blocked) read_wants_write_ = *blocked == asio::socket_base::wait_write;
  return got;
}

size_t ClientStream::TryWrite(std::span<const char> bytes, error_code& ec) {
  ec = {};
  if (bytes.empty()) return 0;
  if (!is_tls()) return socket_.write_some(asio::buffer(bytes.data(), bytes.size()), ec);
  std::optional<asio::socket_base::wait_type> blocked;
  size_t put = TlsTransfer(
      ssl_.get(), bytes.size(),
      [&](size_t at, int n) { return SSL_write(ssl_.get(), bytes.data() + at, n); }, &blocked, ec);
  if (blocked) write_wants_read_ = *blocked == asio::socket_base::wait_read;
  return put;
}

asio::socket_base::wait_type ClientStream::WaitFor(bool read) const {
  if (read) return read_wants_write_ ? asio::socket_base::wait_write : asio::socket_base::wait_read;
  return write_wants_read_ ? asio::socket_base::wait_read : asio::socket_base::wait_write;
}

bool ClientStream::TlsHasBufferedBytes() const {
  return ssl_ && !read_blocked_ && SSL_has_pending(ssl_.get()) == 1;
}

std::span<char> ClientStream::TlsStaging() {
  thread_local std::array<char, 16 << 10> staging;
  return staging;
}

asio::awaitable<error_code> ClientStream::WaitReadable() {
  if (TlsHasBufferedBytes()) co_return error_code();
  error_code ec;
  co_await socket_.async_wait(WaitFor(true), asio::redirect_error(asio::use_awaitable, ec));
  co_return ec;
}

asio::awaitable<error_code> ClientStream::WaitWritable() {
  error_code ec;
  co_await socket_.async_wait(WaitFor(false), asio::redirect_error(asio::use_awaitable, ec));
  co_return ec;
}

error_code ClientStream::ShutdownSend() {
  if (ssl_ && SSL_is_init_finished(ssl_.get())) {
    ERR_clear_error();
    SSL_shutdown(ssl_.get());  // close_notify if the socket takes it now; never waits
    ERR_clear_error();
  }
  error_code ec;
  socket_.shutdown(asio::ip::tcp::socket::shutdown_send, ec);
  return ec;
}

void ClientStream::Cancel() {
  error_code ignored;
  socket_.cancel(ignored);
}

void ClientStream::Close() {
  error_code ignored;
  socket_.close(ignored);
}

}  // namespace tuskd::server
