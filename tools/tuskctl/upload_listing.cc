#include "tools/tuskctl/upload_listing.h"

#include <algorithm>

namespace tuskd::tuskctl {

using nlohmann::json;

Status LoadListings(const store::StoreInspector& inspector, std::vector<UploadListing>* out,
                    std::vector<std::string>* unreadable) {
  std::vector<store::UploadRecord> records;
  if (Status listed = inspector.ListUploads(&records, unreadable); !listed.ok()) {
    return listed;
  }
  out->clear();
  for (store::UploadRecord& record : records) {
    UploadListing listing{std::move(record), std::nullopt};
    uint64_t size = 0;
    if (inspector.DataFileSize(listing.record.id, &size).ok()) listing.disk_bytes = size;
    out->push_back(std::move(listing));
  }
  std::stable_sort(out->begin(), out->end(), [](const UploadListing& a, const UploadListing& b) {
    return a.record.updated_at > b.record.updated_at;  // records come in id order already
  });
  return Status::Ok();
}

std::string FileName(const store::UploadRecord& record) {
  for (const char* key : {"filename", "name"}) {
    for (const auto& [name, value] : record.metadata) {
      if (name == key) return value;
    }
  }
  return "";
}

Color StateColor(store::UploadState state) {
  switch (state) {
    case store::UploadState::kReceiving:
      return Color::kCyan;
    case store::UploadState::kComplete:
      return Color::kGreen;
    case store::UploadState::kExpired:
      return Color::kYellow;
    case store::UploadState::kTerminated:
      return Color::kDim;
  }
  return Color::kNone;
}

json ListingJson(const UploadListing& listing) {
  const store::UploadRecord& record = listing.record;
  json j = store::ToJson(record);
  j["disk_bytes"] = listing.disk_bytes ? json(*listing.disk_bytes) : json(nullptr);
  if (record.length) {
    j["percent"] =
        *record.length == 0 ? 100.0 : static_cast<double>(record.offset) * 100 / *record.length;
  } else {
    j["percent"] = nullptr;
  }
  j["filename"] = FileName(record);
  return j;
}

std::string JsonLine(const json& json) {
  return json.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace tuskd::tuskctl
