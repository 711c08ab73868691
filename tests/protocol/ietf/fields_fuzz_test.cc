// Fuzzing the IETF draft field parsers: Upload-Complete / Upload-Incomplete and the interop
// version, RFC 8187 ext-values, and the representation metadata of a draft creation. See
// tests/protocol/parser_fuzz.h.
#include <gtest/gtest.h>

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "protocol/ext_value.h"
#include "protocol/header_parsers.h"
#include "protocol/ietf/fields.h"
#include "protocol/ietf/representation.h"
#include "protocol/ietf/version.h"
#include "protocol/request_head.h"
#include "tests/protocol/ietf/ietf_test_util.h"
#include "tests/protocol/parser_fuzz.h"

namespace tuskd::protocol {
namespace {

using testing::CheckMetadataKeys;
using testing::ForInputs;
using testing::FuzzInputs;
using testing::HasControlByte;
using testing::ParsesTo;
using testing::Seeds;
using tuskd::testing::Printable;

// ---- IETF draft fields ----

TEST(ParserFuzzTest, DraftFieldsParseOrFailWithTheirCodes) {
  FuzzInputs inputs(0x7ec000c);
  const Seeds names = {"Upload-Complete", "Upload-Incomplete", "Upload-Draft-Interop-Version"};
  const Seeds values = {"?1", "?0", " ?1 ", "3", "5", "6", "8", "08", "-1"};
  for (int i = 0; i < 3000; ++i) {
    HeaderMap headers;
    std::string shown;
    for (uint64_t fields = inputs.Below(4); fields > 0; --fields) {
      // Names are mostly exact (so the value parsers run), sometimes mutated.
      std::string name = inputs.OneIn(4) ? inputs.Next(names) : names[inputs.Below(names.size())];
      std::string value = inputs.Next(values);
      shown += Printable(name) + ": " + Printable(value) + "; ";
      headers.Add(std::move(name), std::move(value));
    }
    SCOPED_TRACE(shown);
    auto version = ParseInteropVersion(headers);
    if (const auto* failure = std::get_if<Failure>(&version)) {
      ASSERT_TRUE(failure->code == ErrorCode::kUnsupportedInteropVersion ||
                  failure->code == ErrorCode::kDuplicateHeader);
    } else {
      int number = std::get<IetfDraft>(version).interop_version;
      ASSERT_TRUE(number == 3 || number == 5 || number == 6 || number == 8) << number;
    }
    const IetfDraft& draft = testing::Draft(std::array{3, 5, 6, 8}[inputs.Below(4)]);
    std::optional<bool> when_missing;
    if (!inputs.OneIn(3)) when_missing = inputs.OneIn(2);
    auto completes = RequestCompletes(headers, draft, when_missing);
    if (const auto* failure = std::get_if<Failure>(&completes)) {
      ASSERT_TRUE(failure->code == ErrorCode::kInvalidUploadComplete ||
                  failure->code == ErrorCode::kDuplicateHeader);
      continue;
    }
    // Success means one well-formed field, read with the version's polarity, or none.
    std::string_view field = CompletenessField(draft);
    ASSERT_LE(headers.Count(field), 1u);
    if (auto value = headers.Get(field)) {
      std::optional<bool> flag = ParseStructuredBoolean(*value);
      ASSERT_TRUE(flag.has_value());
      ASSERT_EQ(std::get<bool>(completes), *flag != draft.upload_incomplete_field);
    } else {
      ASSERT_EQ(std::get<bool>(completes), when_missing);
    }
  }
}

// ---- RFC 8187 ext-values ----

TEST(ParserFuzzTest, DecodedExtValuesHoldNoControlCharacters) {
  FuzzInputs inputs(0x7ec000d);
  const Seeds seeds = {"UTF-8''%e2%82%ac%20rates.txt", "utf-8'en-GB'na%C3%AFve.wav",
                       "ISO-8859-1''%A3%20rates",      "UTF-8''plain-name_1.txt",
                       "UTF-8''!#$&+-.^_`|~",          "UTF-8''a%0Ab",
                       "iso-8859-1''%85%FF",           "KOI8-R''a"};
  ForInputs(
      6000, [&] { return inputs.Next(seeds); },
      [](const std::string& text) {
        std::optional<std::string> value = DecodeExtValue(text);
        if (!value) return;
        ASSERT_FALSE(value->empty());
        // Controls as protocol/ counts them (below 0x20, DEL): the ones that could end or split a
        // header line. C1 controls (U+0080 to U+009F, e.g. from "iso-8859-1''%85") pass.
        ASSERT_FALSE(HasControlByte(*value)) << Printable(*value);
        std::string charset = text.substr(0, text.find('\''));
        ASSERT_TRUE(EqualsIgnoreCase(charset, "utf-8") || EqualsIgnoreCase(charset, "iso-8859-1"))
            << Printable(charset);
        // Without percent-encoding a UTF-8 value is the value-chars themselves.
        std::string chars = text.substr(text.find('\'', charset.size() + 1) + 1);
        if (EqualsIgnoreCase(charset, "utf-8") && chars.find('%') == std::string::npos) {
          ASSERT_EQ(*value, chars);
        }
      });
}

// ---- Representation metadata (draft creations) ----

TEST(ParserFuzzTest, RepresentationMetadataIsAlwaysValidMetadata) {
  FuzzInputs inputs(0x7ec000e);
  const Seeds types = {"Image/PNG; charset=binary", "application/partial-upload", "text/plain",
                       " ; x=1", "audio/wav;rate=\"44100\""};
  const Seeds dispositions = {
      R"(attachment; filename="holiday \"2026\".png")",
      "inline; size=3; FileName=take1.wav",
      "attachment; filename=\"EUR rates.txt\"; filename*=UTF-8''%E2%82%AC%20rates.txt",
      "attachment; filename*=iso-8859-1'en'%A3%20rates.txt; filename=rates.txt",
      "attachment; filename*=KOI8-R''%F0%D2%C9; filename=rates.txt",
      "attachment; filename=\"\""};
  for (int i = 0; i < 4000; ++i) {
    HeaderMap headers;
    std::string shown;
    if (!inputs.OneIn(4)) headers.Add("Content-Type", inputs.Next(types));
    if (!inputs.OneIn(4)) headers.Add("Content-Disposition", inputs.Next(dispositions));
    for (const auto& [name, value] : headers.fields()) {
      shown += name + ": " + Printable(value) + "; ";
    }
    SCOPED_TRACE(shown);
    Metadata metadata = RepresentationMetadata(headers);
    ASSERT_LE(metadata.size(), 2u);
    for (const MetadataEntry& entry : metadata) {
      ASSERT_TRUE(entry.key == "filetype" || entry.key == "filename") << entry.key;
      ASSERT_TRUE(entry.value && !entry.value->empty());
      ASSERT_FALSE(HasControlByte(*entry.value)) << Printable(*entry.value);
    }
    if (!metadata.empty() && metadata.front().key == "filetype") {
      const std::string& type = *metadata.front().value;
      ASSERT_EQ(type.find(';'), std::string::npos);
      ASSERT_TRUE(
          std::none_of(type.begin(), type.end(), [](char c) { return c >= 'A' && c <= 'Z'; }));
      ASSERT_FALSE(IsOffsetContentType(type) || IsPartialUploadType(type));
    }
    ASSERT_NO_FATAL_FAILURE(CheckMetadataKeys(metadata));
    ASSERT_TRUE(ParsesTo(SerializeMetadata(metadata), metadata));
  }
}

}  // namespace
}  // namespace tuskd::protocol
