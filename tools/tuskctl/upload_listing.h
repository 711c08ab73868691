// One upload as tuskctl lists it: the record plus what only the disk knows (the data file's
// size), with the derived values people ask for (name, progress) and the JSON form scripts
// read. Plain values and pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/status.h"
#include "store/store_inspector.h"
#include "store/upload_record.h"
#include "tools/tuskctl/terminal.h"

namespace tuskd::tuskctl {

struct UploadListing {
  store::UploadRecord record;
  std::optional<uint64_t> disk_bytes;  // data file size; nullopt when there is no file
};

// Every upload with its file size, most recent activity first (then by id). Keys whose
// records do not parse go to *unreadable.
Status LoadListings(const store::StoreInspector& inspector, std::vector<UploadListing>* out,
                    std::vector<std::string>* unreadable);

// The "filename" (else "name") metadata value, as sent; "" when there is none.
std::string FileName(const store::UploadRecord& record);
Color StateColor(store::UploadState state);

// store::ToJson(record) plus "disk_bytes" (null without a file), "percent" (null while the
// length is deferred) and "filename".
nlohmann::json ListingJson(const UploadListing& listing);

// A JSON document as one line; bytes that are not UTF-8 (metadata may hold any) are replaced.
std::string JsonLine(const nlohmann::json& json);

}  // namespace tuskd::tuskctl
