// Requests in pieces and the seeded mutations the request fuzz test applies to them: framing
// conflicts, impossible numbers, wrong protocol values, hostile bytes. Deterministic for a
// seed. Not thread-safe: one mutator per test.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tests/common/fuzz_random.h"
#include "tests/server/raw_client.h"

namespace tuskd::server::testing {

// A request in pieces, so mutations can aim at one part and keep the rest well-formed.
struct RequestParts {
  std::string method;
  std::string target;
  std::string version = "HTTP/1.1";
  HeaderFields headers;
  std::string body;

  std::string Render() const {
    std::string text = method + " " + target + " " + version + "\r\n";
    for (const auto& [name, value] : headers) text += name + ": " + value + "\r\n";
    return text + "\r\n" + body;
  }
};

inline RequestParts Request(std::string method, std::string target, HeaderFields headers,
                            std::string body = {}) {
  headers.insert(headers.begin(), {"Host", "127.0.0.1"});
  // Always explicit, so the length itself can be mutated.
  if (!body.empty()) headers.emplace_back("Content-Length", std::to_string(body.size()));
  return {std::move(method), std::move(target), "HTTP/1.1", std::move(headers), std::move(body)};
}

inline RequestParts ChunkedRequest(std::string method, std::string target, HeaderFields headers,
                                   std::string_view data) {
  headers.insert(headers.begin(), {"Host", "127.0.0.1"});
  headers.emplace_back("Transfer-Encoding", "chunked");
  std::string body =
      Chunk(data.substr(0, data.size() / 2)) + Chunk(data.substr(data.size() / 2)) + "0\r\n\r\n";
  return {std::move(method), std::move(target), "HTTP/1.1", std::move(headers), std::move(body)};
}

// Fields a mutation adds: framing conflicts, impossible numbers, wrong protocol values.
inline const std::vector<std::pair<std::string, std::string>> kHostileFields = {
    {"Transfer-Encoding", "chunked"},
    {"Transfer-Encoding", "gzip, chunked"},
    {"Transfer-Encoding", "identity"},
    {"Content-Length", "5"},
    {"Content-Length", "-1"},
    {"Content-Length", "18446744073709551616"},
    {"Content-Length", "3, 3"},
    {"Expect", "100-continue"},
    {"Expect", "something-else"},
    {"X-HTTP-Method-Override", "FROB"},
    {"X-HTTP-Method-Override", "HEAD"},
    {"Upload-Offset", "9223372036854775807"},
    {"Upload-Length", "18446744073709551615"},
    {"Upload-Defer-Length", "1"},
    {"Upload-Metadata", "a Zg==,a Zg=="},
    {"Upload-Concat", "final;/files/ /files/x http://evil.example/files/y"},
    {"Upload-Checksum", "sha256 AAAA"},
    {"Upload-Checksum", "crc32 AAAAAA=="},
    {"Upload-Complete", "?1"},
    {"Upload-Incomplete", "maybe"},
    {"Upload-Draft-Interop-Version", "7"},
    {"Upload-Draft-Interop-Version", "8"},
    {"Tus-Resumable", "0.2.2"},
    {"Connection", "close"},
    {"Connection", "Upgrade, HTTP2-Settings"},
    {"Upgrade", "h2c"},
    {"Range", "bytes=-0"},
    {"Range", "bytes=0-1,2-3"},
    {"Content-Type", "application/partial-upload"},
    {"Content-Disposition", "attachment; filename*=UTF-8''%00%0d%0a"},
    {"Host", ""},
    {"Origin", "null"},
    {"Authorization", "Bearer "},
};

// Values a mutated field may take: empty, signed, overflowing, non-ASCII, controls, separators.
inline const std::vector<std::string> kHostileValues = {
    "",         "-1",  "99999999999999999999",
    "1e3",      " 7 ", "0x10",
    "\x80\xff", "?1",  "chunked",
    "\x01",     "%",   "final;",
    "=",        ",",   "\"",
    "a\tb",
};

// Bytes HTTP gives meaning to, and the ones it forbids.
inline constexpr char kHttpSpecialText[] = " \t\r\n:;,/?#%\"=\x7f\x80\xff\0";
inline constexpr std::string_view kHttpSpecialBytes(kHttpSpecialText, sizeof(kHttpSpecialText) - 1);

// Mutates requests from one seed.
class RequestMutator : public tuskd::testing::FuzzRandom {
 public:
  explicit RequestMutator(uint64_t seed) : FuzzRandom(seed, kHttpSpecialBytes) {}

  // One to three edits of the parts, then, one time in three, an edit of the bytes themselves.
  std::string Mutate(RequestParts parts) {
    for (uint64_t edits = 1 + Below(3); edits > 0; --edits) EditParts(parts);
    std::string bytes = parts.Render();
    if (OneIn(3)) EditBytes(bytes);
    return bytes;
  }

 private:
  std::string RandomBytes(size_t max) {
    std::string bytes(Below(max + 1), '\0');
    for (char& c : bytes) c = OneIn(2) ? SpecialByte() : AnyByte();
    return bytes;
  }

  // One byte-level edit of `text`: flip, replace with a special byte, insert, or delete.
  void EditText(std::string& text) {
    size_t at = Below(text.size() + 1);  // named: argument order is unspecified, seeds are not
    EditByte(text, at, Below(4), 3);
  }

