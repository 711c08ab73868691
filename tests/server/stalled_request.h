// A request that sends its head and the first `sent` bytes of its body, then stalls holding the
// upload: how the hand-over tests (tus and IETF draft) get a request to end. Start() returns
// once the server has read those bytes, so no test guesses at timing.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "tests/server/raw_client.h"

namespace tuskd::server::testing {

inline constexpr char kBytesReceivedMetric[] = "tuskd_bytes_received_total";

class StalledRequest {
 public:
  // `request`: a whole request whose last `body_size` bytes are its body.
  StalledRequest(uint16_t port, std::string request, size_t body_size, size_t sent)
      : port_(port),
        client_(port),
        request_(std::move(request)),
        head_size_(request_.size() - body_size),
        sent_(sent) {}

  ::testing::AssertionResult Start() {
    int64_t before = MetricValue(port_, kBytesReceivedMetric).value_or(0);
    if (!client_.Send(request_.substr(0, head_size_ + sent_))) {
      return ::testing::AssertionFailure() << "send failed";
    }
    if (!WaitForMetric(port_, kBytesReceivedMetric, before + static_cast<int64_t>(sent_))) {
      return ::testing::AssertionFailure() << "the server did not read the first bytes";
    }
    return ::testing::AssertionSuccess();
  }
  // Sends the rest of the body (the holder may already be gone; that is not an error here).
  void SendRest() { client_.Send(request_.substr(head_size_ + sent_)); }
  RawClient& client() { return client_; }

 private:
  uint16_t port_;
  RawClient client_;
  std::string request_;
  size_t head_size_;
  size_t sent_;
};

// The answer of a request that a newer one for the same upload ended, after committing.
inline void ExpectInterrupted(const HttpResponse& r, uint64_t offset) {
  EXPECT_EQ(r.status, 400) << r.error;
  EXPECT_EQ(r.body.rfind("ERR_UPLOAD_INTERRUPTED: ", 0), 0u) << r.body;
  EXPECT_EQ(r.Header("Upload-Offset"), std::to_string(offset));
}

}  // namespace tuskd::server::testing
