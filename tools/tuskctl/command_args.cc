#include "tools/tuskctl/command_args.h"

#include <ostream>

namespace tuskd::tuskctl {

namespace po = boost::program_options;

std::optional<int> ParseCommandArgs(const CommandContext& context, const CommandSpec& spec,
                                    const po::options_description& options,
                                    const po::positional_options_description& positional,
                                    const std::vector<std::string>& args, po::variables_map* vm) {
  po::options_description all("Options");
  all.add(options);
  all.add_options()("help,h", "show this help");
  try {
    po::store(po::command_line_parser(args).options(all).positional(positional).run(), *vm);
    po::notify(*vm);
  } catch (const po::error& e) {
    context.err << "tuskctl " << spec.name << ": " << e.what() << "\n"
                << "usage: tuskctl [--data-dir DIR] " << spec.usage << "\n";
    return kExitUsage;
  }
  if (vm->count("help")) {
    context.out << "usage: tuskctl [--data-dir DIR] " << spec.usage << "\n\n"
                << spec.summary << "\n\n"
                << all;
    return kExitOk;
  }
  return std::nullopt;
}

}  // namespace tuskd::tuskctl
