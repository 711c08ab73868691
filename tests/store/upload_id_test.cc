#include "store/upload_id.h"

#include <gtest/gtest.h>

#include <set>

namespace tuskd::store {
namespace {

TEST(UploadIdTest, NewIdsAreValidLowerHexAndDistinct) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    std::string id = NewUploadId();
    ASSERT_EQ(id.size(), kUploadIdLength);
    ASSERT_TRUE(IsValidUploadId(id)) << id;
    ASSERT_TRUE(seen.insert(id).second) << "duplicate id " << id;
  }
}

TEST(UploadIdTest, AcceptsExactlyThirtyTwoLowerHexCharacters) {
  EXPECT_TRUE(IsValidUploadId("0123456789abcdef0123456789abcdef"));
  EXPECT_FALSE(IsValidUploadId(""));
  EXPECT_FALSE(IsValidUploadId("0123456789abcdef0123456789abcde"));    // 31
  EXPECT_FALSE(IsValidUploadId("0123456789abcdef0123456789abcdef0"));  // 33
  EXPECT_FALSE(IsValidUploadId("0123456789ABCDEF0123456789abcdef"));   // upper case
  EXPECT_FALSE(IsValidUploadId("0123456789abcdeg0123456789abcdef"));
  EXPECT_FALSE(IsValidUploadId("../../../../../../../../etc/passw"));
  EXPECT_FALSE(
      IsValidUploadId(std::string_view("0123456789abcdef\0"
                                       "123456789abcdef",
                                       32)));
}

}  // namespace
}  // namespace tuskd::store
