// One HTTPS request to a test tuskd on 127.0.0.1 with libcurl, trusting one CA file (the test's
// self-signed certificate): bodies sent whole, chunked or cut off part-way, responses read at a
// throttled pace. For TLS tests; RawClient stays the byte-level tool for plain HTTP.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "tests/server/raw_client.h"

namespace tuskd::server::testing {

struct HttpsRequest {
  HttpsRequest(std::string method, std::string target, HeaderFields headers = kTusHeaders)
      : method(std::move(method)), target(std::move(target)), headers(std::move(headers)) {}

  std::string method;
  std::string target;  // "/files/..." on the server, or an absolute https:// URL
  HeaderFields headers;
  std::string body;
  bool chunked = false;  // Transfer-Encoding: chunked instead of Content-Length
  // Send only this many body bytes, then drop the connection (a client that dies mid-body).
  std::optional<size_t> cut_after;
  // Read the response no faster than this (0: as fast as it comes): a slow downloader.
  int64_t max_receive_bytes_per_second = 0;
};

HttpResponse HttpsExchange(uint16_t port, const std::string& ca_path, const HttpsRequest& request);

}  // namespace tuskd::server::testing
