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
        "Re-hashes data files and checks them against the records."},
       RunVerify},
      {{"stats", "stats [--json]", "Counts, bytes, prediction cache and job queue."}, RunStats},
      {{"watch", "watch [--interval SEC] [--count N]",
        "Live view of uploads receiving data (Ctrl-C quits)."},
       RunWatch},
      {{"predictions", "predictions [SHA256] [--json]",
        "The prediction cache, or one entry of it."},
       RunPredictions},
      {{"jobs", "jobs [--json]", "The prediction job queue."}, RunJobs},
      {{"purge-expired", "purge-expired [--dry-run] [--json]",
        "Expires overdue unfinished uploads now (via tuskd if it runs)."},
       RunPurgeExpired},
      {{"delete", "delete ID [--json]", "Terminates an upload (via tuskd if it runs)."}, RunDelete},
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
