#include "tools/tuskctl/commands.h"

#include <cstdlib>

namespace tuskd::tuskctl {

const std::vector<Command>& AllCommands() {
  static const std::vector<Command> commands = {
      {{"list", "list [--state STATE] [--older-than DUR] [--json]",
        "Uploads, most recent activity first."},
       RunList},
      {{"show", "show ID [--json]", "Everything recorded about one upload."}, RunShow},
      {{"verify", "verify (ID... | --all) [--json]",
        "Re-reads data files and checks them against their hash state or final SHA-256."},
       RunVerify},
      {{"stats", "stats [--json]", "Counts, bytes, prediction cache and job queue."}, RunStats},
      {{"watch", "watch [--interval SEC] [--count N]",
        "A live view of uploads receiving data (Ctrl-C quits)."},
       RunWatch},
      {{"predictions", "predictions [SHA256] [--json]", "The prediction cache."}, RunPredictions},
      {{"jobs", "jobs [--json]", "The prediction job queue."}, RunJobs},
      {{"purge-expired", "purge-expired [--dry-run] [--json]",
        "Expires unfinished uploads past their expiry (through tuskd when it runs)."},
       RunPurgeExpired},
      {{"delete", "delete ID [--json]", "Terminates an upload (through tuskd when it runs)."},
       RunDelete},
  };
  return commands;
}

const CommandSpec& SpecOf(std::string_view name) {
  for (const Command& command : AllCommands()) {
    if (command.spec.name == name) return command.spec;
  }
  std::abort();  // a command asked for a spec that is not in the table: a programming error
}

}  // namespace tuskd::tuskctl
