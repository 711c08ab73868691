// tuskctl jobs: the durable prediction queue, oldest first (the order workers take it in).
#include <algorithm>
#include <ostream>

#include "tools/tuskctl/commands.h"
#include "tools/tuskctl/humanize.h"
#include "tools/tuskctl/text_table.h"
#include "tools/tuskctl/upload_listing.h"

namespace tuskd::tuskctl {

namespace po = boost::program_options;

int RunJobs(CommandContext& context, const Args& args) {
  po::options_description options;
  options.add_options()("json", "one JSON object per job and line");
  po::variables_map vm;
  if (auto done = ParseCommandArgs(context, SpecOf("jobs"), options, {}, args, &vm)) return *done;
  std::unique_ptr<store::StoreInspector> inspector;
  if (!OpenInspector(context, store::StoreInspector::Mode::kAuto, &inspector)) {
    return kExitFailure;
  }
  std::vector<store::PredictionJob> jobs;
  if (Status listed = inspector->ListJobs(&jobs); !listed.ok()) {
    context.err << "tuskctl jobs: " << listed.ToString() << "\n";
    return kExitFailure;
  }
  std::stable_sort(jobs.begin(), jobs.end(),
                   [](const auto& a, const auto& b) { return a.created_at < b.created_at; });
  if (vm.count("json")) {
    for (const auto& job : jobs) context.out << JsonLine(store::JobToJson(job)) << "\n";
    return kExitOk;
  }
  if (jobs.empty()) {
    context.out << "no queued jobs\n";
    return kExitOk;
  }
  TextTable table({{"SHA256"},
                   {"UPLOADS", TextTable::Align::kRight},
                   {"TRIES", TextTable::Align::kRight},
                   {"AGE", TextTable::Align::kRight},
                   {"NEXT TRY"},
                   {"LAST ERROR", TextTable::Align::kLeft, /*flexible=*/true}});
  for (const auto& job : jobs) {
    bool due = job.next_attempt_at <= context.now;
    table.AddRow({{job.sha256.substr(0, 16)},
                  {std::to_string(job.uploads.size())},
                  {std::to_string(job.attempts)},
                  {ShortDuration(context.now - job.created_at)},
                  {due ? "due" : Relative(job.next_attempt_at, context.now),
                   due ? Color::kNone : Color::kYellow},
                  {Printable(job.last_error.empty() ? "-" : job.last_error)}});
  }
  context.out << table.Render(context.terminal);
  return kExitOk;
}

}  // namespace tuskd::tuskctl
