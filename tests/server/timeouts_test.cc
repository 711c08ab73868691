// 408 against a real tuskd: a head that stalls is answered after --header-timeout whatever
// the other timeouts are, and an idle connection is closed without a response.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "tests/server/raw_client.h"
#include "tests/server/shared_tuskd.h"

namespace tuskd::server::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// Only --header-timeout is short: the head timeout must not depend on other timeouts.
class HeaderTimeoutTest : public SharedTuskdTest<HeaderTimeoutTest> {
 public:
  static std::vector<std::string> Flags() { return {"--header-timeout", "1s"}; }
};

// Regression: the watchdog once stayed armed for the first deadline it was given (the 120 s idle
// timeout), so a stalled head was answered only when the idle timeout passed.
TEST_F(HeaderTimeoutTest, PartialHeadThenSilenceAnswers408AndCloses) {
  RawClient client(port(), seconds(6));
  ASSERT_TRUE(client.Send("HEAD /files/ HTTP/1.1\r\nTus-Resum"));
  HttpResponse r = client.ReadResponse(/*to_head=*/true);
  EXPECT_EQ(r.status, 408) << r.error;
  EXPECT_TRUE(client.WaitForClose(seconds(2)));
}

// The same behaviour when every timeout is short (the watchdog fires at the right time).
class AllTimeoutsShortTest : public SharedTuskdTest<AllTimeoutsShortTest> {
 public:
  static std::vector<std::string> Flags() {
    return {"--header-timeout", "1s", "--idle-timeout", "1s", "--body-timeout", "1s"};
  }
};

TEST_F(AllTimeoutsShortTest, PartialHeadThenSilenceAnswers408AndCloses) {
  RawClient client(port(), seconds(6));
  ASSERT_TRUE(client.Send("GET /healthz HTTP/1.1\r\nHost: x"));
  HttpResponse r = client.ReadResponse();
  EXPECT_EQ(r.status, 408) << r.error;
  EXPECT_EQ(r.body.rfind("ERR_REQUEST_TIMEOUT", 0), 0u) << r.body;
  EXPECT_TRUE(client.WaitForClose(seconds(2)));
}

TEST_F(AllTimeoutsShortTest, IdleConnectionIsClosedWithoutAResponse) {
  RawClient client(port(), seconds(6));
  EXPECT_TRUE(client.WaitForClose(seconds(5)));
}

}  // namespace
}  // namespace tuskd::server::testing
