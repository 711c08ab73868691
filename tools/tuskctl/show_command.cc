// tuskctl show: everything recorded about one upload, and what its files say.
#include <algorithm>
#include <cstdio>
#include <ostream>

#include "store/rolling_sha256.h"
#include "tools/tuskctl/commands.h"
#include "tools/tuskctl/humanize.h"
#include "tools/tuskctl/upload_listing.h"

namespace tuskd::tuskctl {

namespace po = boost::program_options;
using nlohmann::json;

namespace {

constexpr int kLabelWidth = 14;

// The hash state as stored: present, and whether it covers exactly the committed offset.
json HashStateJson(const store::StoreInspector& inspector, const store::UploadRecord& record) {
  std::string blob;
  Status found = inspector.GetHashState(record.id, &blob);
  if (found.IsNotFound()) return json{{"present", false}};
  if (!found.ok()) return json{{"present", false}, {"error", found.ToString()}};
  store::RollingSha256 hash;
  Status parsed = store::RollingSha256::Deserialize(blob, record.offset, &hash);
  if (!parsed.ok()) return json{{"present", true}, {"valid", false}, {"error", parsed.message()}};
  return json{{"present", true}, {"valid", true}, {"offset", hash.bytes_hashed()}};
}

json PredictionStatusJson(const store::StoreInspector& inspector,
                          const store::UploadRecord& record) {
  store::PredictionStatus status;
  if (!record.sha256 || !inspector.PredictionFor(*record.sha256, &status).ok()) return nullptr;
  return json{{"status", store::ToString(status.state)},
              {"result", status.result},
              {"error", status.error},
              {"attempts", status.attempts},
              {"updated_at", status.updated_at}};
}

class FieldPrinter {
 public:
  explicit FieldPrinter(const CommandContext& context) : context_(context) {}
  void operator()(const std::string& label, const std::string& value) const {
    std::string padded = label;
    padded.resize(std::max<size_t>(label.size() + 1, kLabelWidth), ' ');
    context_.out << Paint(context_.terminal, Color::kBold, padded) << value << "\n";
  }

 private:
  const CommandContext& context_;
};

std::string TimeField(int64_t time, int64_t now) {
  return Timestamp(time) + " (" + Relative(time, now) + ")";
}

std::string SizeField(uint64_t bytes) {
  return HumanBytes(bytes) + " (" + std::to_string(bytes) + " bytes)";
}

std::string HashStateText(const json& hash_state) {
  if (!hash_state.value("present", false)) {
    return hash_state.contains("error") ? hash_state["error"].get<std::string>() : "none";
  }
  if (!hash_state.value("valid", false)) return "unusable: " + hash_state.value("error", "");
  return "covers " + std::to_string(hash_state["offset"].get<uint64_t>()) +
         " bytes (the committed offset)";
}

std::string PredictionText(const store::UploadRecord& record, const json& status) {
  std::string text;
  if (record.prediction.is_object() && record.prediction.contains("cache_hit")) {
    text = record.prediction.value("cache_hit", false) ? "cache hit; " : "cache miss; ";
  }
  if (status.is_null()) return text + (record.complete() ? "no result or job" : "-");
  text += status["status"].get<std::string>();
  if (status["attempts"].get<int>() > 0) {
    text += ", " + std::to_string(status["attempts"].get<int>()) + " attempt(s)";
  }
  if (!status["error"].get<std::string>().empty()) {
    text += ", error: " + status["error"].get<std::string>();
  }
  return text;
}

void PrintHuman(const CommandContext& context, const UploadListing& listing, const json& hash_state,
                const json& prediction, const std::string& path) {
  const store::UploadRecord& r = listing.record;
  FieldPrinter field(context);
  field("id", r.id);
  field("state",
        Paint(context.terminal, StateColor(r.state), std::string(store::ToString(r.state))));
  field("created", TimeField(r.created_at, context.now));
  field("last activity", TimeField(r.updated_at, context.now));
  field("expires", r.expires_at ? TimeField(*r.expires_at, context.now) : "-");
  field("length", r.length ? SizeField(*r.length) : "deferred");
  field("offset", SizeField(r.offset) + ", " + Percent(r.offset, r.length));
  field("data file", path);
  field("  committed", SizeField(r.data_length));
  field("  on disk", listing.disk_bytes ? SizeField(*listing.disk_bytes) : "missing");
  std::string compression(compress::ToString(r.compression));
  if (r.compressed() && r.data_length > 0) {
    char ratio[32];
    std::snprintf(ratio, sizeof(ratio), " (ratio %.2f)",
                  static_cast<double>(r.offset) / static_cast<double>(r.data_length));
    compression += ratio;
  }
  field("compression", compression);
  field("hash state", HashStateText(hash_state));
  field("sha256", r.sha256.value_or("-"));
  field("prediction", Printable(PredictionText(r, prediction)));
  if (!prediction.is_null() && !prediction["result"].is_null()) {
    std::string result = Printable(JsonLine(prediction["result"]));
    if (context.terminal.width > kLabelWidth) {
      result = Truncate(result, context.terminal.width - kLabelWidth);
    }
    field("  result", result);
  }
  std::string concat = r.concat == store::ConcatKind::kNone ? "-" : std::string(ToString(r.concat));
  for (size_t i = 0; i < r.concat_parts.size(); ++i) {
    concat += (i == 0 ? ": " : ", ") + r.concat_parts[i];
  }
  field("concat", concat);
  if (r.metadata.empty()) field("metadata", "-");
  for (size_t i = 0; i < r.metadata.size(); ++i) {
    field(i == 0 ? "metadata" : "", Printable(r.metadata[i].first + " = " + r.metadata[i].second));
  }
  if (!r.metadata_raw.empty()) field("metadata raw", Printable(r.metadata_raw));
}

}  // namespace

int RunShow(CommandContext& context, const Args& args) {
  po::options_description options;
  auto add = options.add_options();
  add("id", po::value<std::string>()->required(), "upload id or unique prefix");
  add("json", "one JSON object: the record plus data_file, hash_state, prediction_status");
  po::positional_options_description positional;
  positional.add("id", 1);
  po::variables_map vm;
  if (auto done = ParseCommandArgs(context, SpecOf("show"), options, positional, args, &vm)) {
    return *done;
  }
  std::unique_ptr<store::StoreInspector> inspector;
  if (!OpenInspector(context, store::StoreInspector::Mode::kAuto, &inspector)) {
    return kExitFailure;
  }
  std::string id;
  if (!ResolveUploadId(context, *inspector, vm["id"].as<std::string>(), &id)) {
    return kExitFailure;
  }
  UploadListing listing;
  if (Status found = inspector->GetUpload(id, &listing.record); !found.ok()) {
    context.err << "tuskctl show: " << Printable(found.ToString()) << "\n";
    return kExitFailure;
  }
  uint64_t size = 0;
  if (inspector->DataFileSize(id, &size).ok()) listing.disk_bytes = size;
  json hash_state = HashStateJson(*inspector, listing.record);
  json prediction = PredictionStatusJson(*inspector, listing.record);
  const std::string path = inspector->DataPath(id);
  if (vm.count("json")) {
    json j = ListingJson(listing);
    j["data_file"] = json{{"path", path}, {"size", j["disk_bytes"]}};
    j["hash_state"] = hash_state;
    j["prediction_status"] = prediction;
    context.out << JsonLine(j) << "\n";
  } else {
    PrintHuman(context, listing, hash_state, prediction, path);
  }
  return kExitOk;
}

}  // namespace tuskd::tuskctl
