#include "predict/byte_source.h"

#include <gtest/gtest.h>

#include <string>

namespace tuskd::predict {
namespace {

TEST(MemoryByteSourceTest, ServesChunksThenEnd) {
  MemoryByteSource source("abcdefg", 3);
  char buffer[8];
  size_t n = 0;
  std::string error;
  std::string got;
  while (source.Read(buffer, &n, &error) && n > 0) {
    EXPECT_LE(n, 3u);
    got.append(buffer, n);
  }
  EXPECT_EQ(got, "abcdefg");
  EXPECT_EQ(n, 0u);
}

}  // namespace
}  // namespace tuskd::predict
