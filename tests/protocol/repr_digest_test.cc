// Repr-Digest (RFC 9530) on HEAD and GET: present, in sha-256=:<base64>: form, exactly when
// the upload is complete.
#include <gtest/gtest.h>

#include "protocol/decisions.h"
#include "tests/protocol/protocol_test_util.h"

namespace tuskd::protocol {
namespace {

using testing::Find;
using testing::MakeHead;

// sha256("hello world")
constexpr char kHelloHex[] = "b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9";
constexpr char kHelloDigest[] = "sha-256=:uU0nuZNNPgilLlLX2n2r+sSE7+N6U4DukIj3rOLvzek=:";

UploadView Complete() {
  UploadView view;
  view.id = "0123456789abcdef0123456789abcdef";
  view.length = 11;
  view.offset = 11;
  view.state = UploadState::kComplete;
  view.sha256_hex = kHelloHex;
  return view;
}

TEST(ReprDigestTest, HeadOfCompleteUploadCarriesIt) {
  auto decision = DecideHead(Complete(), ServerPolicy{});
  auto& response = std::get<Response>(decision);
  EXPECT_EQ(Find(response.headers, "Repr-Digest"), kHelloDigest);
}

TEST(ReprDigestTest, DownloadOfCompleteUploadCarriesItEvenForRanges) {
  auto whole = DecideDownload(MakeHead("GET", {}), Complete());
  EXPECT_EQ(Find(std::get<DownloadPlan>(whole).head.headers, "Repr-Digest"), kHelloDigest);
  auto part = DecideDownload(MakeHead("GET", {{"Range", "bytes=0-4"}}), Complete());
  EXPECT_EQ(Find(std::get<DownloadPlan>(part).head.headers, "Repr-Digest"), kHelloDigest);
  auto wanted =
      DecideDownload(MakeHead("GET", {{"Want-Repr-Digest", "sha-256=9, sha-512=3"}}), Complete());
  EXPECT_EQ(Find(std::get<DownloadPlan>(wanted).head.headers, "Repr-Digest"), kHelloDigest);
}

TEST(ReprDigestTest, AbsentWhileReceiving) {
  UploadView view = Complete();
  view.state = UploadState::kReceiving;
  view.offset = 5;
  view.sha256_hex.reset();
  auto decision = DecideHead(view, ServerPolicy{});
  EXPECT_FALSE(Find(std::get<Response>(decision).headers, "Repr-Digest"));
  auto download = DecideDownload(MakeHead("GET", {}), view);
  EXPECT_FALSE(Find(std::get<DownloadPlan>(download).head.headers, "Repr-Digest"));
}

}  // namespace
}  // namespace tuskd::protocol
