// GET <base><id>: DecideDownload (ranges, and the Content-Type/Content-Disposition filter).
#include <gtest/gtest.h>

#include "base/base64.h"
#include "protocol/decisions.h"
#include "tests/protocol/protocol_test_util.h"

namespace tuskd::protocol {
namespace {

using testing::CountOf;
using testing::FailureCode;
using testing::Fields;
using testing::Find;
using testing::MakeHead;
using testing::MakeUpload;

DownloadPlan Plan(const UploadView& upload, const Fields& fields = {}) {
  auto result = DecideDownload(MakeHead("GET", fields), upload);
  if (auto* failure = std::get_if<Failure>(&result)) {
    ADD_FAILURE() << "refused: " << Describe(failure->code).code;
    return DownloadPlan{};
  }
  return std::get<DownloadPlan>(result);
}

UploadView WithMetadata(const Metadata& metadata) {
  UploadView upload = MakeUpload(10, 10, UploadState::kComplete);
  for (const MetadataEntry& entry : metadata) {
    if (!upload.metadata_raw.empty()) upload.metadata_raw += ',';
    upload.metadata_raw += entry.key;
    if (entry.value) upload.metadata_raw += ' ' + EncodeBase64(*entry.value);
  }
  return upload;
}

void ExpectNoControlCharacters(const HeaderList& headers) {
  for (const auto& [name, value] : headers) {
    for (char c : name + value) {
      EXPECT_FALSE(static_cast<unsigned char>(c) < 0x20 || c == 0x7f) << name << ": " << value;
    }
  }
}

// ---- Status, length and ranges ----

TEST(DecideDownloadTest, WholeCompleteUpload) {
  DownloadPlan plan = Plan(MakeUpload(10, 10, UploadState::kComplete));
  EXPECT_EQ(plan.head.status, 200);
  EXPECT_EQ(plan.first, 0u);
  EXPECT_EQ(plan.count, 10u);
  EXPECT_TRUE(plan.head.body.empty());
  const HeaderList& headers = plan.head.headers;
  EXPECT_EQ(Find(headers, "Content-Length"), "10");
  EXPECT_EQ(Find(headers, "Accept-Ranges"), "bytes");
  EXPECT_EQ(Find(headers, "X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(Find(headers, "Cache-Control"), "no-store");
  EXPECT_EQ(Find(headers, "Content-Type"), "application/octet-stream");
  EXPECT_EQ(Find(headers, "Content-Disposition"), "attachment");
  EXPECT_FALSE(Find(headers, "Content-Range"));
}

TEST(DecideDownloadTest, PartialUploadServesItsCommittedPrefix) {
  DownloadPlan plan = Plan(MakeUpload(100, 40));
  EXPECT_EQ(plan.head.status, 200);
  EXPECT_EQ(plan.count, 40u);
  EXPECT_EQ(Find(plan.head.headers, "Content-Length"), "40");
  DownloadPlan deferred = Plan(MakeUpload(std::nullopt, 7));
  EXPECT_EQ(deferred.count, 7u);
}

TEST(DecideDownloadTest, EmptyUploadIsAnEmpty200) {
  DownloadPlan plan = Plan(MakeUpload(100, 0));
  EXPECT_EQ(plan.head.status, 200);
  EXPECT_EQ(plan.count, 0u);
  EXPECT_EQ(Find(plan.head.headers, "Content-Length"), "0");
}

struct RangeCase {
  std::string name;
  uint64_t offset;  // bytes available
  Fields fields;
  int status;
  uint64_t first = 0;
  uint64_t count = 0;
  std::string content_range = {};
};

class DecideDownloadRangeTest : public ::testing::TestWithParam<RangeCase> {};

TEST_P(DecideDownloadRangeTest, Serves) {
  const RangeCase& c = GetParam();
  auto result = DecideDownload(MakeHead("GET", c.fields), MakeUpload(1000, c.offset));
  if (c.status == 416) {
    ASSERT_EQ(FailureCode(result), ErrorCode::kRangeNotSatisfiable);
    EXPECT_EQ(Find(std::get<Failure>(result).headers, "Content-Range"), c.content_range);
    EXPECT_EQ(ErrorResponse(std::get<Failure>(result)).status, 416);
    return;
  }
  ASSERT_TRUE(std::holds_alternative<DownloadPlan>(result));
  const DownloadPlan& plan = std::get<DownloadPlan>(result);
  EXPECT_EQ(plan.head.status, c.status);
  EXPECT_EQ(plan.first, c.first);
  EXPECT_EQ(plan.count, c.count);
  EXPECT_EQ(Find(plan.head.headers, "Content-Length"), std::to_string(c.count));
  if (c.content_range.empty()) {
    EXPECT_FALSE(Find(plan.head.headers, "Content-Range"));
  } else {
    EXPECT_EQ(Find(plan.head.headers, "Content-Range"), c.content_range);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Table, DecideDownloadRangeTest,
    ::testing::Values(
        RangeCase{"FirstBytes", 10, {{"Range", "bytes=2-5"}}, 206, 2, 4, "bytes 2-5/10"},
        RangeCase{"OpenEnded", 10, {{"range", "bytes=7-"}}, 206, 7, 3, "bytes 7-9/10"},
        RangeCase{"Suffix", 10, {{"Range", "bytes=-3"}}, 206, 7, 3, "bytes 7-9/10"},
        RangeCase{"ClampedToAvailable", 10, {{"Range", "bytes=5-999"}}, 206, 5, 5, "bytes 5-9/10"},
        RangeCase{"SingleByte", 10, {{"Range", "bytes=0-0"}}, 206, 0, 1, "bytes 0-0/10"},
        RangeCase{"PastAvailable", 10, {{"Range", "bytes=10-"}}, 416, 0, 0, "bytes */10"},
        RangeCase{"EmptySuffix", 10, {{"Range", "bytes=-0"}}, 416, 0, 0, "bytes */10"},
        RangeCase{"NothingAvailable", 0, {{"Range", "bytes=0-"}}, 416, 0, 0, "bytes */0"},
        RangeCase{"MultiRangeIgnored", 10, {{"Range", "bytes=0-1,3-4"}}, 200, 0, 10},
        RangeCase{"GarbageIgnored", 10, {{"Range", "lines=1-2"}}, 200, 0, 10},
        RangeCase{"TwoRangeFieldsIgnored",
                  10,
                  {{"Range", "bytes=0-1"}, {"Range", "bytes=2-3"}},
                  200,
                  0,
                  10},
        RangeCase{
            "IfRangeIgnoresRange", 10, {{"Range", "bytes=0-1"}, {"If-Range", "\"x\""}}, 200, 0, 10},
        RangeCase{
            "IfRangeAvoids416", 10, {{"Range", "bytes=50-"}, {"If-Range", "\"x\""}}, 200, 0, 10}),
    [](const auto& info) { return info.param.name; });

struct GoneCase {
  UploadState state;
  ErrorCode expected;
};

class DecideDownloadGoneTest : public ::testing::TestWithParam<GoneCase> {};

TEST_P(DecideDownloadGoneTest, Refuses) {
  auto result = DecideDownload(MakeHead("GET", {{"Range", "bytes=99-"}}),
                               MakeUpload(10, 10, GetParam().state));
  EXPECT_EQ(FailureCode(result), GetParam().expected);
}

INSTANTIATE_TEST_SUITE_P(
    States, DecideDownloadGoneTest,
    ::testing::Values(GoneCase{UploadState::kExpired, ErrorCode::kUploadExpired},
                      GoneCase{UploadState::kTerminated, ErrorCode::kUploadTerminated}));

// ---- Content-Type from `filetype` ----

struct TypeCase {
  std::string filetype;
  std::string content_type;  // what is served; application/octet-stream means "refused"
};

class DecideDownloadTypeTest : public ::testing::TestWithParam<TypeCase> {};

TEST_P(DecideDownloadTypeTest, ServesOnlyInertTypesInline) {
  const TypeCase& c = GetParam();
  const bool inline_type = c.content_type != "application/octet-stream";
  HeaderList bare = Plan(WithMetadata({{"filetype", c.filetype}})).head.headers;
  EXPECT_EQ(Find(bare, "Content-Type"), c.content_type);
  EXPECT_EQ(CountOf(bare, "Content-Type"), 1u);
  EXPECT_EQ(Find(bare, "X-Content-Type-Options"), "nosniff");
  if (inline_type) {
    EXPECT_FALSE(Find(bare, "Content-Disposition"));
  } else {
    EXPECT_EQ(Find(bare, "Content-Disposition"), "attachment");
  }
  ExpectNoControlCharacters(bare);

  HeaderList named =
      Plan(WithMetadata({{"filetype", c.filetype}, {"filename", "f.bin"}})).head.headers;
  EXPECT_EQ(Find(named, "Content-Disposition"),
            std::string(inline_type ? "inline" : "attachment") + "; filename=\"f.bin\"");
}

INSTANTIATE_TEST_SUITE_P(
    Table, DecideDownloadTypeTest,
    ::testing::Values(
        // Inert types pass, normalised.
        TypeCase{"image/png", "image/png"}, TypeCase{"image/jpeg", "image/jpeg"},
        TypeCase{"image/gif", "image/gif"}, TypeCase{"image/webp", "image/webp"},
        TypeCase{"image/avif", "image/avif"}, TypeCase{"image/bmp", "image/bmp"},
        TypeCase{"audio/mpeg", "audio/mpeg"}, TypeCase{"audio/x-wav", "audio/x-wav"},
        TypeCase{"audio/flac", "audio/flac"}, TypeCase{"video/mp4", "video/mp4"},
        TypeCase{"video/webm", "video/webm"}, TypeCase{"text/plain", "text/plain"},
        TypeCase{"application/pdf", "application/pdf"},
        TypeCase{"application/json", "application/json"},
        TypeCase{"application/ogg", "application/ogg"}, TypeCase{"IMAGE/PNG", "image/png"},
        TypeCase{"text/plain; charset=utf-8", "text/plain"},
        TypeCase{" image/png ;q=1", "image/png"},
        // Anything a browser could execute, or that is malformed, is a download.
        TypeCase{"text/html", "application/octet-stream"},
        TypeCase{"TEXT/HTML", "application/octet-stream"},
        TypeCase{"image/svg+xml", "application/octet-stream"},
        TypeCase{"application/xml", "application/octet-stream"},
        TypeCase{"text/xml", "application/octet-stream"},
        TypeCase{"application/xhtml+xml", "application/octet-stream"},
        TypeCase{"application/javascript", "application/octet-stream"},
        TypeCase{"text/javascript", "application/octet-stream"},
        TypeCase{"text/css", "application/octet-stream"},
        TypeCase{"application/x-shockwave-flash", "application/octet-stream"},
        TypeCase{"multipart/x-mixed-replace", "application/octet-stream"},
        TypeCase{"video/vnd.evil+xml", "application/octet-stream"},
        TypeCase{"audio/html", "application/octet-stream"},
        TypeCase{"image/png\r\nSet-Cookie: a=b", "application/octet-stream"},
        TypeCase{"image/png\n", "application/octet-stream"},
        TypeCase{"text/plain\x01", "application/octet-stream"},
        TypeCase{"image/", "application/octet-stream"},
        TypeCase{"/png", "application/octet-stream"}, TypeCase{"png", "application/octet-stream"},
        TypeCase{"image/p ng", "application/octet-stream"},
        TypeCase{"image/*", "application/octet-stream"},
        TypeCase{"audio/*", "application/octet-stream"},
        TypeCase{"image/png/x", "application/octet-stream"},
        TypeCase{"application/octet-stream", "application/octet-stream"}));

TEST(DecideDownloadTest, MissingOrEmptyFiletypeIsADownload) {
  HeaderList headers = Plan(WithMetadata({{"filetype", std::nullopt}})).head.headers;
  EXPECT_EQ(Find(headers, "Content-Type"), "application/octet-stream");
  headers = Plan(WithMetadata({{"filetype", ""}})).head.headers;
  EXPECT_EQ(Find(headers, "Content-Type"), "application/octet-stream");
}

TEST(DecideDownloadTest, UnreadableMetadataIsANamelessDownload) {
  UploadView upload = MakeUpload(10, 10);
  upload.metadata_raw = "filetype !!!!,filename x";
  HeaderList headers = Plan(upload).head.headers;
  EXPECT_EQ(Find(headers, "Content-Type"), "application/octet-stream");
  EXPECT_EQ(Find(headers, "Content-Disposition"), "attachment");
}

// ---- Content-Disposition filename ----

struct FilenameCase {
  std::string name;
  std::optional<std::string> filename;
  std::string disposition;
};

class DecideDownloadFilenameTest : public ::testing::TestWithParam<FilenameCase> {};

TEST_P(DecideDownloadFilenameTest, EscapesSafely) {
  HeaderList headers = Plan(WithMetadata({{"filename", GetParam().filename}})).head.headers;
  EXPECT_EQ(Find(headers, "Content-Disposition"), GetParam().disposition);
  ExpectNoControlCharacters(headers);
}

INSTANTIATE_TEST_SUITE_P(
    Table, DecideDownloadFilenameTest,
    ::testing::Values(
        FilenameCase{"Plain", "report.pdf", "attachment; filename=\"report.pdf\""},
        FilenameCase{"SpacesAndSemicolons", "a b;c.txt", "attachment; filename=\"a b;c.txt\""},
        FilenameCase{"QuotesAndBackslashes", "a\"b\\c.txt",
                     "attachment; filename=\"a\\\"b\\\\c.txt\""},
        FilenameCase{"HeaderInjection", "evil\r\nSet-Cookie: x=y",
                     "attachment; filename=\"evilSet-Cookie: x=y\""},
        FilenameCase{"ControlCharacters",
                     "a\tb\x01\x7f"
                     "c",
                     "attachment; filename=\"abc\""},
        FilenameCase{"OnlyControlCharacters", "\r\n", "attachment"},
        FilenameCase{"KeyWithoutValue", std::nullopt, "attachment"},
        FilenameCase{"EmptyValue", "", "attachment"},
        FilenameCase{"PercentIsAscii", "100%.txt", "attachment; filename=\"100%.txt\""},
        FilenameCase{"Latin", "na\xc3\xafve.txt",
                     "attachment; filename=\"na_ve.txt\"; filename*=UTF-8''na%C3%AFve.txt"},
        FilenameCase{"Japanese", "\xe6\x97\xa5\xe6\x9c\xac.txt",
                     "attachment; filename=\"__.txt\"; "
                     "filename*=UTF-8''%E6%97%A5%E6%9C%AC.txt"},
        FilenameCase{"Emoji", "\xf0\x9f\x98\x80",
                     "attachment; filename=\"_\"; filename*=UTF-8''%F0%9F%98%80"},
        FilenameCase{
            "NonAsciiWithSpecials", "\xc3\xa9 \"x\";\r\n",
            "attachment; filename=\"_ \\\"x\\\";\"; filename*=UTF-8''%C3%A9%20%22x%22%3B"}),
    [](const auto& info) { return info.param.name; });

TEST(DecideDownloadTest, InlineTypesCarryTheFilenameToo) {
  HeaderList headers =
      Plan(WithMetadata({{"filetype", "image/png"}, {"filename", "\xc3\xa9.png"}})).head.headers;
  EXPECT_EQ(Find(headers, "Content-Disposition"),
            "inline; filename=\"_.png\"; filename*=UTF-8''%C3%A9.png");
}

}  // namespace
}  // namespace tuskd::protocol
