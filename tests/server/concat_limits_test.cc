// The limits of concatenation against a real tuskd: --max-size holds for a final upload at
// every moment, also when its parts' lengths are deferred and one part is named many times
// (once a disk-amplification attack: a 1 MiB part named 20 times became a 20 MiB final on a
// 10 MiB server); --max-concat-parts bounds the part list; no length above 2^63-1 is accepted
// or reported.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>

#include "tests/server/concat_client.h"
#include "tests/server/raw_client.h"
#include "tests/server/shared_tuskd.h"

namespace tuskd::server::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr char kMaxLength[] = "9223372036854775807";  // 2^63-1

// `part` named `times` times, space-separated.
std::string Repeated(const std::string& part, int times) {
  std::string parts;
  for (int i = 0; i < times; ++i) parts += (i ? " " : "") + part;
  return parts;
}

// Polls HEAD on `path` until it answers `status`, within `timeout`; every answer on the way is
// checked by `check`.
template <typename Check>
bool WaitForStatus(uint16_t port, const std::string& path, int status, Check check,
                   seconds timeout = seconds(10)) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    HttpResponse head = Exchange(port, "HEAD", path, kTusHeaders);
    check(head);
    if (head.status == status) return true;
    std::this_thread::sleep_for(milliseconds(20));
  }
  return false;
}

class ConcatLimitsTest : public SharedTuskdTest<ConcatLimitsTest> {
 public:
  static std::vector<std::string> Flags() {
    return {"--max-size", "10K", "--max-concat-parts", "40"};
  }
};

// The attack: a deferred part named 20 times, then given 1 KiB. The final is terminated before
// a byte is joined; the part itself stays intact (it is within the limit on its own).
TEST_F(ConcatLimitsTest, DeferredPartsThatAddUpPastMaxSizeTerminateTheFinal) {
  std::string part = NewPart(port(), std::nullopt, "");
  HttpResponse created = PostFinal(port(), Repeated(part, 20));
  ASSERT_EQ(created.status, 201) << created.body;
  std::string final_path = PathOf(created);

  const std::string bytes = TestBytes(1024, 7);
  HttpResponse patched =
      Exchange(port(), "PATCH", part, PatchHeaders(0, {{"Upload-Length", "1024"}}), bytes);
  ASSERT_EQ(patched.status, 204) << patched.body;

  EXPECT_TRUE(WaitForStatus(port(), final_path, 410, [](const HttpResponse& head) {
    // Never a length or offset past the limit, on the way to 410 either.
    if (auto length = head.Header("Upload-Length")) EXPECT_LE(std::stoull(*length), 10240u);
    if (auto offset = head.Header("Upload-Offset")) EXPECT_EQ(*offset, "0");
  }));
  EXPECT_TRUE(StoredBytesAre(port(), part, bytes));
}

// Parts whose lengths are known when the final is created are summed then, repeats included.
TEST_F(ConcatLimitsTest, KnownPartsNamedManyTimesAreRefused) {
  std::string part = NewPart(port(), 1024, TestBytes(1024, 8));
  HttpResponse ten = PostFinal(port(), Repeated(part, 10));
  EXPECT_EQ(ten.status, 201) << ten.body;
  HttpResponse eleven = PostFinal(port(), Repeated(part, 11));
  EXPECT_EQ(eleven.status, 413) << eleven.body;
  EXPECT_EQ(eleven.body.rfind("ERR_MAX_SIZE_EXCEEDED", 0), 0u) << eleven.body;
}

TEST_F(ConcatLimitsTest, MorePartsThanAllowedAreRefused) {
  std::string part = NewPart(port(), 1, "x");
  HttpResponse most = PostFinal(port(), Repeated(part, 40));
  EXPECT_EQ(most.status, 201) << most.body;
  HttpResponse more = PostFinal(port(), Repeated(part, 41));
  EXPECT_EQ(more.status, 400) << more.body;
  EXPECT_EQ(more.body.rfind("ERR_INVALID_CONCAT: ", 0), 0u) << more.body;
  EXPECT_NE(more.body.find("--max-concat-parts"), std::string::npos) << more.body;
}

// Without --max-size the limit is 2^63-1: parts of that length each cannot form a final.
class UnlimitedConcatTest : public SharedTuskdTest<UnlimitedConcatTest> {
 public:
  static std::vector<std::string> Flags() { return {}; }
};

TEST_F(UnlimitedConcatTest, KnownLengthsPast2To63AreRefused) {
  std::string a = NewPart(port(), std::nullopt, "");
  std::string b = NewPart(port(), std::nullopt, "");
  for (const std::string& part : {a, b}) {
    HttpResponse declared =
        Exchange(port(), "PATCH", part, PatchHeaders(0, {{"Upload-Length", kMaxLength}}));
    ASSERT_EQ(declared.status, 204) << declared.body;
  }
  HttpResponse created = PostFinal(port(), a + " " + b);
  EXPECT_EQ(created.status, 400) << created.body;
  EXPECT_EQ(created.body.rfind("ERR_INVALID_LENGTH", 0), 0u) << created.body;
}

TEST_F(UnlimitedConcatTest, DeferredLengthsPast2To63TerminateTheFinal) {
  std::string a = NewPart(port(), std::nullopt, "");
  std::string b = NewPart(port(), std::nullopt, "");
  HttpResponse created = PostFinal(port(), a + " " + b);
  ASSERT_EQ(created.status, 201) << created.body;
  std::string final_path = PathOf(created);
  for (const std::string& part : {a, b}) {
    HttpResponse declared =
        Exchange(port(), "PATCH", part, PatchHeaders(0, {{"Upload-Length", kMaxLength}}));
    ASSERT_EQ(declared.status, 204) << declared.body;
  }
  EXPECT_TRUE(WaitForStatus(port(), final_path, 410, [](const HttpResponse& head) {
    // 18446744073709551614 was once reported here.
    if (auto length = head.Header("Upload-Length")) {
      EXPECT_LE(std::stoull(*length), std::stoull(kMaxLength)) << *length;
    }
  }));
}

}  // namespace
}  // namespace tuskd::server::testing
