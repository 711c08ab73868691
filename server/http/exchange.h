// One request and its response as a handler sees it: the request head, the body in bounded
// pieces and its trailer, interim and final responses, and the little a handler needs of the
// connection the request came on (its public origin, whether the peer is local, the callback
// that asks this request to give up its upload's lease). Handlers (server/handlers/) and the
// router take an Exchange, never a Connection, so they run in process against a scripted one
// (tests/server/handlers/scripted_exchange.h); Connection is the real one.
// Not thread-safe: an exchange is used from one coroutine, on one thread. Only the function
// HandoverCallback returns may be called from other threads.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include <boost/asio/awaitable.hpp>

#include "protocol/error_catalogue.h"
#include "protocol/request_head.h"
#include "protocol/response.h"
#include "server/http/body_piece.h"
#include "server/services.h"

namespace tuskd::store {
class UploadReader;
}  // namespace tuskd::store

namespace tuskd::server {

class Exchange {
 public:
  virtual ~Exchange() = default;
  Exchange(const Exchange&) = delete;
  Exchange& operator=(const Exchange&) = delete;

  // The request as parsed: method, origin path, headers and body framing. Valid for the whole
  // exchange.
  virtual const protocol::RequestHead& head() const = 0;
  // What every request shares (store, pool, config, policy, metrics).
  virtual Services& services() = 0;

  // Sends "100 Continue" if the client asked for it and the body is still unread; at most
  // once. Call it when the body is wanted, just before reading it.
  virtual boost::asio::awaitable<void> SendContinue() = 0;
  // Sends an interim 1xx response carrying `headers` (the IETF draft's 104 Upload Resumption
  // Supported) ahead of the final one. Never to an HTTP/1.0 client, which cannot tell an interim
  // response from the final one (RFC 9110 section 15.2). It does not answer an Expect:
  // 100-continue: SendContinue still sends the 100 when the body is wanted. False when nothing
  // was sent (HTTP/1.0, or the write failed).
  virtual boost::asio::awaitable<bool> SendInformational(int status, std::string_view reason,
                                                         const protocol::HeaderList& headers) = 0;

  // The next piece of the body, at most the piece size (--piece-bytes); `limit` is how many
  // body bytes in total the request may carry (kTooLarge past it, with the fitting bytes
  // delivered first). A piece's bytes are valid until the next call on the exchange. Once the
  // body is complete, every call returns kComplete.
  virtual boost::asio::awaitable<BodyPiece> NextPiece(uint64_t limit) = 0;
  // True once the body was read to its end (or there was none): the connection can serve
  // another request after the response.
  virtual bool body_finished() const = 0;
  // A field that came in the chunked body's trailer section (not in the head); nullopt before
  // the body is complete, and for a name the head already carries.
  virtual std::optional<std::string> TrailerField(std::string_view name) const = 0;

  // Writes a response with the headers every response carries (Tus-Resumable, CORS,
  // Content-Length). The connection closes after it when the body was not read to its end.
  virtual boost::asio::awaitable<void> Respond(protocol::Response response) = 0;
  // Writes `head` and then `count` bytes of the upload from `first`, never holding more than one
  // piece of it in memory. A reader that fails mid-way ends the response short and the
  // connection with it, so the client sees the truncation.
  virtual boost::asio::awaitable<void> RespondWithFile(protocol::Response head,
                                                       store::UploadReader& reader, uint64_t first,
                                                       uint64_t count) = 0;

  // For the upload lock table (invariant I5): a callback, safe to call from any thread and
  // after the exchange ended, that asks this request (this one only, not a later request on the
  // same connection) to stop reading its body; NextPiece then returns kHandedOver.
  virtual std::function<void()> HandoverCallback() = 0;
  // "scheme://host" for URLs sent back to this request's client (Location, part URLs): https on
  // a TLS connection, else http, unless trusted proxy headers say otherwise.
  virtual std::string PublicOrigin() const = 0;
  // True when the peer is on this host's loopback (the admin endpoints' first condition).
  virtual bool peer_is_loopback() const = 0;

 protected:
  Exchange() = default;
};

}  // namespace tuskd::server
