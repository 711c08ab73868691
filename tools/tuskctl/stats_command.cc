// tuskctl stats: counts per state, bytes received vs stored, the prediction cache and queue,
// and the oldest upload still open.
#include <cstdio>
#include <map>
#include <ostream>

#include "tools/tuskctl/commands.h"
#include "tools/tuskctl/humanize.h"
#include "tools/tuskctl/upload_listing.h"

namespace tuskd::tuskctl {

namespace po = boost::program_options;
using nlohmann::json;

namespace {

struct Stats {
  std::map<std::string, size_t> states = {
      {"receiving", 0}, {"complete", 0}, {"expired", 0}, {"terminated", 0}};
  size_t total = 0;
  size_t unreadable = 0;       // records that do not parse (verify names them)
  uint64_t logical_bytes = 0;  // committed offsets of live uploads
  uint64_t stored_bytes = 0;   // their data files on disk
  size_t prediction_entries = 0, predictions_done = 0, predictions_failed = 0;
  size_t cache_lookups = 0, cache_hits = 0;  // completions, and those served by the cache
  size_t jobs = 0, jobs_retrying = 0;
  const UploadListing* oldest_open = nullptr;
};

void CountUploads(const std::vector<UploadListing>& listings, Stats* stats) {
  for (const UploadListing& listing : listings) {
    const store::UploadRecord& record = listing.record;
    ++stats->states[std::string(store::ToString(record.state))];
    ++stats->total;
    if (record.state == store::UploadState::kReceiving ||
        record.state == store::UploadState::kComplete) {
      stats->logical_bytes += record.offset;
      stats->stored_bytes += listing.disk_bytes.value_or(0);
    }
    if (record.complete() && record.prediction.is_object() &&
        record.prediction.contains("cache_hit")) {
      ++stats->cache_lookups;
      if (record.prediction.value("cache_hit", false)) ++stats->cache_hits;
    }
    if (record.state == store::UploadState::kReceiving &&
        (!stats->oldest_open || record.created_at < stats->oldest_open->record.created_at)) {
      stats->oldest_open = &listing;
    }
  }
}

Status CountPipeline(const store::StoreInspector& inspector, Stats* stats) {
  std::vector<json> predictions;
  if (Status listed = inspector.ListPredictions(&predictions); !listed.ok()) return listed;
  stats->prediction_entries = predictions.size();
  for (const json& prediction : predictions) {
    if (prediction.value("status", "") == "done") ++stats->predictions_done;
    if (prediction.value("status", "") == "failed") ++stats->predictions_failed;
  }
  std::vector<store::PredictionJob> jobs;
  if (Status listed = inspector.ListJobs(&jobs); !listed.ok()) return listed;
  stats->jobs = jobs.size();
  for (const auto& job : jobs) stats->jobs_retrying += job.attempts > 0 ? 1 : 0;
  return Status::Ok();
}

json ToJson(const Stats& stats, int64_t now) {
  json uploads = {{"total", stats.total}, {"unreadable", stats.unreadable}};
  for (const auto& [state, count] : stats.states) uploads[state] = count;
  json oldest = nullptr;
  if (stats.oldest_open) {
    const store::UploadRecord& r = stats.oldest_open->record;
    oldest = {{"id", r.id},
              {"created_at", r.created_at},
              {"age_seconds", now - r.created_at},
              {"offset", r.offset},
              {"length", r.length ? json(*r.length) : json(nullptr)}};
  }
  auto ratio = [](uint64_t a, uint64_t b) { return b == 0 ? json(nullptr) : json(double(a) / b); };
  return {{"uploads", uploads},
          {"bytes",
           {{"logical", stats.logical_bytes},
            {"stored", stats.stored_bytes},
            {"compression_ratio", ratio(stats.logical_bytes, stats.stored_bytes)}}},
          {"predictions",
           {{"entries", stats.prediction_entries},
            {"done", stats.predictions_done},
            {"failed", stats.predictions_failed},
            {"lookups", stats.cache_lookups},
            {"hits", stats.cache_hits},
            {"hit_rate", ratio(stats.cache_hits, stats.cache_lookups)}}},
          {"jobs", {{"queued", stats.jobs}, {"retrying", stats.jobs_retrying}}},
          {"oldest_open", oldest}};
}

void PrintHuman(const CommandContext& context, const Stats& stats) {
  auto line = [&](const char* label, const std::string& value) {
    context.out << Paint(context.terminal, Color::kBold, label) << value << "\n";
  };
  std::string states;
  for (const char* state : {"receiving", "complete", "expired", "terminated"}) {
    states += (states.empty() ? "" : ", ") + std::to_string(stats.states.at(state)) + " " + state;
  }
  if (stats.unreadable > 0) states += ", " + std::to_string(stats.unreadable) + " unreadable";
  line("uploads      ", std::to_string(stats.total) + " (" + states + ")");
  char ratio[48] = "";
  if (stats.stored_bytes > 0) {
    std::snprintf(ratio, sizeof(ratio), ", ratio %.2f",
                  static_cast<double>(stats.logical_bytes) / stats.stored_bytes);
  }
  line("bytes        ", HumanBytes(stats.logical_bytes) + " received, " +
                            HumanBytes(stats.stored_bytes) + " stored" + ratio);
  std::string hit_rate = "no completions yet";
  if (stats.cache_lookups > 0) {
    hit_rate = Percent(stats.cache_hits, stats.cache_lookups) + " hit rate (" +
               std::to_string(stats.cache_hits) + " of " + std::to_string(stats.cache_lookups) +
               " completions)";
  }
  line("predictions  ", std::to_string(stats.prediction_entries) + " cached (" +
                            std::to_string(stats.predictions_done) + " done, " +
                            std::to_string(stats.predictions_failed) + " failed), " + hit_rate);
  line("jobs         ", std::to_string(stats.jobs) + " queued (" +
                            std::to_string(stats.jobs_retrying) + " retrying)");
  if (!stats.oldest_open) {
    line("oldest open  ", "-");
    return;
  }
  const store::UploadRecord& r = stats.oldest_open->record;
  line("oldest open  ", r.id.substr(0, 12) + ", " + LongDuration(context.now - r.created_at) +
                            " old, " + CompactBytes(r.offset) + "/" +
                            (r.length ? CompactBytes(*r.length) : "?") + " " +
                            Percent(r.offset, r.length));
}

}  // namespace

int RunStats(CommandContext& context, const Args& args) {
  po::options_description options;
  options.add_options()("json", "one JSON object");
  po::variables_map vm;
  if (auto done = ParseCommandArgs(context, SpecOf("stats"), options, {}, args, &vm)) {
    return *done;
  }
  std::unique_ptr<store::StoreInspector> inspector;
  if (!OpenInspector(context, store::StoreInspector::Mode::kAuto, &inspector)) {
    return kExitFailure;
  }
  std::vector<UploadListing> listings;
  Stats stats;
  std::vector<std::string> unreadable;
  Status status = LoadListings(*inspector, &listings, &unreadable);
  if (status.ok()) {
    CountUploads(listings, &stats);
    stats.unreadable = unreadable.size();
    stats.total += unreadable.size();
    status = CountPipeline(*inspector, &stats);
  }
  if (!status.ok()) {
    context.err << "tuskctl stats: " << status.ToString() << "\n";
    return kExitFailure;
  }
  if (vm.count("json")) {
    context.out << ToJson(stats, context.now).dump() << "\n";
  } else {
    PrintHuman(context, stats);
  }
  return kExitOk;
}

}  // namespace tuskd::tuskctl
