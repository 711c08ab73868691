// A GoogleTest fixture base for suites that share one tuskd: the process starts once before the
// suite's first test (with Derived::Flags()) and stops after its last. Tests of one suite must
// not depend on each other's uploads; each creates its own.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "tests/server/raw_client.h"
#include "tests/server/tuskd_process.h"

namespace tuskd::server::testing {

// Whether GET `path` answers 200 with exactly `expected`; on failure, says where the bytes
// first differ instead of printing megabytes.
inline ::testing::AssertionResult StoredBytesAre(uint16_t port, std::string_view path,
                                                 const std::string& expected) {
  HttpResponse r = Exchange(port, "GET", path, {});
  if (r.status != 200) {
    return ::testing::AssertionFailure()
           << "GET " << path << " answered " << r.status << " " << r.error << r.body.substr(0, 200);
  }
  if (r.body == expected) return ::testing::AssertionSuccess();
  size_t first = 0;
  while (first < r.body.size() && first < expected.size() && r.body[first] == expected[first]) {
    ++first;
  }
  return ::testing::AssertionFailure() << "stored " << r.body.size() << " bytes, expected "
                                       << expected.size() << "; first difference at byte " << first;
}

// A new upload of `length` bytes (nullopt: deferred) holding `content` so far; its path.
inline std::string UploadWithContent(uint16_t port, std::optional<uint64_t> length,
                                     const std::string& content = "",
                                     const HeaderFields& extra = {}) {
  CreatedUpload created = CreateUpload(port, length, extra);
  EXPECT_EQ(created.response.status, 201) << created.response.error << created.response.body;
  if (!content.empty()) {
    HttpResponse patched = Exchange(port, "PATCH", created.path, PatchHeaders(0), content);
    EXPECT_EQ(patched.status, 204) << patched.error << patched.body;
  }
  return created.path;
}

template <typename Derived>
class SharedTuskdTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = std::make_unique<TuskdProcess>(Derived::Flags());
    start_error_.clear();
    if (!server_->Start(&start_error_)) server_.reset();
  }
  static void TearDownTestSuite() { server_.reset(); }
  // A test that crashes the server fails (TearDown), and the next test gets a fresh server, so
  // one server bug does not fail every later test of the suite.
  void SetUp() override {
    if (server_ && !server_->Alive()) {
      start_error_.clear();
      if (!server_->Start(&start_error_)) server_.reset();
    }
    ASSERT_TRUE(server_) << "tuskd did not start: " << start_error_;
  }
  void TearDown() override {
    if (server_ && !server_->Alive()) {
      ADD_FAILURE() << "tuskd died during this test (exit code " << server_->last_exit_code()
                    << "); its log:\n"
                    << server_->Log();
    }
  }

  static TuskdProcess& server() { return *server_; }
  static uint16_t port() { return server_->port(); }

 private:
  static inline std::unique_ptr<TuskdProcess> server_;
  static inline std::string start_error_;
};

// A shared tuskd (--max-size 1M) for suites that create uploads holding a few bytes.
template <typename Derived>
class UploadsTest : public SharedTuskdTest<Derived> {
 public:
  static std::vector<std::string> Flags() { return {"--max-size", "1M"}; }

 protected:
  std::string NewUpload(std::optional<uint64_t> length, const std::string& content = "",
                        const HeaderFields& extra = {}) {
    return UploadWithContent(SharedTuskdTest<Derived>::port(), length, content, extra);
  }
};

}  // namespace tuskd::server::testing
