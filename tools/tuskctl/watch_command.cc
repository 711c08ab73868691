// tuskctl watch: a live view, refreshed every second, of the uploads receiving data, with
// progress bars and rates. On a terminal it draws in the alternate screen and restores the
// terminal (screen and cursor) on exit, Ctrl-C, SIGTERM and SIGHUP; into a pipe it prints one
// plain frame per refresh. Follows a running tuskd through a RocksDB secondary.
#include <signal.h>

#include <chrono>
#include <csignal>
#include <ctime>
#include <deque>
#include <map>
#include <ostream>
#include <set>
#include <sstream>
#include <thread>

#include "store/rocksdb/writer_lock.h"
#include "tools/tuskctl/commands.h"
#include "tools/tuskctl/humanize.h"
#include "tools/tuskctl/text_table.h"
#include "tools/tuskctl/upload_listing.h"

namespace tuskd::tuskctl {

namespace po = boost::program_options;
using Clock = std::chrono::steady_clock;

namespace {

constexpr int kBarWidth = 22;
constexpr auto kRateWindow = std::chrono::seconds(5);
constexpr auto kSignalPoll = std::chrono::milliseconds(50);

volatile std::sig_atomic_t g_stop = 0;
void RequestStop(int) { g_stop = 1; }

// Ctrl-C, SIGTERM and SIGHUP end the loop instead of the process, so the screen is restored.
void CatchStopSignals() {
  struct sigaction action = {};
  action.sa_handler = RequestStop;
  sigemptyset(&action.sa_mask);
  for (int signal : {SIGINT, SIGTERM, SIGHUP}) sigaction(signal, &action, nullptr);
}

// The alternate screen with the cursor hidden, for as long as this object lives.
class AlternateScreen {
 public:
  AlternateScreen(std::ostream& out, bool enable) : out_(out), enabled_(enable) {
    if (enabled_) out_ << "\x1b[?1049h\x1b[?25l" << std::flush;
  }
  ~AlternateScreen() {
    if (enabled_) out_ << "\x1b[?25h\x1b[?1049l" << std::flush;
  }
  AlternateScreen(const AlternateScreen&) = delete;
  AlternateScreen& operator=(const AlternateScreen&) = delete;

 private:
  std::ostream& out_;
  bool enabled_;
};

// Bytes per second per upload over the last few seconds: commits come in bursts (at the end of
// a body, or every checkpoint), so one interval alone would jump between 0 and a spike.
class RateMeter {
 public:
  void Sample(const std::string& id, uint64_t offset, Clock::time_point now) {
    auto& samples = samples_[id];
    samples.push_back({now, offset});
    while (samples.size() > 2 && now - samples[1].first >= kRateWindow) samples.pop_front();
  }
  // nullopt until there are two samples.
  std::optional<uint64_t> Rate(const std::string& id) const {
    auto it = samples_.find(id);
    if (it == samples_.end() || it->second.size() < 2) return std::nullopt;
    const auto& [t0, o0] = it->second.front();
    const auto& [t1, o1] = it->second.back();
    double seconds = std::chrono::duration<double>(t1 - t0).count();
    if (seconds <= 0 || o1 < o0) return 0;
    return static_cast<uint64_t>(static_cast<double>(o1 - o0) / seconds);
  }
  void Forget(const std::set<std::string>& keep) {
    std::erase_if(samples_, [&](const auto& entry) { return !keep.contains(entry.first); });
  }