  void EditParts(RequestParts& parts) {
    switch (Below(11)) {
      case 0:
        EditMethod(parts.method);
        break;
      case 1:
        EditTarget(parts.target);
        break;
      case 2: {
        static const std::vector<std::string> kVersions = {"HTTP/1.0",  "HTTP/2.0", "http/1.1",
                                                           "HTTP/1.1 ", "HTTP/9.9", ""};
        parts.version = kVersions[Below(kVersions.size())];
        break;
      }
      case 3:
        if (!parts.headers.empty()) EditText(parts.headers[Below(parts.headers.size())].first);
        break;
      case 4:
        if (!parts.headers.empty()) EditValue(parts.headers[Below(parts.headers.size())].second);
        break;
      case 5:
        if (!parts.headers.empty()) {
          parts.headers.erase(parts.headers.begin() +
                              static_cast<std::ptrdiff_t>(Below(parts.headers.size())));
        }
        break;
      case 6:
        if (!parts.headers.empty()) {
          auto copy = parts.headers[Below(parts.headers.size())];
          parts.headers.insert(
              parts.headers.begin() + static_cast<std::ptrdiff_t>(Below(parts.headers.size() + 1)),
              copy);
        }
        break;
      case 7:
        parts.headers.push_back(kHostileFields[Below(kHostileFields.size())]);
        break;
      case 8:
        EditContentLength(parts);
        break;
      case 9:
        Rechunk(parts);
        break;
      default:
        EditText(parts.body);
        break;
    }
  }

  void EditMethod(std::string& method) {
    static const std::vector<std::string> kMethods = {
        "", "get", "PUT", "CONNECT", "TRACE", "PATCH", "HEAD", "DELETE", "GET", "OPTIONS", "POST"};
    if (OneIn(2)) {
      method = kMethods[Below(kMethods.size())];
    } else if (OneIn(8)) {
      method.assign(1 + Below(5000), 'A');
    } else {
      EditText(method);
    }
  }

  void EditTarget(std::string& target) {
    static const std::vector<std::string> kPieces = {
        "/", "/../", "%", "%00", "%2e%2e", "?x=1", "#f", "/prediction", "//", "*", "\\", ".."};
    switch (Below(5)) {
      case 0:
        target.insert(Below(target.size() + 1), kPieces[Below(kPieces.size())]);
        break;
      case 1:
        target = OneIn(2) ? "*" : "http://evil.example" + target;
        break;
      case 2:
        target.append(Below(9000), 'x');  // past typical path limits, inside the 64 KiB head
        break;
      default:
        EditText(target);
        break;
    }
  }

  void EditValue(std::string& value) {
    switch (Below(4)) {
      case 0:
        value = kHostileValues[Below(kHostileValues.size())];
        break;
      case 1:
        value = RandomBytes(40);
        break;
      case 2:
        value.append(OneIn(2) ? 70000 : 300, OneIn(2) ? '9' : 'v');  // 431 or merely long
        break;
      default:
        EditText(value);
        break;
    }
  }

  // Content-Length that disagrees with the body (or is missing while a body is sent).
  void EditContentLength(RequestParts& parts) {
    auto field = std::find_if(parts.headers.begin(), parts.headers.end(),
                              [](const auto& f) { return f.first == "Content-Length"; });
    int64_t length = static_cast<int64_t>(parts.body.size()) + static_cast<int64_t>(Below(9)) - 4;
    if (field == parts.headers.end()) {
      parts.headers.emplace_back("Content-Length", std::to_string(std::max<int64_t>(length, 0)));
    } else if (OneIn(4)) {
      parts.headers.erase(field);
    } else {
      field->second = std::to_string(length);
    }
  }

  // The body re-framed as chunked, with a chunk size, extension, data or terminator wrong.
  void Rechunk(RequestParts& parts) {
    std::string data = parts.body.empty() ? "abcdef" : parts.body;
    std::erase_if(parts.headers, [](const auto& f) {
      return f.first == "Content-Length" || f.first == "Transfer-Encoding";
    });
    parts.headers.emplace_back("Transfer-Encoding", "chunked");
    std::string body = Chunk(data.substr(0, data.size() / 2));
    std::string rest = data.substr(data.size() / 2);
    switch (Below(8)) {
      case 0:  // size larger than the data that follows
        body += Chunk(rest).replace(0, 1, "f");
        break;
      case 1:
        body += "zz\r\n" + rest + "\r\n";
        break;
      case 2:
        body += "-1\r\n" + rest + "\r\n";
        break;
      case 3:
        body += "ffffffffffffffffff\r\n" + rest + "\r\n";
        break;
      case 4:
        body += Chunk(rest, "a=\"unterminated");
        break;
      case 5: {  // data without its CRLF
        std::string chunk = Chunk(rest);
        body += chunk.substr(0, chunk.size() - 2);
        break;
      }
      case 6:  // LF-only line ends
        body += std::to_string(rest.size()) + "\n" + rest + "\n0\n\n";
        parts.body = body;
        return;
      default:  // trailer fields after the last chunk
        body += Chunk(rest) + "0\r\nX-Trailer: 1\r\nUpload-Offset: 0\r\n\r\n";
        parts.body = body;
        return;
    }
    if (!OneIn(3)) body += "0\r\n\r\n";  // sometimes the terminator is missing too
    parts.body = body;
  }

  // Cut the request short, append garbage, corrupt bytes anywhere, or strip the CRs.
  void EditBytes(std::string& bytes) {
    switch (Below(4)) {
      case 0:
        bytes.resize(Below(bytes.size() + 1));
        break;
      case 1:
        bytes += RandomBytes(300);
        break;
      case 2:
        for (uint64_t edits = 1 + Below(4); edits > 0; --edits) EditText(bytes);
        break;
      default:
        std::erase(bytes, '\r');
        break;
    }
  }
};

}  // namespace tuskd::server::testing
