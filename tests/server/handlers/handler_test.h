// The fixture of the in-process handler tests: a real UploadStore in a fresh directory, opened
// on the fault-injection file system (tests/common/fault_injection_file_system.h: fail an
// append at byte N, ENOSPC, a failed sync, a crash that drops unsynced bytes), the Services a
// server would build around it, and a way to run a handler coroutine to its end on this thread
// (blocking-pool work resumes here, as it resumes on a connection's io thread).
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "protocol/request_head.h"
#include "server/blocking_pool.h"
#include "server/metrics.h"
#include "server/server_config.h"
#include "server/services.h"
#include "store/concat_joiner.h"
#include "store/upload_store.h"
#include "tests/common/fault_injection_file_system.h"
#include "tests/common/scoped_temp_dir.h"
#include "tests/server/handlers/scripted_exchange.h"

namespace tuskd::server::testing {

class HandlerTest : public ::testing::Test {
 protected:
  static constexpr int64_t kExpiration = 3600;

  HandlerTest();
  ~HandlerTest() override;

  void SetUp() override { OpenStore(); }
  void OpenStore();
  void CloseStore();
  // Power loss: the store closes, every byte not synced is dropped, and the store reopens (and
  // recovers, I3). What it holds afterwards is what was durable.
  void CrashAndReopen();

  // Runs `task` on an io_context of this thread until it ends; rethrows what it threw.
  void Run(boost::asio::awaitable<void> task);

  // A new upload straight from the store; its id.
  std::string NewUpload(std::optional<uint64_t> length, std::string compression = "none");
  store::UploadRecord Record(const std::string& id);
  // The committed bytes, decompressed, through an UploadReader.
  std::string Committed(const std::string& id);
  // Bytes in the upload's data file (compressed when the upload is).
  uint64_t DataFileSize(const std::string& id);

  // The fields every tus PATCH carries.
  protocol::RequestHead PatchBase(const std::string& id, uint64_t offset) const;
  // A tus PATCH head at `offset` with a Content-Length body (`content_length`), plus `extra`.
  protocol::RequestHead PatchHead(const std::string& id, uint64_t offset, uint64_t content_length,
                                  std::vector<std::pair<std::string, std::string>> extra = {});
  // The same with a chunked body.
  protocol::RequestHead ChunkedPatchHead(
      const std::string& id, uint64_t offset,
      std::vector<std::pair<std::string, std::string>> extra = {});
  // A tus creation POST (creation-with-upload when content_length > 0).
  protocol::RequestHead CreateHead(uint64_t length, uint64_t content_length,
                                   std::vector<std::pair<std::string, std::string>> extra = {});
  // An exchange for `head` whose body is `body` in pieces of `piece` bytes.
  std::unique_ptr<ScriptedExchange> Exchange(protocol::RequestHead head, std::string_view body,
                                             size_t piece);

  // Durable commits counted so far (tuskd_commits_total).
  uint64_t CommitsCounted() const;

  ScopedTempDir dir_;
  FaultInjectionFileSystem fs_;
  ServerConfig config_;
  BlockingPool pool_{1};
  Metrics metrics_;
  std::unique_ptr<store::UploadStore> store_;
  std::unique_ptr<store::ConcatJoiner> joiner_;
  std::unique_ptr<Services> services_;
};

// The first value of `name` in `response`'s headers, or "" when absent.
std::string HeaderOf(const protocol::Response& response, std::string_view name);
// `n` bytes that differ from piece to piece and compress well (text-like).
std::string TextBytes(size_t n);
// The base64 of a digest, as Upload-Checksum carries it: "sha1 <base64>" of `data`.
std::string Sha1Checksum(std::string_view data);

}  // namespace tuskd::server::testing
