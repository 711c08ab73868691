// An Exchange for in-process handler tests: it serves a request head and body pieces a test
// chose, ends the body the way the test says (complete, cut, timed out...), and records what the
// handler did with it: the responses, the interim responses, whether it sent 100 Continue and
// how much of the body it read. Like a Connection, it hands out each piece from one buffer that
// the next call overwrites, so a handler that kept a piece past its next call reads garbage.
// Not thread-safe, like any exchange; the handover callback may be called from any thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "protocol/request_head.h"
#include "protocol/response.h"
#include "server/http/exchange.h"

namespace tuskd::server::testing {

class ScriptedExchange final : public Exchange {
 public:
  ScriptedExchange(Services& services, protocol::RequestHead head);

  // ---- the script ----
  // The body comes as these pieces, in order (a piece is cut at the request's limit), then
  // ends with EndWith's reason: kComplete unless told otherwise.
  void AddPiece(std::string bytes) { pieces_.push_back(std::move(bytes)); }
  void EndWith(BodyEnd end) { end_ = end; }
  // A field of the chunked body's trailer section (TrailerField serves it once the body is
  // complete).
  void AddTrailer(std::string name, std::string value);
  // Runs just before piece `index` is handed out (and with index == piece count before the
  // end): where a test breaks something mid-body or looks at what is durable so far.
  void BeforePiece(std::function<void(size_t index)> hook) { before_piece_ = std::move(hook); }

  // ---- what the handler did ----
  const std::vector<protocol::Response>& responses() const { return responses_; }
  // The only response; fails the test when there is not exactly one.
  const protocol::Response& response() const;
  const std::vector<int>& interim_statuses() const { return interim_statuses_; }
  bool continue_sent() const { return continue_sent_; }
  uint64_t body_bytes_read() const { return delivered_; }
  // Bytes RespondWithFile streamed.
  const std::string& file_body() const { return file_body_; }
  bool handover_requested() const { return handover_->load(); }

  // ---- Exchange ----
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
  std::function<void()> HandoverCallback() override;
  std::string PublicOrigin() const override { return "http://tuskd.test"; }
  bool peer_is_loopback() const override { return true; }

 private:
  BodyPiece Next(uint64_t limit);

  Services& services_;
  protocol::RequestHead head_;
  std::vector<std::string> pieces_;
  size_t next_piece_ = 0;
  size_t next_byte_ = 0;  // within pieces_[next_piece_]
  BodyEnd end_ = BodyEnd::kComplete;
  protocol::HeaderMap trailer_;
  std::function<void(size_t)> before_piece_;
  std::vector<char> piece_buffer_;  // what NextPiece's spans point into; overwritten each call
  uint64_t delivered_ = 0;
  bool body_done_ = false;
  bool continue_pending_ = false;
  bool continue_sent_ = false;
  std::shared_ptr<std::atomic<bool>> handover_ = std::make_shared<std::atomic<bool>>(false);
  std::vector<protocol::Response> responses_;
  std::vector<int> interim_statuses_;
  std::string file_body_;
};

}  // namespace tuskd::server::testing
