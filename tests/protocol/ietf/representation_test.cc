// Metadata from a draft creation's representation headers.
#include "protocol/ietf/representation.h"
#include "base/base64.h"

#include <gtest/gtest.h>

#include "tests/protocol/protocol_test_util.h"

namespace tuskd::protocol {
namespace {

using testing::MakeHeaders;

std::vector<std::pair<std::string, std::string>> Pairs(const Metadata& metadata) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& entry : metadata) out.emplace_back(entry.key, entry.value.value_or("<none>"));
  return out;
}

using PairList = std::vector<std::pair<std::string, std::string>>;

TEST(RepresentationMetadataTest, ContentTypeAndDispositionBecomeFiletypeAndFilename) {
  Metadata metadata = RepresentationMetadata(
      MakeHeaders({{"Content-Type", "Image/PNG; charset=binary"},
                   {"Content-Disposition", R"(attachment; filename="holiday \"2026\".png")"}}));
  EXPECT_EQ(Pairs(metadata),
            (PairList{{"filetype", "image/png"}, {"filename", "holiday \"2026\".png"}}));
  EXPECT_EQ(SerializeMetadata(metadata), "filetype " + EncodeBase64("image/png") + ",filename " +
                                             EncodeBase64("holiday \"2026\".png"));
  // What it serializes to parses back to the same entries.
  auto parsed = ParseMetadata(SerializeMetadata(metadata));
  ASSERT_TRUE(std::holds_alternative<Metadata>(parsed));
  EXPECT_EQ(Pairs(std::get<Metadata>(parsed)), Pairs(metadata));
}

TEST(RepresentationMetadataTest, TokenFilenameAndOtherParameters) {
  EXPECT_EQ(Pairs(RepresentationMetadata(
                MakeHeaders({{"Content-Disposition", "inline; size=3; FileName=take1.wav"}}))),
            (PairList{{"filename", "take1.wav"}}));
}

TEST(RepresentationMetadataTest, ExtendedFilenameWinsWhenItDecodes) {
  EXPECT_EQ(
      Pairs(RepresentationMetadata(MakeHeaders(
          {{"Content-Disposition",
            "attachment; filename=\"EUR rates.txt\"; filename*=UTF-8''%E2%82%AC%20rates.txt"}}))),
      (PairList{{"filename", "\u20ac rates.txt"}}));
  // Either order; a filename* in a charset we do not decode falls back to filename.
  EXPECT_EQ(Pairs(RepresentationMetadata(MakeHeaders(
                {{"Content-Disposition",
                  "attachment; filename*=iso-8859-1'en'%A3%20rates.txt; filename=rates.txt"}}))),
            (PairList{{"filename", "\u00a3 rates.txt"}}));
  EXPECT_EQ(Pairs(RepresentationMetadata(
                MakeHeaders({{"Content-Disposition",
                              "attachment; filename*=KOI8-R''%F0%D2%C9; filename=rates.txt"}}))),
            (PairList{{"filename", "rates.txt"}}));
}

TEST(RepresentationMetadataTest, ProtocolTypesAndEmptyOrOddValuesGiveNothing) {
  for (const char* type :
       {"application/partial-upload", "application/offset+octet-stream", "", " ; x=1"}) {
    EXPECT_TRUE(RepresentationMetadata(MakeHeaders({{"Content-Type", type}})).empty()) << type;
  }
  EXPECT_TRUE(RepresentationMetadata(MakeHeaders({{"Content-Disposition", "attachment"}})).empty());
  EXPECT_TRUE(
      RepresentationMetadata(MakeHeaders({{"Content-Disposition", "attachment; filename=\"\""}}))
          .empty());
  // A filename* that cannot be decoded gives no name rather than a wrong one.
  EXPECT_TRUE(RepresentationMetadata(
                  MakeHeaders({{"Content-Disposition", "attachment; filename*=KOI8-R''a%20b"}}))
                  .empty());
  EXPECT_TRUE(RepresentationMetadata(MakeHeaders({})).empty());
  EXPECT_EQ(SerializeMetadata({}), "");
}

}  // namespace
}  // namespace tuskd::protocol
