// Parsing one command's own arguments with Boost.Program_options, with the same help and
// error handling everywhere: `--help` prints the usage and the options; a bad argument prints
// "tuskctl <command>: <why>" and the usage. Not thread-safe.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <boost/program_options.hpp>

#include "tools/tuskctl/command_context.h"

namespace tuskd::tuskctl {

struct CommandSpec {
  std::string name;   // "list"
  std::string usage;  // "list [--state STATE] [--older-than DUR] [--json]"
  std::string summary;
};

// Fills *vm from `args`. Returns nullopt when the command should go on, or the exit code to
// return at once (kExitOk after --help, kExitUsage after an error).
std::optional<int> ParseCommandArgs(
    const CommandContext& context, const CommandSpec& spec,
    const boost::program_options::options_description& options,
    const boost::program_options::positional_options_description& positional,
    const std::vector<std::string>& args, boost::program_options::variables_map* vm);

}  // namespace tuskd::tuskctl
