// tuskctl verify: re-hashes data files and checks them against the records (upload_verifier.h);
// exit code 0 only when every upload checked out. A progress bar on a terminal.
#include <algorithm>
#include <ostream>
#include <sstream>

#include "tools/tuskctl/commands.h"
#include "tools/tuskctl/humanize.h"
#include "tools/tuskctl/upload_listing.h"
#include "tools/tuskctl/upload_verifier.h"

namespace tuskd::tuskctl {

namespace po = boost::program_options;

namespace {

constexpr int kBarWidth = 30;
constexpr uint64_t kBarStep = 4 << 20;  // redraw every 4 MiB read

struct Tally {
  size_t ok = 0, failed = 0, skipped = 0;
};

// Draws "[####....] 42% <id> 12M/30M" in place on a terminal; nothing otherwise.
class ProgressLine {
 public:
  // Draws only on a terminal, and never between JSON lines.
  ProgressLine(const CommandContext& context, bool enabled)
      : context_(context), enabled_(enabled && context.terminal.tty) {}
  VerifyProgress For(const std::string& id) {
    if (!enabled_) return nullptr;
    return [this, id](uint64_t done, uint64_t total) {
      if (done < drawn_ + kBarStep && done != total) return;
      drawn_ = done;
      double fraction = total == 0 ? 1.0 : static_cast<double>(done) / total;
      context_.out << "\r" << ProgressBar(fraction, kBarWidth) << " " << Percent(done, total) << " "
                   << id.substr(0, 12) << " " << CompactBytes(done) << "/" << CompactBytes(total)
                   << "\x1b[K" << std::flush;
      shown_ = true;
    };
  }
  void Clear() {
    if (shown_) context_.out << "\r\x1b[K";
    shown_ = false;
    drawn_ = 0;
  }

