// Shared pieces of the tuskctl tests: temporary directories, running the tuskctl binary and
// collecting its output and exit code, a real tuskd on a loopback port (stopped by its PID,
// never by name), a small HTTP client for it, and a store built directly with UploadStore
// (what a stopped server leaves). Not thread-safe: one test thread drives them.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/clock.h"
#include "store/upload_store.h"
#include "tests/server/tuskd_process.h"

#include "tests/common/scoped_temp_dir.h"

namespace tuskd::tuskctl::testing {

// Every tuskctl test works in a fresh directory of its own.
using TempDir = ScopedTempDir;

struct RunResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs TUSKCTL_BINARY with --data-dir `data_dir` then `args`, with `env` added to the
// environment (and NO_COLOR/COLUMNS/TERM cleared unless `env` sets them). Waits up to 60 s.
RunResult RunTuskctl(const std::string& data_dir, const std::vector<std::string>& args,
                     const std::vector<std::string>& env = {});

// Each non-empty line of `text` parsed as JSON; a line that does not parse fails the test.
std::vector<nlohmann::json> JsonLines(const std::string& text);

// A tuskd process on 127.0.0.1 with a free port, on `data_dir` (tests/server/tuskd_process.h
// starts and stops it; TUSKD_TEST_BINARY picks another build there too).
class TuskdServer : public server::testing::TuskdProcess {
 public:
  explicit TuskdServer(std::string data_dir, std::vector<std::string> extra_flags = {});
  std::string base_url() const { return "http://" + authority(); }
};

struct HttpReply {
  long status = 0;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
};

// One request, never through a proxy.
HttpReply Http(const std::string& method, const std::string& url,
               const std::vector<std::string>& headers = {}, const std::string& body = "");

// tus creation on a running tuskd: the new upload's id.
std::string CreateTusUpload(const std::string& base_url, uint64_t length,
                            const std::string& filename);
// tus PATCH of `bytes` at `offset`; the response status.
long PatchTusUpload(const std::string& base_url, const std::string& id, uint64_t offset,
                    const std::string& bytes);

// A store opened directly, as tuskd would, for building data dirs; close it before tuskctl
// runs against the directory as a stopped store.
class DirectStore {
 public:
  explicit DirectStore(const std::string& data_dir, int64_t expiration_seconds = 3600);
  store::UploadStore& operator*() { return *store_; }
  store::UploadStore* operator->() { return store_.get(); }
  void Close() { store_.reset(); }

  // Creates an upload with `length` (nullopt: deferred) and a filename, created at `now`.
  std::string Create(std::optional<uint64_t> length, const std::string& filename, int64_t now);
  // Appends and commits under the lease.
  void Append(const std::string& id, std::string_view bytes, int64_t now);

 private:
  std::unique_ptr<store::UploadStore> store_;
};

std::string Sha256Hex(std::string_view data);
// Deterministic filler: `size` bytes from a seed.
std::string TestBytes(size_t size, unsigned seed);

}  // namespace tuskd::tuskctl::testing