 private:
  std::map<std::string, std::deque<std::pair<Clock::time_point, uint64_t>>> samples_;
};

std::string Header(const CommandContext& context) {
  std::optional<pid_t> writer = store::StateDbWriterPid(context.data_dir + "/db");
  std::string status =
      writer ? "tuskd running (pid " + std::to_string(*writer) + ")" : "tuskd not running";
  std::time_t now = std::time(nullptr);
  return "tuskctl watch  " + Printable(context.data_dir) + "  " + status + "  " +
         Timestamp(now).substr(11);
}

std::string Frame(const CommandContext& context, const std::vector<UploadListing>& receiving,
                  const RateMeter& rates, int64_t now, const std::string& error) {
  std::ostringstream frame;
  frame << Paint(context.terminal, Color::kBold, Header(context)) << "\n\n";
  if (!error.empty()) frame << Paint(context.terminal, Color::kRed, error) << "\n";
  TextTable table({{"ID"},
                   {"PROGRESS"},
                   {"%", TextTable::Align::kRight},
                   {"RECEIVED", TextTable::Align::kRight},
                   {"RATE", TextTable::Align::kRight},
                   {"ACTIVE", TextTable::Align::kRight},
                   {"NAME", TextTable::Align::kLeft, /*flexible=*/true}});
  // Room for the header, the blank line, the table's title row and the footer.
  size_t room = context.terminal.tty ? std::max(1, context.terminal.height - 5) : receiving.size();
  for (size_t i = 0; i < receiving.size() && i < room; ++i) {
    const store::UploadRecord& r = receiving[i].record;
    double fraction = r.length && *r.length > 0 ? static_cast<double>(r.offset) / *r.length : 0;
    std::optional<uint64_t> rate = rates.Rate(r.id);
    table.AddRow({{r.id.substr(0, 12)},
                  {r.length ? ProgressBar(fraction, kBarWidth) : "(length deferred)", Color::kCyan},
                  {Percent(r.offset, r.length)},
                  {CompactBytes(r.offset) + "/" + (r.length ? CompactBytes(*r.length) : "?")},
                  {rate ? CompactBytes(*rate) + "/s" : "-"},
                  {ShortDuration(now - r.updated_at)},
                  {Printable(FileName(r))}});
  }
  if (receiving.empty()) {
    frame << "no uploads receiving data\n";
  } else {
    frame << table.Render(context.terminal);
  }
  frame << "\n" << receiving.size() << " receiving";
  if (receiving.size() > room) frame << " (" << receiving.size() - room << " not shown)";
  if (context.terminal.tty) frame << "; Ctrl-C quits";
  frame << "\n";
  return frame.str();
}

// On a terminal each line also clears the rest of its row, and the frame the rest of the screen,
// so a shorter frame leaves nothing of the previous one.
void Draw(const CommandContext& context, const std::string& frame) {
  if (!context.terminal.tty) {
    context.out << frame << "\n" << std::flush;
    return;
  }
  std::string screen = "\x1b[H";
  std::istringstream lines(frame);
  for (std::string line; std::getline(lines, line);) screen += line + "\x1b[K\n";
  context.out << screen << "\x1b[J" << std::flush;
}

void SleepUnlessStopped(std::chrono::milliseconds interval) {
  auto until = Clock::now() + interval;
  while (!g_stop && Clock::now() < until) std::this_thread::sleep_for(kSignalPoll);
}

}  // namespace

int RunWatch(CommandContext& context, const Args& args) {
  po::options_description options;
  auto add = options.add_options();
  add("interval", po::value<double>()->default_value(1.0), "seconds between refreshes");
  add("count,n", po::value<int>()->default_value(0), "stop after this many refreshes (0: never)");
  po::variables_map vm;
  if (auto done = ParseCommandArgs(context, SpecOf("watch"), options, {}, args, &vm)) {
    return *done;
  }
  double interval_seconds = vm["interval"].as<double>();
  if (interval_seconds < 0.1) {
    context.err << "tuskctl watch: --interval must be at least 0.1\n";
    return kExitUsage;
  }
  auto interval = std::chrono::milliseconds(static_cast<int64_t>(interval_seconds * 1000));
  const int count = vm["count"].as<int>();

  std::unique_ptr<store::StoreInspector> inspector;
  if (!OpenInspector(context, store::StoreInspector::Mode::kSecondary, &inspector)) {
    return kExitFailure;
  }
  CatchStopSignals();
  AlternateScreen screen(context.out, context.terminal.tty);
  RateMeter rates;
  for (int frame = 0; !g_stop && (count == 0 || frame < count); ++frame) {
    if (frame > 0) SleepUnlessStopped(interval);
    if (g_stop) break;
    context.terminal =
        DetectTerminal(1, context.terminal.color ? ColorChoice::kAlways : ColorChoice::kNever);
    std::string error;
    if (Status caught_up = inspector->Refresh(); !caught_up.ok()) {
      // A restarted tuskd starts new WAL and MANIFEST files; a fresh secondary follows them.
      std::unique_ptr<store::StoreInspector> reopened;
      if (store::StoreInspector::Open(context.data_dir, store::StoreInspector::Mode::kSecondary,
                                      &reopened)
              .ok()) {
        inspector = std::move(reopened);
      } else {
        error = "cannot follow the store: " + caught_up.ToString();
      }
    }
    std::vector<UploadListing> listings;
    if (Status loaded = LoadListings(*inspector, &listings, nullptr); !loaded.ok()) {
      error = "cannot read the store: " + loaded.ToString();
    }
    std::erase_if(listings, [](const UploadListing& listing) {
      return listing.record.state != store::UploadState::kReceiving;
    });
    std::set<std::string> ids;
    for (const UploadListing& listing : listings) {
      rates.Sample(listing.record.id, listing.record.offset, Clock::now());
      ids.insert(listing.record.id);
    }
    rates.Forget(ids);
    Draw(context, Frame(context, listings, rates, std::time(nullptr), error));
  }
  return kExitOk;
}

}  // namespace tuskd::tuskctl
