// The checksum extension's rules for a body (protocol/body_checksum.h): header or trailer,
// the algorithms to run, checkpoints, and the failure for each way a checksum goes wrong.
#include "protocol/body_checksum.h"

#include <gtest/gtest.h>

#include "tests/protocol/protocol_test_util.h"

namespace tuskd::protocol {
namespace {

using testing::FailureCode;
using testing::MakeHead;

ServerPolicy TrailerPolicy() {
  ServerPolicy policy;
  policy.checksum_algorithms = {"sha1", "sha256", "md5"};
  policy.checksum_trailer = true;
  return policy;
}

ChecksumHeader Sha1Of(std::string digest) { return ChecksumHeader{"sha1", std::move(digest)}; }

TEST(BodyChecksumTest, NoChecksumMeansAnUnverifiedBodyWithCheckpoints) {
  BodyChecksum checksum =
      DecideBodyChecksum(MakeHead("PATCH", {}, 10), std::nullopt, TrailerPolicy());
  EXPECT_FALSE(checksum.verified());
  EXPECT_TRUE(AllowsCheckpoints(checksum));
  EXPECT_TRUE(AlgorithmsToCompute(checksum, TrailerPolicy()).empty());
}

TEST(BodyChecksumTest, AHeaderRunsItsAlgorithmOnlyAndForbidsCheckpoints) {
  BodyChecksum checksum =
      DecideBodyChecksum(MakeHead("PATCH", {}, 10), Sha1Of("digest"), TrailerPolicy());
  EXPECT_TRUE(checksum.verified());
  EXPECT_FALSE(checksum.trailer);
  EXPECT_FALSE(AllowsCheckpoints(checksum));
  EXPECT_EQ(AlgorithmsToCompute(checksum, TrailerPolicy()), std::vector<std::string>{"sha1"});
  auto expected = ExpectedChecksum(checksum, std::nullopt, TrailerPolicy());
  ASSERT_TRUE(std::holds_alternative<ChecksumHeader>(expected));
  EXPECT_EQ(std::get<ChecksumHeader>(expected).digest, "digest");
}

TEST(BodyChecksumTest, AHeaderWinsOverAnAnnouncedTrailer) {
  RequestHead head = MakeHead("PATCH", {{"Trailer", "Upload-Checksum"}}, std::nullopt, true);
  BodyChecksum checksum = DecideBodyChecksum(head, Sha1Of("up-front"), TrailerPolicy());
  EXPECT_FALSE(checksum.trailer);
  // A trailer that came anyway is not what the body is checked against.
  auto expected = ExpectedChecksum(checksum, "sha256 AAAA", TrailerPolicy());
  ASSERT_TRUE(std::holds_alternative<ChecksumHeader>(expected));
  EXPECT_EQ(std::get<ChecksumHeader>(expected).digest, "up-front");
}

TEST(BodyChecksumTest, AnAnnouncedTrailerOnAChunkedBodyRunsEveryOfferedAlgorithm) {
  for (const char* announced : {"Upload-Checksum", "upload-checksum", "X-A, UPLOAD-CHECKSUM"}) {
    RequestHead head = MakeHead("PATCH", {{"Trailer", announced}}, std::nullopt, true);
    BodyChecksum checksum = DecideBodyChecksum(head, std::nullopt, TrailerPolicy());
    EXPECT_TRUE(checksum.trailer) << announced;
    EXPECT_FALSE(AllowsCheckpoints(checksum));
    EXPECT_EQ(AlgorithmsToCompute(checksum, TrailerPolicy()),
              (std::vector<std::string>{"sha1", "sha256", "md5"}));
  }
}

TEST(BodyChecksumTest, ATrailerCountsOnlyWhenAnnouncedOnAChunkedBodyAndOffered) {
  RequestHead length_body = MakeHead("PATCH", {{"Trailer", "Upload-Checksum"}}, 10);
  EXPECT_FALSE(DecideBodyChecksum(length_body, std::nullopt, TrailerPolicy()).trailer);
  RequestHead other = MakeHead("PATCH", {{"Trailer", "X-Other"}}, std::nullopt, true);
  EXPECT_FALSE(DecideBodyChecksum(other, std::nullopt, TrailerPolicy()).trailer);
  RequestHead unannounced = MakeHead("PATCH", {}, std::nullopt, true);
  EXPECT_FALSE(DecideBodyChecksum(unannounced, std::nullopt, TrailerPolicy()).trailer);
  ServerPolicy no_trailers = TrailerPolicy();
  no_trailers.checksum_trailer = false;
  RequestHead announced = MakeHead("PATCH", {{"Trailer", "Upload-Checksum"}}, std::nullopt, true);
  EXPECT_FALSE(DecideBodyChecksum(announced, std::nullopt, no_trailers).trailer);
}

TEST(BodyChecksumTest, TheTrailerNamesTheDigest) {
  BodyChecksum checksum{std::nullopt, true};
  // sha1 of "abc", base64.
  auto expected = ExpectedChecksum(checksum, "sha1 qZk+NkcGgWq6PiVxeFDCbJzQ2J0=", TrailerPolicy());
  ASSERT_TRUE(std::holds_alternative<ChecksumHeader>(expected));
  EXPECT_EQ(std::get<ChecksumHeader>(expected).algorithm, "sha1");
  EXPECT_EQ(std::get<ChecksumHeader>(expected).digest.size(), 20u);
}

TEST(BodyChecksumTest, AMissingTrailerIsAnInvalidChecksum) {
  BodyChecksum checksum{std::nullopt, true};
  EXPECT_EQ(FailureCode(ExpectedChecksum(checksum, std::nullopt, TrailerPolicy())),
            ErrorCode::kInvalidChecksumHeader);
}

TEST(BodyChecksumTest, AMalformedTrailerIsAnInvalidChecksum) {
  BodyChecksum checksum{std::nullopt, true};
  for (const char* bad :
       {"", "sha1", "sha1  qZk+NkcGgWq6PiVxeFDCbJzQ2J0=", "sha1 !!!", "sha1 AAAA"}) {
    EXPECT_EQ(FailureCode(ExpectedChecksum(checksum, bad, TrailerPolicy())),
              ErrorCode::kInvalidChecksumHeader)
        << bad;
  }
}

TEST(BodyChecksumTest, ATrailerAlgorithmNotOfferedIsUnsupported) {
  BodyChecksum checksum{std::nullopt, true};
  ServerPolicy sha256_only = TrailerPolicy();
  sha256_only.checksum_algorithms = {"sha256"};
  auto expected = ExpectedChecksum(checksum, "sha1 qZk+NkcGgWq6PiVxeFDCbJzQ2J0=", sha256_only);
  EXPECT_EQ(FailureCode(expected), ErrorCode::kUnsupportedChecksum);
  EXPECT_EQ(std::get<Failure>(expected).detail, "sha1");
}

TEST(BodyChecksumTest, AMismatchIs460NamingTheAlgorithm) {
  Failure failure = ChecksumMismatch(Sha1Of("x"));
  EXPECT_EQ(failure.code, ErrorCode::kChecksumMismatch);
  EXPECT_EQ(failure.detail, "sha1");
  EXPECT_EQ(ErrorResponse(failure).status, 460);
}

}  // namespace
}  // namespace tuskd::protocol
