// Connection, the responses: 100 Continue, interim 1xx responses, final responses with the
// headers every response carries, and file bodies streamed from an UploadReader one piece at a
// time.
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include "protocol/decisions.h"
#include "server/http/connection.h"
#include "server/http/cors.h"
#include "store/upload_store.h"

namespace tuskd::server {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using boost::system::error_code;

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
