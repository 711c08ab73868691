// A tiny blocking HTTP/1.1 client over a POSIX socket to 127.0.0.1, for server tests that need
// byte-level control: pipelined requests in one send, bodies cut at any byte, pauses between
// pieces, 100 Continue, and watching the server close. Every read has a timeout, so a server
// that stays silent fails a test instead of hanging it. Not thread-safe: one thread per client.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tuskd::server::testing {

using HeaderFields = std::vector<std::pair<std::string, std::string>>;

struct HttpResponse {
  int status = 0;     // 0: no complete response arrived (see `error`)
  std::string error;  // why status is 0
  HeaderFields headers;
  std::string body;

  // The first value of `name` (case-insensitive), nullopt when absent.
  std::optional<std::string> Header(std::string_view name) const;
  bool HasHeader(std::string_view name) const { return Header(name).has_value(); }
};

// "METHOD target HTTP/1.1" with `headers` and `body`. Adds Host unless given, and
// Content-Length for a non-empty body unless the headers hold Content-Length or
// Transfer-Encoding.
std::string BuildRequest(std::string_view method, std::string_view target,
                         const HeaderFields& headers = {}, std::string_view body = {});

// One chunk of a chunked body: "<hex size>[;ext]\r\n<data>\r\n".
std::string Chunk(std::string_view data, std::string_view extension = {});

class RawClient {
 public:
  static constexpr std::chrono::milliseconds kDefaultTimeout{5000};

  // Connects at once; check connected().
  explicit RawClient(uint16_t port, std::chrono::milliseconds timeout = kDefaultTimeout);
  ~RawClient();
  RawClient(const RawClient&) = delete;
  RawClient& operator=(const RawClient&) = delete;

  bool connected() const { return fd_ >= 0; }

  // Writes all of `bytes`; false when the peer is gone or the send stalls past the timeout.
  bool Send(std::string_view bytes);
  // Writes each piece in its own send, pausing `pause` between them.
  bool SendPieces(const std::vector<std::string>& pieces, std::chrono::milliseconds pause);

  // Reads the next response, 1xx included. `to_head`: the request was HEAD, so no body follows.
  // Bodies are read by Content-Length (or chunked, or to the close when neither is given).
  HttpResponse ReadResponse(bool to_head = false);
  // Send(request) then ReadResponse(); the request's method decides `to_head`.
  HttpResponse RoundTrip(std::string_view request);

  // True when the server closes the connection (EOF or reset) within `timeout` without sending
  // any further byte; bytes that do arrive are kept for ReadResponse.
  bool WaitForClose(std::chrono::milliseconds timeout = kDefaultTimeout);
  // True when not a single byte arrives within `wait` and the connection stays open.
  bool StaysQuiet(std::chrono::milliseconds wait);

  void ShutdownWrite();  // half-close: the server sees the end of our bytes
  void Close();          // full close: a cut connection
  // Close with SO_LINGER 0, so the server sees a reset rather than an orderly end.
  void Reset();

 private:
  // Reads more into buffer_ until `deadline`; false on timeout, EOF or error (closed_ tells).
  bool Fill(std::chrono::steady_clock::time_point deadline);
  // Takes `n` bytes from buffer_, reading more as needed.
  bool Take(size_t n, std::chrono::steady_clock::time_point deadline, std::string* out);
  bool ReadLine(std::chrono::steady_clock::time_point deadline, std::string* line);
  // Appends a chunked body's data to *body and consumes its trailer; returns why it failed, or "".
  std::string ReadChunkedBody(std::chrono::steady_clock::time_point deadline, std::string* body);

  int fd_ = -1;
  std::chrono::milliseconds timeout_;
  std::string buffer_;   // received, not yet consumed
  bool closed_ = false;  // the peer ended the stream
};

// ---- tus helpers (each opens its own connection) ----

inline const HeaderFields kTusHeaders = {{"Tus-Resumable", "1.0.0"}};

// One request on a fresh connection.
HttpResponse Exchange(uint16_t port, std::string_view method, std::string_view target,
                      const HeaderFields& headers = kTusHeaders, std::string_view body = {});

struct CreatedUpload {
  std::string id;    // 32 hex characters; empty when creation failed
  std::string path;  // "/files/<id>" (the Location's path)
  HttpResponse response;
};
// POST /files/ with Upload-Length `length` (or Upload-Defer-Length: 1 when nullopt) plus `extra`.
CreatedUpload CreateUpload(uint16_t port, std::optional<uint64_t> length,
                           const HeaderFields& extra = {});

// The headers of a tus PATCH at `offset` (Tus-Resumable, Content-Type, Upload-Offset) + `extra`.
HeaderFields PatchHeaders(uint64_t offset, const HeaderFields& extra = {});
// A full PATCH request carrying `body` with Content-Length.
std::string PatchRequest(std::string_view path, uint64_t offset, std::string_view body,
                         const HeaderFields& extra = {});
// HEAD's Upload-Offset, nullopt when the HEAD failed or carried none.
std::optional<uint64_t> HeadOffset(uint16_t port, std::string_view path);
// The bytes GET returns (status must be 200, else nullopt).
std::optional<std::string> Download(uint16_t port, std::string_view path);
// The value of an unlabelled metric from GET /metrics, e.g. "tuskd_bytes_received_total".
std::optional<int64_t> MetricValue(uint16_t port, std::string_view name);
// Polls MetricValue until it reaches at least `value`; false after `timeout`. Tests use it to
// know the server has read a body's bytes before they act (no sleeps guessing at it).
bool WaitForMetric(uint16_t port, std::string_view name, int64_t value,
                   std::chrono::milliseconds timeout = std::chrono::seconds(5));
// tuskd_connections_open from /metrics (the /metrics connection itself counts one).
std::optional<int64_t> OpenConnections(uint16_t port);
// Waits until the server has finished with every other connection (its open-connection gauge
// reads 1: ours), polling up to `timeout`. Commits of cut bodies land before the gauge drops.
bool WaitUntilIdle(uint16_t port, std::chrono::milliseconds timeout = std::chrono::seconds(5));

// Deterministic pseudo-random bytes for bodies.
std::string TestBytes(size_t size, uint32_t seed);
// SHA-256 of `data`: lower-case hex, or base64 when `hex` is false (for Repr-Digest).
std::string Sha256Of(std::string_view data, bool hex = true);

}  // namespace tuskd::server::testing
