// Connection, the request body: Content-Length and chunked bodies in bounded pieces read into
// the io thread's piece buffer, the chunk sink that decodes chunked bodies in place, and the
// trailer fields. Nothing here allocates per piece.
#include <algorithm>
#include <cstring>

#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http/error.hpp>

#include "server/http/connection.h"

namespace tuskd::server {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using boost::system::error_code;

namespace {

// Chunk-size lines are short; more unparsed framing than this is an attack, not a client.
constexpr size_t kMaxChunkFraming = 16 * 1024;

}  // namespace

// Beast allows one chunk-body callback per message, set before any body byte is parsed; it
// writes through chunk_sink_, which NextChunkedPiece points at the piece buffer each time.
void Connection::InstallChunkSink() {
  on_chunk_ = [this](std::uint64_t, std::string_view body, error_code& ec) -> size_t {
    return chunk_sink_.Take(body, ec);
  };
  parser_->on_chunk_body(on_chunk_);
}

std::optional<std::string> Connection::TrailerField(std::string_view name) const {
  // Beast adds trailer fields to the message's fields as it parses them.
  if (!parser_ || !body_done_ || head_.headers.Has(name)) return std::nullopt;
  const auto& fields = parser_->get();
  auto found = fields.find(name);
  if (found == fields.end()) return std::nullopt;
  return std::string(found->value());
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
  // Also when the socket still has bytes: a chunked body read from buffer_ never reaches the
  // checks before a wait, and a too-slow body ends here.
  if (interruption_ != Interruption::kNone) co_return BodyPiece{{}, EndForInterruption()};
  // Chunked bodies learn they are too large only from a chunk past the limit: a body that ends
  // exactly at the limit still has its last chunk and trailer to come.
  if (!head_.chunked && body_delivered_ >= limit) co_return BodyPiece{{}, BodyEnd::kTooLarge};
  // Fairness: a fast client's socket never runs dry, so reading it until it does would starve
  // every other connection on this io thread (Pistache's flaw). Queue behind them once a piece.
  co_await asio::post(stream_.get_executor(), asio::use_awaitable);
  if (rate_window_start_ == std::chrono::steady_clock::time_point{}) {
    rate_window_start_ = std::chrono::steady_clock::now();  // the server starts to want the body
  }
  BodyPiece piece =
      head_.chunked ? co_await NextChunkedPiece(limit) : co_await NextLengthPiece(limit);
  body_delivered_ += piece.bytes.size();
  services_.metrics.AddBytesReceived(piece.bytes.size());
  if (!piece.bytes.empty()) CheckBodyRate(piece.bytes.size());
  co_return piece;
}

// A body that trickles (a byte now and then, never stalling for a whole --body-timeout) would
// hold its connection and its upload's lease forever. Each --body-timeout of a body must bring
// --min-body-rate bytes per second on average, as mod_reqtimeout's MinRate asks; a body that
// does not is ended at its next piece (which is still delivered and committed).
void Connection::CheckBodyRate(size_t bytes) {
  const uint64_t min_rate = services_.config.min_body_rate;
  if (min_rate == 0) return;
  rate_window_bytes_ += bytes;
  const auto now = std::chrono::steady_clock::now();
  const std::chrono::duration<double> elapsed = now - rate_window_start_;
  const auto window = std::max<std::chrono::steady_clock::duration>(services_.config.body_timeout,
                                                                    std::chrono::seconds(1));
  if (elapsed < window) return;
  if (static_cast<double>(rate_window_bytes_) < static_cast<double>(min_rate) * elapsed.count() &&
      interruption_ == Interruption::kNone) {
    interruption_ = Interruption::kTooSlow;
  }
  rate_window_start_ = now;
  rate_window_bytes_ = 0;
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

}  // namespace tuskd::server