 private:
  const CommandContext& context_;
  const bool enabled_;
  uint64_t drawn_ = 0;
  bool shown_ = false;
};

// `text` after `first`, wrapped at spaces to `width` columns (0: no wrapping) with the
// continuation lines indented like the first; a digest is long but never split.
std::string Wrapped(const std::string& first, const std::string& text, int width) {
  const size_t indent = first.size();
  std::string out = first;
  size_t column = indent;
  std::istringstream words(text);
  for (std::string word; words >> word;) {
    if (column > indent && width > 0 &&
        column + 1 + DisplayWidth(word) > static_cast<size_t>(width)) {
      out += "\n" + std::string(indent, ' ');
      column = indent;
    }
    if (column > indent) {
      out += ' ';
      ++column;
    }
    out += word;
    column += DisplayWidth(word);
  }
  return out + "\n";
}

void PrintReport(const CommandContext& context, const VerifyReport& report, bool json,
                 Tally* tally) {
  if (report.skipped) {
    ++tally->skipped;
  } else if (report.ok()) {
    ++tally->ok;
  } else {
    ++tally->failed;
  }
  if (json) {
    context.out << JsonLine(ReportJson(report)) << "\n";
    return;
  }
  const Terminal& t = context.terminal;
  std::string verdict = report.skipped ? Paint(t, Color::kDim, "skip")
                        : report.ok()  ? Paint(t, Color::kGreen, "ok  ")
                                       : Paint(t, Color::kRed, "FAIL");
  std::string state = report.state;
  state.resize(std::max<size_t>(state.size(), 10), ' ');  // as wide as "terminated"
  std::string line = verdict + "  " + report.id + "  " + state;
  if (!report.skipped) line += "  " + HumanBytes(report.bytes_checked);
  while (!line.empty() && line.back() == ' ') line.pop_back();
  context.out << line << "\n";
  for (const std::string& problem : report.problems) {
    context.out << Wrapped("      - ", Printable(problem), context.terminal.width);
  }
  for (const std::string& note : report.notes) {
    context.out << "      (" << Printable(note) << ")\n";
  }
}

// Verifies one record. Beside a running tuskd, a failure may only mean the upload moved on
// (terminated, expired, a commit) between reading its record and its file: then catch up and
// check the newer record once more.
VerifyReport VerifyWithRetry(store::StoreInspector& inspector, const store::UploadRecord& record,
                             ProgressLine* progress) {
  VerifyReport report = VerifyUpload(inspector, record, progress->For(record.id));
  progress->Clear();
  if (report.ok() || !inspector.live() || !inspector.Refresh().ok()) return report;
  store::UploadRecord newer;
  if (!inspector.GetUpload(record.id, &newer).ok() ||
      store::SerializeRecord(newer) == store::SerializeRecord(record)) {
    return report;
  }
  report = VerifyUpload(inspector, newer, progress->For(newer.id));
  progress->Clear();
  return report;
}

// The records `verify` checks: every upload with --all, else the ones the given ids name; keys
// whose record does not parse go to *unreadable. Returns false, having said why, when the store
// cannot be listed or read, or an id names no single upload.
bool CollectRecords(CommandContext& context, store::StoreInspector& inspector, bool all,
                    const po::variables_map& vm, std::vector<store::UploadRecord>* records,
                    std::vector<std::string>* unreadable) {
  if (all) {
    if (Status listed = inspector.ListUploads(records, unreadable); !listed.ok()) {
      context.err << "tuskctl verify: " << listed.ToString() << "\n";
      return false;
    }
    return true;
  }
  for (const std::string& given : vm["ids"].as<std::vector<std::string>>()) {
    std::string id;
    if (!ResolveUploadId(context, inspector, given, &id)) return false;
    store::UploadRecord record;
    Status found = inspector.GetUpload(id, &record);
    if (found.IsCorruption()) {
      unreadable->push_back(id);
    } else if (!found.ok()) {
      context.err << "tuskctl verify: " << Printable(found.ToString()) << "\n";
      return false;
    } else {
      records->push_back(std::move(record));
    }
  }
  return true;
}

// "3 uploads: 2 ok, 1 failed, 0 skipped (terminated or expired)", the failures in red.
void PrintTally(CommandContext& context, const Tally& tally) {
  size_t total = tally.ok + tally.failed + tally.skipped;
  context.out << total << (total == 1 ? " upload: " : " uploads: ") << tally.ok << " ok, "
              << (tally.failed > 0 ? Paint(context.terminal, Color::kRed,
                                           std::to_string(tally.failed) + " failed")
                                   : "0 failed")
              << ", " << tally.skipped << " skipped (terminated or expired)\n";
}

}  // namespace

int RunVerify(CommandContext& context, const Args& args) {
  po::options_description options;
  auto add = options.add_options();
  add("ids", po::value<std::vector<std::string>>(), "upload ids or prefixes");
  add("all", "every upload");
  add("json", "one JSON object per upload and line");
  po::positional_options_description positional;
  positional.add("ids", -1);
  po::variables_map vm;
  if (auto done = ParseCommandArgs(context, SpecOf("verify"), options, positional, args, &vm)) {
    return *done;
  }
  bool all = vm.count("all") > 0;
  if (all == (vm.count("ids") > 0)) {
    context.err << "tuskctl verify: give upload ids or --all (not both)\n";
    return kExitUsage;
  }
  const bool json = vm.count("json") > 0;
  std::unique_ptr<store::StoreInspector> inspector;
  if (!OpenInspector(context, store::StoreInspector::Mode::kAuto, &inspector)) {
    return kExitFailure;
  }
  std::vector<store::UploadRecord> records;
  std::vector<std::string> unreadable;
  if (!CollectRecords(context, *inspector, all, vm, &records, &unreadable)) return kExitFailure;

  Tally tally;
  ProgressLine progress(context, /*enabled=*/!json);
  for (const std::string& key : unreadable) {
    VerifyReport report;
    report.id = Printable(key);
    report.state = "unknown";
    report.problems.emplace_back("the upload record does not parse");
    PrintReport(context, report, json, &tally);
  }
  for (const store::UploadRecord& record : records) {
    PrintReport(context, VerifyWithRetry(*inspector, record, &progress), json, &tally);
  }
  if (!json) PrintTally(context, tally);
  return tally.failed == 0 ? kExitOk : kExitFailure;
}

}  // namespace tuskd::tuskctl
