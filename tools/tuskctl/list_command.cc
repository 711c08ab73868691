// tuskctl list: the uploads as an aligned table (or JSON Lines), most recent activity first.
#include <ostream>

#include "base/quantity.h"
#include "tools/tuskctl/commands.h"
#include "tools/tuskctl/humanize.h"
#include "tools/tuskctl/text_table.h"
#include "tools/tuskctl/upload_listing.h"

namespace tuskd::tuskctl {

namespace po = boost::program_options;

namespace {

constexpr size_t kShortId = 12;  // enough to be unique; `show` takes prefixes

std::string ProgressText(const store::UploadRecord& record) {
  std::string length = record.length ? CompactBytes(*record.length) : "?";
  if (record.complete()) return length + " " + Percent(record.offset, record.length);
  return CompactBytes(record.offset) + "/" + length + " " + Percent(record.offset, record.length);
}

void PrintTable(const CommandContext& context, const std::vector<UploadListing>& listings) {
  TextTable table({{"ID"},
                   {"STATE"},
                   {"PROGRESS", TextTable::Align::kRight},
                   {"DISK", TextTable::Align::kRight},
                   {"AGE", TextTable::Align::kRight},
                   {"ACTIVE", TextTable::Align::kRight},
                   {"NAME", TextTable::Align::kLeft, /*flexible=*/true}});
  for (const UploadListing& listing : listings) {
    const store::UploadRecord& record = listing.record;
    table.AddRow({{record.id.substr(0, kShortId)},
                  {std::string(store::ToString(record.state)), StateColor(record.state)},
                  {ProgressText(record)},
                  {listing.disk_bytes ? CompactBytes(*listing.disk_bytes) : "-"},
                  {ShortDuration(context.now - record.created_at)},
                  {ShortDuration(context.now - record.updated_at)},
                  {Printable(FileName(record))}});
  }
  context.out << table.Render(context.terminal);
}

}  // namespace

int RunList(CommandContext& context, const Args& args) {
  const CommandSpec& spec = SpecOf("list");
  po::options_description options;
  auto add = options.add_options();
  add("state", po::value<std::string>(),
      "only uploads in this state: receiving, complete, expired or terminated");
  add("older-than", po::value<std::string>(),
      "only uploads idle at least this long (90s, 15m, 24h, 7d)");
  add("json", "one JSON object per line, for scripts");
  po::variables_map vm;
  if (auto done = ParseCommandArgs(context, spec, options, {}, args, &vm)) return *done;

  std::optional<store::UploadState> state;
  if (vm.count("state")) {
    state = store::UploadStateFromString(vm["state"].as<std::string>());
    if (!state) {
      context.err << "tuskctl list: unknown state '" << Printable(vm["state"].as<std::string>())
                  << "' (receiving, complete, expired, terminated)\n";
      return kExitUsage;
    }
  }
  std::optional<int64_t> idle_at_least;
  if (vm.count("older-than")) {
    auto duration = ParseDuration(vm["older-than"].as<std::string>());
    if (!duration) {
      context.err << "tuskctl list: --older-than takes a duration such as 90s, 15m, 24h, 7d\n";
      return kExitUsage;
    }
    idle_at_least = duration->count();
  }

  std::unique_ptr<store::StoreInspector> inspector;
  if (!OpenInspector(context, store::StoreInspector::Mode::kAuto, &inspector)) {
    return kExitFailure;
  }
  std::vector<UploadListing> listings;
  std::vector<std::string> unreadable;
  if (Status status = LoadListings(*inspector, &listings, &unreadable); !status.ok()) {
    context.err << "tuskctl list: " << status.ToString() << "\n";
    return kExitFailure;
  }
  std::erase_if(listings, [&](const UploadListing& listing) {
    return (state && listing.record.state != *state) ||
           (idle_at_least && context.now - listing.record.updated_at < *idle_at_least);
  });
  for (const std::string& key : unreadable) {
    context.err << "tuskctl list: record " << Printable(key)
                << " does not parse (tuskctl verify --all reports it)\n";
  }
  if (vm.count("json")) {
    for (const UploadListing& listing : listings)
      context.out << JsonLine(ListingJson(listing)) << "\n";
  } else if (listings.empty()) {
    context.out << "no uploads\n";
  } else {
    PrintTable(context, listings);
  }
  return kExitOk;
}

}  // namespace tuskd::tuskctl
