// Where a chunked body's decoded bytes go. Beast allows one chunk-body callback per message,
// set before any body byte is parsed; Connection's callback hands each chunk to the sink, which
// NextChunkedPiece points at the front of the io thread's piece buffer before every parse, so
// the bytes of several chunks become one contiguous piece with no copy beyond Beast's own.
// A plain value owned by one connection; not thread-safe.
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>

#include <boost/beast/http/error.hpp>
#include <boost/system/error_code.hpp>

namespace tuskd::server {

struct ChunkSink {
  char* out = nullptr;     // where the next decoded byte goes
  size_t decoded = 0;      // bytes put at `out` since the sink was pointed there
  uint64_t allowance = 0;  // bytes the body may still carry
  bool over_limit = false;

  // Takes the bytes of `body` that fit the allowance and returns how many (what Beast's
  // on_chunk_body callback returns). Past the allowance, sets over_limit and `ec` to
  // body_limit, which stops the parse. memmove: the decoded bytes move towards the front of the
  // buffer the parser is reading from, never past unread input.
  size_t Take(std::string_view body, boost::system::error_code& ec) {
    size_t take = body.size();
    if (take > allowance - decoded) {
      take = static_cast<size_t>(allowance - decoded);
      over_limit = true;
      ec = boost::beast::http::error::body_limit;
    }
    std::memmove(out + decoded, body.data(), take);
    decoded += take;
    return take;
  }
};

}  // namespace tuskd::server
