#include "store/upload_record.h"

#include <gtest/gtest.h>

namespace tuskd::store {
namespace {

constexpr char kId[] = "0123456789abcdef0123456789abcdef";

UploadRecord FullRecord() {
  UploadRecord r;
  r.id = kId;
  r.length = 1234;
  r.offset = 1000;
  r.data_length = 1000;
  r.metadata_raw = "filename bXkud2F2,is_confidential";
  r.metadata = {{"filename", "my.wav"}, {"is_confidential", ""}};
  r.created_at = 1700000000;
  r.updated_at = 1700000100;
  r.expires_at = 1700003700;
  r.state = UploadState::kReceiving;
  r.compression = compress::Compression::kNone;
  r.sha256 = "ab";
  r.concat = ConcatKind::kPartial;
  r.concat_parts = {"x", "y"};
  r.prediction = {{"status", "done"}, {"result", {{"type", "audio/wav"}}}};
  return r;
}

void ExpectSame(const UploadRecord& a, const UploadRecord& b) {
  EXPECT_EQ(a.id, b.id);
  EXPECT_EQ(a.length, b.length);
  EXPECT_EQ(a.offset, b.offset);
  EXPECT_EQ(a.data_length, b.data_length);
  EXPECT_EQ(a.metadata_raw, b.metadata_raw);
  EXPECT_EQ(a.metadata, b.metadata);
  EXPECT_EQ(a.created_at, b.created_at);
  EXPECT_EQ(a.updated_at, b.updated_at);
  EXPECT_EQ(a.expires_at, b.expires_at);
  EXPECT_EQ(a.state, b.state);
  EXPECT_EQ(a.compression, b.compression);
  EXPECT_EQ(a.sha256, b.sha256);
  EXPECT_EQ(a.concat, b.concat);
  EXPECT_EQ(a.concat_parts, b.concat_parts);
  EXPECT_EQ(a.prediction, b.prediction);
}

TEST(UploadRecordTest, RoundTripsEveryField) {
  UploadRecord original = FullRecord();
  auto parsed = ParseRecord(SerializeRecord(original));
  ASSERT_TRUE(parsed.has_value());
  ExpectSame(original, *parsed);
}

TEST(UploadRecordTest, DeferredAndUnsetFieldsAreNull) {
  UploadRecord r;
  r.id = kId;
  nlohmann::json j = ToJson(r);
  EXPECT_TRUE(j["length"].is_null());
  EXPECT_TRUE(j["expires_at"].is_null());
  EXPECT_TRUE(j["sha256"].is_null());
  EXPECT_TRUE(j["prediction"].is_null());
  EXPECT_EQ(j["state"], "receiving");
  EXPECT_TRUE(j["metadata"].is_object());
  EXPECT_TRUE(j["concat_parts"].is_array());
  auto parsed = RecordFromJson(j);
  ASSERT_TRUE(parsed.has_value());
  EXPECT_TRUE(parsed->deferred());
  ExpectSame(r, *parsed);
}

TEST(UploadRecordTest, StatesHaveStableNames) {
  for (auto state : {UploadState::kReceiving, UploadState::kComplete, UploadState::kTerminated,
                     UploadState::kExpired}) {
    EXPECT_EQ(UploadStateFromString(ToString(state)), state);
  }
  EXPECT_EQ(ToString(UploadState::kComplete), "complete");
  EXPECT_FALSE(UploadStateFromString("done").has_value());
}

TEST(UploadRecordTest, OptionalFieldsMayBeAbsent) {
  nlohmann::json j = {{"id", kId},       {"offset", 0},     {"data_length", 0},
                      {"created_at", 1}, {"updated_at", 2}, {"state", "complete"}};
  auto parsed = RecordFromJson(j);
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->compression, compress::Compression::kNone);
  EXPECT_TRUE(parsed->metadata.empty());
  EXPECT_TRUE(parsed->complete());
}

TEST(UploadRecordTest, CorruptJsonIsRejectedWithoutThrowing) {
  EXPECT_FALSE(ParseRecord("").has_value());
  EXPECT_FALSE(ParseRecord("{").has_value());
  EXPECT_FALSE(ParseRecord("[1,2]").has_value());
  EXPECT_FALSE(ParseRecord("null").has_value());
  EXPECT_FALSE(ParseRecord("\xff\xfe").has_value());
}

TEST(UploadRecordTest, WrongTypesAndValuesAreRejected) {
  const nlohmann::json good = ToJson(FullRecord());
  ASSERT_TRUE(RecordFromJson(good).has_value());
  auto with = [&](const char* key, nlohmann::json value) {
    nlohmann::json j = good;
    j[key] = std::move(value);
    return RecordFromJson(j).has_value();
  };
  auto without = [&](const char* key) {
    nlohmann::json j = good;
    j.erase(key);
    return RecordFromJson(j).has_value();
  };
  EXPECT_FALSE(with("offset", "10"));
  EXPECT_FALSE(with("offset", -1));
  EXPECT_FALSE(with("offset", 1.5));
  EXPECT_FALSE(with("offset", 2000));  // past length
  EXPECT_FALSE(with("length", "1234"));
  EXPECT_FALSE(with("state", "done"));
  EXPECT_FALSE(with("state", 1));
  EXPECT_FALSE(with("id", "../etc/passwd"));
  EXPECT_FALSE(with("id", 7));
  EXPECT_FALSE(with("metadata", nlohmann::json::array()));
  EXPECT_FALSE(with("metadata", {{"k", 1}}));
  EXPECT_FALSE(with("expires_at", "soon"));
  EXPECT_FALSE(with("created_at", 18446744073709551615ull));  // does not fit int64
  EXPECT_FALSE(with("sha256", 5));
  EXPECT_FALSE(with("concat_parts", "x"));
  EXPECT_FALSE(with("concat_parts", {1}));
  EXPECT_FALSE(without("id"));
  EXPECT_FALSE(without("offset"));
  EXPECT_FALSE(without("state"));
  EXPECT_TRUE(with("prediction", 42));  // owned by the pipeline: any JSON
}

TEST(UploadRecordTest, MetadataThatIsNotUtf8StillSerializes) {
  UploadRecord r = FullRecord();
  r.metadata = {{"blob", std::string("\xff\x00\xc3", 3)}};
  std::string bytes;
  ASSERT_NO_THROW(bytes = SerializeRecord(r));
  auto parsed = ParseRecord(bytes);
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->metadata_raw, r.metadata_raw);  // the exact bytes live here
  ASSERT_EQ(parsed->metadata.size(), 1u);
}

}  // namespace
}  // namespace tuskd::store
