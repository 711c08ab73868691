// The expiry index's key layout: time order first, then the id.
#include "store/expiry_index.h"

#include <gtest/gtest.h>

#include <string>

namespace tuskd::store {
namespace {

TEST(ExpiryKeyTest, SortsByTimeThenId) {
  std::string id = "0123456789abcdef0123456789abcdef";
  EXPECT_LT(ExpiryKey(255, id), ExpiryKey(256, id));
  EXPECT_LT(ExpiryKey(1, "f" + id.substr(1)), ExpiryKey(2, id));
  EXPECT_LT(ExpiryKey(1700000000, id), ExpiryKey(1800000000, id));
  int64_t time = 0;
  std::string parsed;
  ASSERT_TRUE(ParseExpiryKey(ExpiryKey(1700000123, id), &time, &parsed));
  EXPECT_EQ(time, 1700000123);
  EXPECT_EQ(parsed, id);
  EXPECT_FALSE(ParseExpiryKey("short", &time, &parsed));
}

}  // namespace
}  // namespace tuskd::store
