// Every tuskctl command: its name, usage and entry point (docs/tuskctl.md describes them).
// Each Run function parses its own arguments and returns the process exit code.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "tools/tuskctl/command_args.h"
#include "tools/tuskctl/command_context.h"

namespace tuskd::tuskctl {

using Args = std::vector<std::string>;

int RunList(CommandContext& context, const Args& args);
int RunShow(CommandContext& context, const Args& args);
int RunVerify(CommandContext& context, const Args& args);
int RunStats(CommandContext& context, const Args& args);
int RunWatch(CommandContext& context, const Args& args);
int RunPredictions(CommandContext& context, const Args& args);
int RunJobs(CommandContext& context, const Args& args);
int RunPurgeExpired(CommandContext& context, const Args& args);
int RunDelete(CommandContext& context, const Args& args);

struct Command {
  CommandSpec spec;
  int (*run)(CommandContext&, const Args&);
};

// In the order `tuskctl --help` lists them.
const std::vector<Command>& AllCommands();
// The spec of a command in AllCommands() (which must hold `name`).
const CommandSpec& SpecOf(std::string_view name);

}  // namespace tuskd::tuskctl
