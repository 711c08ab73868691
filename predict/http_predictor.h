// http://... and https://...: POSTs an upload's bytes to a prediction service with libcurl and
// takes its JSON reply. The request streams the bytes from the ByteSource (Content-Type
// application/octet-stream, Content-Length = size, no "Expect: 100-continue" round trip) and
// describes the upload in headers: X-Tuskd-Upload-Id, X-Tuskd-Sha256 and X-Tuskd-Metadata
// (base64 of PredictionInput::Describe() as JSON, since metadata may hold any bytes).
// Redirects are not followed; only http and https are spoken.
// Thread-safe: each Predict() uses its own curl handle; at most max_concurrency requests are in
// flight and further callers wait their turn.
//
// Outcomes, and whether a retry could help:
//   2xx with a JSON body                   -> ok
//   2xx with an empty or invalid body      -> error, not retryable
//   5xx, 408, 429                          -> error, retryable
//   other status codes (4xx, 3xx)          -> error, not retryable
//   timeout (the whole exchange)           -> "timeout after N ms", retryable
//   connection, DNS, TLS, send/recv errors -> error, retryable
//   reply body over kMaxResponse bytes     -> error, not retryable
//   byte source failure                    -> retryable (I/O), or not when the source ends
//                                             before `size` bytes
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <semaphore>
#include <string>

#include "predict/predictor.h"

namespace tuskd::predict {

class HttpPredictor : public Predictor {
 public:
  static constexpr size_t kMaxResponse = 1 << 20;

  // `url` must be an http:// or https:// URL with a host; otherwise returns nullptr with the
  // reason in *error. Initialises libcurl globally on first use.
  static std::unique_ptr<HttpPredictor> Create(const std::string& url,
                                               const PredictorOptions& options, std::string* error);
  HttpPredictor(const HttpPredictor&) = delete;
  HttpPredictor& operator=(const HttpPredictor&) = delete;

  std::string name() const override { return url_; }
  // Blocks while max_concurrency requests are in flight, then sends one (see the table above).
  PredictionOutcome Predict(const PredictionInput& input) override;

 private:
  HttpPredictor(std::string url, const PredictorOptions& options);
  PredictionOutcome Post(const PredictionInput& input);

  const std::string url_;
  const std::chrono::milliseconds timeout_;
  std::counting_semaphore<> slots_;
};

}  // namespace tuskd::predict
