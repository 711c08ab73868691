// tuskctl purge-expired: expires unfinished uploads past their expiry now, instead of at the
// next sweep. Through tuskd's admin endpoint while it runs, directly otherwise (writer_route.h).
#include <ostream>

#include "store/expiry_purge.h"
#include "tools/tuskctl/admin_client.h"
#include "tools/tuskctl/commands.h"
#include "tools/tuskctl/upload_listing.h"
#include "tools/tuskctl/writer_route.h"

namespace tuskd::tuskctl {

namespace po = boost::program_options;
using nlohmann::json;

namespace {

bool PurgeThroughTuskd(const CommandContext& context, const store::AdminInfo& tuskd, bool dry_run,
                       std::vector<std::string>* ids) {
  AdminReply reply =
      dry_run ? CallAdmin(tuskd, "GET", "expired") : CallAdmin(tuskd, "POST", "purge-expired");
  json body = json::parse(reply.body, nullptr, /*allow_exceptions=*/false);
  if (reply.status == 200 && body.is_object() && body.contains("expired") &&
      body["expired"].is_array()) {
    for (const json& id : body["expired"]) {
      if (id.is_string()) ids->push_back(id.get<std::string>());
    }
    return true;
  }
  context.err << "tuskctl purge-expired: tuskd (pid " << tuskd.pid << ") at " << tuskd.admin_url
              << " failed: "
              << (reply.status == 0
                      ? reply.error
                      : std::to_string(reply.status) + " " + PrintableLine(reply.body))
              << "\n";
  return false;
}

}  // namespace

int RunPurgeExpired(CommandContext& context, const Args& args) {
  po::options_description options;
  auto add = options.add_options();
  add("dry-run", "only list what would expire");
  add("json", "one JSON object");
  po::variables_map vm;
  if (auto done = ParseCommandArgs(context, SpecOf("purge-expired"), options, {}, args, &vm)) {
    return *done;
  }
  const bool dry_run = vm.count("dry-run") > 0;
  std::unique_ptr<WriterRoute> route;
  if (Status opened = WriterRoute::Open(context.data_dir, &route); !opened.ok()) {
    context.err << "tuskctl purge-expired: " << opened.message() << "\n";
    return kExitFailure;
  }
  std::vector<std::string> ids;
  if (route->through_tuskd()) {
    if (!PurgeThroughTuskd(context, route->tuskd(), dry_run, &ids)) return kExitFailure;
  } else if (Status purged = store::PurgeExpired(route->store(), context.now, dry_run, &ids);
             !purged.ok()) {
    context.err << "tuskctl purge-expired: " << purged.ToString() << "\n";
    return kExitFailure;
  }
  const std::string via = route->through_tuskd() ? "tuskd" : "direct";
  if (vm.count("json")) {
    context.out << JsonLine({{"expired", ids}, {"dry_run", dry_run}, {"via", via}}) << "\n";
    return kExitOk;
  }
  context.out << (dry_run ? "would expire " : "expired ") << ids.size()
              << (ids.size() == 1 ? " upload" : " uploads")
              << (route->through_tuskd()
                      ? " (through tuskd, pid " + std::to_string(route->tuskd().pid) + ")"
                      : " (directly: tuskd is not running)")
              << (ids.empty() ? "\n" : ":\n");
  for (const std::string& id : ids) context.out << "  " << id << "\n";
  return kExitOk;
}

}  // namespace tuskd::tuskctl
