#include "tests/server/handlers/handler_test.h"

#include <openssl/evp.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include "base/base64.h"

namespace tuskd::server::testing {

namespace asio = boost::asio;

HandlerTest::HandlerTest() {
  config_.data_dir = dir_.path();
  config_.expiration = std::chrono::seconds(kExpiration);
  config_.checkpoint_bytes = 64ull << 20;
  config_.lock_timeout = std::chrono::milliseconds(500);
}

HandlerTest::~HandlerTest() { CloseStore(); }

void HandlerTest::OpenStore() {
  store::StoreOptions options;
  options.data_dir = dir_.path();
  options.expiration_seconds = kExpiration;
  options.fs = &fs_;
  Status status = store::UploadStore::Open(options, &store_);
  ASSERT_TRUE(status.ok()) << status.ToString();
  joiner_ = std::make_unique<store::ConcatJoiner>(store_.get(), [](const std::string&) {});
  services_.reset(
      new Services{config_, PolicyFor(config_), *store_, pool_, metrics_, *joiner_, {}, {}});
}

void HandlerTest::CloseStore() {
  services_.reset();
  joiner_.reset();
  store_.reset();
}

void HandlerTest::CrashAndReopen() {
  CloseStore();
  Status crashed = fs_.Crash();
  ASSERT_TRUE(crashed.ok()) << crashed.ToString();
  OpenStore();
}

void HandlerTest::Run(asio::awaitable<void> task) {
  asio::io_context io;
  auto work = asio::make_work_guard(io);
  std::exception_ptr error;
  bool done = false;
  asio::co_spawn(io, std::move(task), [&](std::exception_ptr e) {
    error = e;
    done = true;
    work.reset();
  });
  io.run();
  ASSERT_TRUE(done);
  if (error) std::rethrow_exception(error);
}

std::string HandlerTest::NewUpload(std::optional<uint64_t> length, std::string compression) {
  store::NewUpload spec;
  spec.length = length;
  spec.compression = *compress::CompressionModeFromString(compression);
  store::UploadRecord record;
  Status status = store_->Create(spec, 1000, &record);
  EXPECT_TRUE(status.ok()) << status.ToString();
  return record.id;
}

store::UploadRecord HandlerTest::Record(const std::string& id) {
  store::UploadRecord record;
  Status status = store_->Get(id, &record);
  EXPECT_TRUE(status.ok()) << status.ToString();
  return record;
}

std::string HandlerTest::Committed(const std::string& id) {
  std::unique_ptr<store::UploadReader> reader;
  Status status = store_->OpenReader(id, &reader);
  EXPECT_TRUE(status.ok()) << status.ToString();
  if (!status.ok()) return "";
  std::string out;
  std::vector<char> buffer(4096);
  for (;;) {
    size_t n = 0;
    status = reader->Read(out.size(), {buffer.data(), buffer.size()}, &n);
    EXPECT_TRUE(status.ok()) << status.ToString();
    if (!status.ok() || n == 0) break;
    out.append(buffer.data(), n);
  }
  EXPECT_EQ(out.size(), reader->size());
  return out;
}

uint64_t HandlerTest::DataFileSize(const std::string& id) {
  uint64_t size = 0;
  Status status = fs_.FileSize(store_->DataPath(id), &size);
  EXPECT_TRUE(status.ok()) << status.ToString();
  return size;
}

protocol::RequestHead HandlerTest::PatchBase(const std::string& id, uint64_t offset) const {
  protocol::RequestHead head;
  head.method = "PATCH";
  head.path = config_.base_path + id;
  head.headers.Add("Tus-Resumable", "1.0.0");
  head.headers.Add("Content-Type", "application/offset+octet-stream");
  head.headers.Add("Upload-Offset", std::to_string(offset));
  return head;
}

protocol::RequestHead HandlerTest::PatchHead(
    const std::string& id, uint64_t offset, uint64_t content_length,
    std::vector<std::pair<std::string, std::string>> extra) {
  protocol::RequestHead head = PatchBase(id, offset);
  head.headers.Add("Content-Length", std::to_string(content_length));
  for (auto& [name, value] : extra) head.headers.Add(name, value);
  head.content_length = content_length;
  return head;
}

protocol::RequestHead HandlerTest::ChunkedPatchHead(
    const std::string& id, uint64_t offset,
    std::vector<std::pair<std::string, std::string>> extra) {
  protocol::RequestHead head = PatchBase(id, offset);
  head.headers.Add("Transfer-Encoding", "chunked");
  for (auto& [name, value] : extra) head.headers.Add(name, value);
  head.chunked = true;
  return head;
}

protocol::RequestHead HandlerTest::CreateHead(
    uint64_t length, uint64_t content_length,
    std::vector<std::pair<std::string, std::string>> extra) {
  protocol::RequestHead head;
  head.method = "POST";
  head.path = config_.base_path;
  head.headers.Add("Tus-Resumable", "1.0.0");
  head.headers.Add("Upload-Length", std::to_string(length));
  if (content_length > 0) {
    head.headers.Add("Content-Type", "application/offset+octet-stream");
    head.headers.Add("Content-Length", std::to_string(content_length));
    head.content_length = content_length;
  }
  for (auto& [name, value] : extra) head.headers.Add(name, value);
  return head;
}

std::unique_ptr<ScriptedExchange> HandlerTest::Exchange(protocol::RequestHead head,
                                                        std::string_view body, size_t piece) {
  auto exchange = std::make_unique<ScriptedExchange>(*services_, std::move(head));
  for (size_t at = 0; at < body.size(); at += piece) {
    exchange->AddPiece(std::string(body.substr(at, piece)));
  }
  return exchange;
}

uint64_t HandlerTest::CommitsCounted() const {
  std::string text = metrics_.Render({});
  const std::string name = "\ntuskd_commits_total ";
  size_t at = text.find(name);
  if (at == std::string::npos) return 0;
  return std::stoull(text.substr(at + name.size()));
}

std::string HeaderOf(const protocol::Response& response, std::string_view name) {
  for (const auto& [key, value] : response.headers) {
    if (protocol::EqualsIgnoreCase(key, name)) return value;
  }
  return "";
}

std::string TextBytes(size_t n) {
  std::string out;
  out.reserve(n);
  for (size_t i = 0; out.size() < n; ++i) out += "line " + std::to_string(i) + " of the upload\n";
  out.resize(n);
  return out;
}

std::string Sha1Checksum(std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_Digest(data.data(), data.size(), md, &size, EVP_sha1(), nullptr);
  return "sha1 " + EncodeBase64(std::string_view(reinterpret_cast<const char*>(md), size));
}

}  // namespace tuskd::server::testing
