// tuskctl delete: terminates one upload (its data file goes; the record stays as a tombstone so
// clients get 410). Through tuskd's admin endpoint while it runs, directly otherwise.
#include <ostream>

#include "store/upload_id.h"
#include "tools/tuskctl/admin_client.h"
#include "tools/tuskctl/commands.h"
#include "tools/tuskctl/upload_listing.h"
#include "tools/tuskctl/writer_route.h"

namespace tuskd::tuskctl {

namespace po = boost::program_options;
using nlohmann::json;

namespace {

// Empty on success, else why not.
std::string DeleteThroughTuskd(const store::AdminInfo& tuskd, const std::string& id) {
  AdminReply reply = CallAdmin(tuskd, "DELETE", "uploads/" + id);
  switch (reply.status) {
    case 204:
      return "";
    case 404:
      return "no upload " + id;
    case 410:
      return "upload " + id + " is already gone: " + PrintableLine(reply.body);
    case 423:
      return "upload " + id + " is busy (a request did not let go); retry";
    case 0:
      return "tuskd (pid " + std::to_string(tuskd.pid) + ") did not answer at " + tuskd.admin_url +
             ": " + reply.error;
    default:
      return "tuskd answered " + std::to_string(reply.status) + ": " + PrintableLine(reply.body);
  }
}

std::string DeleteDirectly(store::UploadStore& store, const std::string& id, int64_t now) {
  store::UploadRecord record;
  Status status = store.Get(id, &record);
  if (status.IsNotFound()) return "no upload " + id;
  if (!status.ok()) return status.ToString();
  if (record.state == store::UploadState::kTerminated ||
      record.state == store::UploadState::kExpired) {
    return "upload " + id + " is already " + std::string(store::ToString(record.state));
  }
  // Nobody else uses this store (the route holds its write lock), so the lease is free.
  auto lease = store.locks().TryAcquire(id, [] {});
  status = store.Terminate(id, now);
  return status.ok() ? "" : status.ToString();
}

}  // namespace

int RunDelete(CommandContext& context, const Args& args) {
  po::options_description options;
  auto add = options.add_options();
  add("id", po::value<std::string>()->required(), "the full upload id");
  add("json", "one JSON object");
  po::positional_options_description positional;
  positional.add("id", 1);
  po::variables_map vm;
  if (auto done = ParseCommandArgs(context, SpecOf("delete"), options, positional, args, &vm)) {
    return *done;
  }
  const std::string id = vm["id"].as<std::string>();
  if (!store::IsValidUploadId(id)) {
    // No prefixes here: deleting the wrong upload cannot be undone.
    context.err << "tuskctl delete: '" << Printable(id) << "' is not a full upload id\n";
    return kExitUsage;
  }
  std::unique_ptr<WriterRoute> route;
  if (Status opened = WriterRoute::Open(context.data_dir, &route); !opened.ok()) {
    context.err << "tuskctl delete: " << opened.message() << "\n";
    return kExitFailure;
  }
  std::string failure = route->through_tuskd() ? DeleteThroughTuskd(route->tuskd(), id)
                                               : DeleteDirectly(route->store(), id, context.now);
  if (!failure.empty()) {
    context.err << "tuskctl delete: " << failure << "\n";
    return kExitFailure;
  }
  const std::string via = route->through_tuskd() ? "tuskd" : "direct";
  if (vm.count("json")) {
    context.out << JsonLine({{"id", id}, {"deleted", true}, {"via", via}}) << "\n";
  } else {
    context.out << "deleted " << id
                << (route->through_tuskd()
                        ? " (through tuskd, pid " + std::to_string(route->tuskd().pid) + ")"
                        : " (directly: tuskd is not running)")
                << "\n";
  }
  return kExitOk;
}

}  // namespace tuskd::tuskctl
