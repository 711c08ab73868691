#include "tests/server/handlers/scripted_exchange.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "store/upload_store.h"

namespace tuskd::server::testing {

namespace asio = boost::asio;

ScriptedExchange::ScriptedExchange(Services& services, protocol::RequestHead head)
    : services_(services), head_(std::move(head)) {
  body_done_ = !head_.has_body();
  auto expect = head_.headers.Get("Expect");
  continue_pending_ = expect && protocol::EqualsIgnoreCase(*expect, "100-continue");
}

void ScriptedExchange::AddTrailer(std::string name, std::string value) {
  trailer_.Add(std::move(name), std::move(value));
}

const protocol::Response& ScriptedExchange::response() const {
  EXPECT_EQ(responses_.size(), 1u);
  static const protocol::Response kNone{0, {}, "no response"};
  return responses_.empty() ? kNone : responses_.back();
}

asio::awaitable<void> ScriptedExchange::SendContinue() {
  if (continue_pending_ && !body_done_) continue_sent_ = true;
  continue_pending_ = false;
  co_return;
}

asio::awaitable<bool> ScriptedExchange::SendInformational(int status, std::string_view,
                                                          const protocol::HeaderList&) {
  interim_statuses_.push_back(status);
  co_return true;
}

asio::awaitable<BodyPiece> ScriptedExchange::NextPiece(uint64_t limit) { co_return Next(limit); }

BodyPiece ScriptedExchange::Next(uint64_t limit) {
  // The previous piece's bytes are gone, as they are when a Connection's io thread reuses its
  // piece buffer.
  std::fill(piece_buffer_.begin(), piece_buffer_.end(), '#');
  if (body_done_) return BodyPiece{{}, BodyEnd::kComplete};
  if (before_piece_) before_piece_(next_piece_);
  if (handover_->load()) return BodyPiece{{}, BodyEnd::kHandedOver};
  if (next_piece_ == pieces_.size()) {
    if (end_ == BodyEnd::kComplete) body_done_ = true;
    return BodyPiece{{}, end_};
  }
  if (delivered_ >= limit) return BodyPiece{{}, BodyEnd::kTooLarge};
  const std::string& piece = pieces_[next_piece_];
  size_t take =
      static_cast<size_t>(std::min<uint64_t>(piece.size() - next_byte_, limit - delivered_));
  piece_buffer_.assign(piece.begin() + next_byte_, piece.begin() + next_byte_ + take);
  next_byte_ += take;
  if (next_byte_ == piece.size()) {
    ++next_piece_;
    next_byte_ = 0;
  }
  delivered_ += take;
  return BodyPiece{{piece_buffer_.data(), take}, BodyEnd::kNone};
}

std::optional<std::string> ScriptedExchange::TrailerField(std::string_view name) const {
  if (!body_done_ || head_.headers.Has(name)) return std::nullopt;
  auto value = trailer_.Get(name);
  if (!value) return std::nullopt;
  return std::string(*value);
}

asio::awaitable<void> ScriptedExchange::Respond(protocol::Response response) {
  responses_.push_back(std::move(response));
  co_return;
}

asio::awaitable<void> ScriptedExchange::RespondWithFile(protocol::Response head,
                                                        store::UploadReader& reader, uint64_t first,
                                                        uint64_t count) {
  responses_.push_back(std::move(head));
  std::vector<char> buffer(64 << 10);
  uint64_t position = first;
  while (position < first + count) {
    size_t n = 0;
    size_t want = static_cast<size_t>(std::min<uint64_t>(buffer.size(), first + count - position));
    Status status = reader.Read(position, {buffer.data(), want}, &n);
    if (!status.ok() || n == 0) break;
    file_body_.append(buffer.data(), n);
    position += n;
  }
  co_return;
}

std::function<void()> ScriptedExchange::HandoverCallback() {
  return [flag = handover_] { flag->store(true); };
}

}  // namespace tuskd::server::testing
