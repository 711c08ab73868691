#include "tools/tuskctl/upload_verifier.h"

#include <fstream>
#include <memory>
#include <vector>

#include "compress/frame_decoder.h"
#include "store/rolling_sha256.h"

namespace tuskd::tuskctl {
namespace {

constexpr size_t kReadBytes = 1 << 20;

// Feeds `length` bytes of `in` to `hash`, decoding zstd frames first when `zstd`. Returns an
// empty string on success, else what went wrong. *hashed: uncompressed bytes hashed.
std::string HashCommittedBytes(std::ifstream& in, uint64_t length, bool zstd,
                               store::RollingSha256* hash, uint64_t* hashed,
                               const VerifyProgress& progress) {
  std::vector<char> input(kReadBytes);
  compress::FrameDecoder decoder;
  const compress::FrameDecoder::Sink to_hash = [&](std::span<const char> bytes) {
    hash->Update(bytes);
    *hashed += bytes.size();
  };
  uint64_t done = 0;
  *hashed = 0;
  while (done < length) {
    size_t want = static_cast<size_t>(std::min<uint64_t>(input.size(), length - done));
    in.read(input.data(), static_cast<std::streamsize>(want));
    if (static_cast<size_t>(in.gcount()) != want) {
      return "could read only " + std::to_string(done + in.gcount()) + " of the " +
             std::to_string(length) + " committed bytes of the data file";
    }
    done += want;
    if (!zstd) {
      hash->Update({input.data(), want});
      *hashed += want;
    } else {
      if (Status fed = decoder.Feed({input.data(), want}, to_hash); !fed.ok()) {
        return "zstd data does not decode: " + fed.message() + " (in the compressed bytes " +
               std::to_string(done - want) + " to " + std::to_string(done) + ")";
      }
    }
    if (progress) progress(done, length);
  }
  if (zstd && !decoder.at_frame_end()) {
    return "the committed bytes end inside a zstd frame (every commit must end its frame)";
  }
  return "";
}

// The digest the record says the committed bytes have, or a problem when it cannot say.
bool ExpectedDigest(const store::StoreInspector& inspector, const store::UploadRecord& record,
                    std::string* digest, std::string* source, VerifyReport* report) {
  if (record.state == store::UploadState::kComplete) {
    if (!record.sha256) {
      report->problems.emplace_back("complete, but the record has no sha256");
      return false;
    }
    *digest = *record.sha256;
    *source = "the record's final sha256";
    return true;
  }
  std::string blob;
  Status status = inspector.GetHashState(record.id, &blob);
  store::RollingSha256 saved;
  if (status.ok()) status = store::RollingSha256::Deserialize(blob, record.offset, &saved);
  if (!status.ok()) {
    report->problems.push_back("hash state unusable: " + status.ToString());
    return false;
  }
  *digest = saved.HexDigest();
  *source = "the saved hash state";
  return true;
}

// Compares the file's size with the record. False when the committed bytes are not all there.
bool CheckFileLength(const store::UploadRecord& record, uint64_t size, VerifyReport* report) {
  if (size < record.data_length) {
    report->problems.push_back("data file is " + std::to_string(size) +
                               " bytes, the record commits " + std::to_string(record.data_length));
    return false;
  }
  if (size > record.data_length) {
    std::string tail =
        std::to_string(size - record.data_length) + " bytes past the committed length";
    if (record.state == store::UploadState::kComplete) {
      report->problems.push_back("data file has " + tail + " (the upload is complete)");
    } else {
      report->notes.push_back("data file has " + tail +
                              " (a request in progress, or a tail tuskd trims at start)");
    }
  }
  return true;
}

}  // namespace

VerifyReport VerifyUpload(const store::StoreInspector& inspector, const store::UploadRecord& record,
                          const VerifyProgress& progress) {
  VerifyReport report;
  report.id = record.id;
  report.state = std::string(store::ToString(record.state));
  uint64_t size = 0;
  bool has_file = inspector.DataFileSize(record.id, &size).ok();
  if (record.state == store::UploadState::kTerminated ||
      record.state == store::UploadState::kExpired) {
    report.skipped = true;
    if (has_file) report.notes.emplace_back("data file still present (tuskd removes it at start)");
    return report;
  }
  if (record.length && record.state == store::UploadState::kComplete &&
      *record.length != record.offset) {
    report.problems.push_back("complete at offset " + std::to_string(record.offset) +
                              " but the length is " + std::to_string(*record.length));
  }
  // A record with an unknown compression does not parse: it is reported as unreadable.
  const bool zstd = record.compressed();
  if (!zstd && record.data_length != record.offset) {
    report.problems.push_back("uncompressed, yet the record has " +
                              std::to_string(record.data_length) + " bytes in the file for " +
                              std::to_string(record.offset) + " uploaded");
  }
  if (!has_file) {
    report.problems.push_back("data file " + inspector.DataPath(record.id) + " is missing");
    return report;
  }
  std::string expected, source;
  bool have_expected = ExpectedDigest(inspector, record, &expected, &source, &report);
  if (!CheckFileLength(record, size, &report)) return report;

  std::ifstream in(inspector.DataPath(record.id), std::ios::binary);
  store::RollingSha256 hash;
  std::string failure =
      in ? HashCommittedBytes(in, record.data_length, zstd, &hash, &report.bytes_checked, progress)
         : "cannot open " + inspector.DataPath(record.id);
  if (!failure.empty()) {
    report.problems.push_back(failure);
    return report;
  }
  if (report.bytes_checked != record.offset) {
    report.problems.push_back("the committed bytes decode to " +
                              std::to_string(report.bytes_checked) + " bytes, the offset is " +
                              std::to_string(record.offset));
  } else if (have_expected && hash.HexDigest() != expected) {
    report.problems.push_back("content does not match " + source + ": SHA-256 of the " +
                              std::to_string(record.offset) + " committed bytes is " +
                              hash.HexDigest() + ", expected " + expected);
  }
  return report;
}

nlohmann::json ReportJson(const VerifyReport& report) {
  return nlohmann::json{{"id", report.id},
                        {"state", report.state},
                        {"ok", report.ok()},
                        {"skipped", report.skipped},
                        {"bytes_checked", report.bytes_checked},
                        {"problems", report.problems},
                        {"notes", report.notes}};
}

}  // namespace tuskd::tuskctl
