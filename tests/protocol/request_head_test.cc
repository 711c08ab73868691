#include "protocol/request_head.h"

#include <gtest/gtest.h>

namespace tuskd::protocol {
namespace {

TEST(EqualsIgnoreCaseTest, ComparesAsciiCaseInsensitively) {
  EXPECT_TRUE(EqualsIgnoreCase("Upload-Offset", "upload-offset"));
  EXPECT_TRUE(EqualsIgnoreCase("", ""));
  EXPECT_FALSE(EqualsIgnoreCase("Upload-Offset", "Upload-Offse"));
  EXPECT_FALSE(EqualsIgnoreCase("a", "b"));
}

TEST(HeaderMapTest, GetReturnsFirstValueCaseInsensitively) {
  HeaderMap headers;
  headers.Add("Upload-Length", "10");
  headers.Add("upload-length", "20");
  EXPECT_EQ(headers.Get("UPLOAD-LENGTH"), "10");
  EXPECT_EQ(headers.Count("Upload-Length"), 2u);
  EXPECT_TRUE(headers.Has("upload-LENGTH"));
  EXPECT_FALSE(headers.Has("Upload-Offset"));
  EXPECT_EQ(headers.Get("Upload-Offset"), std::nullopt);
  EXPECT_EQ(headers.Count("Upload-Offset"), 0u);
  EXPECT_EQ(headers.fields().size(), 2u);
}

TEST(RequestHeadTest, HasBodyWhenChunkedOrPositiveLength) {
  RequestHead head;
  EXPECT_FALSE(head.has_body());
  head.content_length = 0;
  EXPECT_FALSE(head.has_body());
  head.content_length = 1;
  EXPECT_TRUE(head.has_body());
  head.content_length.reset();
  head.chunked = true;
  EXPECT_TRUE(head.has_body());
}

}  // namespace
}  // namespace tuskd::protocol
