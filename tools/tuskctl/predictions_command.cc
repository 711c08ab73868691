// tuskctl predictions: the prediction cache (results by content hash); with a hash, one entry
// in full: its result or queued job, and the uploads holding that content.
#include <ostream>
#include <set>
#include <sstream>

#include "tools/tuskctl/commands.h"
#include "tools/tuskctl/humanize.h"
#include "tools/tuskctl/text_table.h"
#include "tools/tuskctl/upload_listing.h"

namespace tuskd::tuskctl {

namespace po = boost::program_options;
using nlohmann::json;

namespace {

constexpr size_t kShortHash = 16;
constexpr size_t kMinHashPrefix = 8;

Color StatusColor(const std::string& status) {
  if (status == "done") return Color::kGreen;
  if (status == "failed") return Color::kRed;
  return Color::kYellow;
}

void PrintCache(const CommandContext& context, const std::vector<json>& predictions) {
  if (predictions.empty()) {
    context.out << "no cached predictions\n";
    return;
  }
  TextTable table({{"SHA256"},
                   {"STATUS"},
                   {"PREDICTOR"},
                   {"TRIES", TextTable::Align::kRight},
                   {"UPDATED", TextTable::Align::kRight},
                   {"RESULT", TextTable::Align::kLeft, /*flexible=*/true}});
  for (const json& p : predictions) {
    std::string status = p.value("status", "?");
    std::string result = p.value("error", "");
    if (p.contains("result") && p["result"].is_object()) {
      json shown = p["result"];
      shown.erase("sha256");  // the row says these already
      shown.erase("predictor");
      result = JsonLine(shown);
    }
    table.AddRow({{p.value("sha256", "?").substr(0, kShortHash)},
                  {status, StatusColor(status)},
                  {Printable(p.value("predictor", "-"))},
                  {std::to_string(p.value("attempts", 0))},
                  {ShortDuration(context.now - p.value("updated_at", int64_t{0}))},
                  {Printable(result)}});
  }
  context.out << table.Render(context.terminal);
}

// The full hash for a prefix, among cached results and queued jobs.
bool ResolveHash(const CommandContext& context, const std::vector<json>& predictions,
                 const std::vector<store::PredictionJob>& jobs, const std::string& given,
                 std::string* sha256) {
  std::set<std::string> matches;
  for (const json& p : predictions) {
    if (p.value("sha256", "").starts_with(given)) matches.insert(p.value("sha256", ""));
  }
  for (const auto& job : jobs) {
    if (job.sha256.starts_with(given)) matches.insert(job.sha256);
  }
  if (given.size() < kMinHashPrefix || matches.empty()) {
    context.err << "tuskctl predictions: no prediction or job for " << Printable(given) << "\n";
    return false;
  }
  if (matches.size() > 1) {
    context.err << "tuskctl predictions: '" << Printable(given) << "' matches " << matches.size()
                << " hashes; give more of it\n";
    return false;
  }
  *sha256 = *matches.begin();
  return true;
}

json EntryJson(const store::StoreInspector& inspector, const std::string& sha256,
               const std::vector<json>& predictions,
               const std::vector<store::PredictionJob>& jobs) {
  store::PredictionStatus status;
  (void)inspector.PredictionFor(sha256, &status);  // found: ResolveHash saw it
  json entry = {{"sha256", sha256},
                {"status", store::ToString(status.state)},
                {"result", status.result},
                {"error", status.error},
                {"attempts", status.attempts},
                {"updated_at", status.updated_at},
                {"predictor", nullptr},
                {"job", nullptr}};
  for (const json& p : predictions) {
    if (p.value("sha256", "") == sha256) entry["predictor"] = p.value("predictor", "");
  }
  for (const auto& job : jobs) {
    if (job.sha256 == sha256) entry["job"] = store::JobToJson(job);
  }
  std::vector<store::UploadRecord> records;
  json uploads = json::array();
  if (inspector.ListUploads(&records, nullptr).ok()) {
    for (const auto& record : records) {
      if (record.sha256 == sha256) uploads.push_back(record.id);
    }
  }
  entry["uploads"] = uploads;
  return entry;
}

void PrintEntry(const CommandContext& context, const json& entry) {
  auto line = [&](const char* label, const std::string& value) {
    context.out << Paint(context.terminal, Color::kBold, label) << Printable(value) << "\n";
  };
  line("sha256      ", entry["sha256"].get<std::string>());
  line("status      ", entry["status"].get<std::string>() + ", " +
                           std::to_string(entry["attempts"].get<int>()) + " attempt(s), updated " +
                           Relative(entry["updated_at"].get<int64_t>(), context.now));
  if (entry["predictor"].is_string()) line("predictor   ", entry["predictor"].get<std::string>());
  if (!entry["error"].get<std::string>().empty()) {
    line("error       ", entry["error"].get<std::string>());
  }
  if (!entry["job"].is_null()) {
    const json& job = entry["job"];
    int64_t next = job["next_attempt_at"].get<int64_t>();
    line("job         ",
         "queued " + Relative(job["created_at"].get<int64_t>(), context.now) +
             (next > context.now ? ", next attempt " + Relative(next, context.now) : ", due now"));
  }
  if (!entry["result"].is_null()) {
    context.out << Paint(context.terminal, Color::kBold, "result") << "\n";
    // Line by line: Printable() turns newlines into '?' along with the other controls.
    std::istringstream lines(entry["result"].dump(2, ' ', false, json::error_handler_t::replace));
    for (std::string text; std::getline(lines, text);) context.out << Printable(text) << "\n";
  }
  std::string uploads;
  for (const auto& id : entry["uploads"])
    uploads += (uploads.empty() ? "" : " ") + id.get<std::string>();
  line("uploads     ", uploads.empty() ? "-" : uploads);
}

}  // namespace

int RunPredictions(CommandContext& context, const Args& args) {
  po::options_description options;
  auto add = options.add_options();
  add("sha256", po::value<std::string>(), "one content hash (or prefix)");
  add("json", "JSON Lines (the cache) or one JSON object (one hash)");
  po::positional_options_description positional;
  positional.add("sha256", 1);
  po::variables_map vm;
  if (auto done =
          ParseCommandArgs(context, SpecOf("predictions"), options, positional, args, &vm)) {
    return *done;
  }
  std::unique_ptr<store::StoreInspector> inspector;
  if (!OpenInspector(context, store::StoreInspector::Mode::kAuto, &inspector)) {
    return kExitFailure;
  }
  std::vector<json> predictions;
  std::vector<store::PredictionJob> jobs;
  Status status = inspector->ListPredictions(&predictions);
  if (status.ok()) status = inspector->ListJobs(&jobs);
  if (!status.ok()) {
    context.err << "tuskctl predictions: " << status.ToString() << "\n";
    return kExitFailure;
  }
  const bool as_json = vm.count("json") > 0;
  if (!vm.count("sha256")) {
    if (!as_json) PrintCache(context, predictions);
    for (const json& p : predictions) {
      if (as_json) context.out << JsonLine(p) << "\n";
    }
    return kExitOk;
  }
  std::string sha256;
  if (!ResolveHash(context, predictions, jobs, vm["sha256"].as<std::string>(), &sha256)) {
    return kExitFailure;
  }
  json entry = EntryJson(*inspector, sha256, predictions, jobs);
  if (as_json) {
    context.out << JsonLine(entry) << "\n";
  } else {
    PrintEntry(context, entry);
  }
  return kExitOk;
}

}  // namespace tuskd::tuskctl
