// tuskctl: inspect and administer a tuskd data directory, whether tuskd runs or not
// (docs/tuskctl.md). Reads go through a read-only view of the store; the two mutating commands
// go through tuskd's admin endpoint while it runs, so the store keeps a single writer.
#include <curl/curl.h>

#include <cstdlib>
#include <ctime>
#include <exception>
#include <iostream>

#include <boost/program_options.hpp>

#include "tools/tuskctl/commands.h"

namespace po = boost::program_options;
using tuskd::tuskctl::AllCommands;
using tuskd::tuskctl::ColorChoice;
using tuskd::tuskctl::kExitFailure;
using tuskd::tuskctl::kExitOk;
using tuskd::tuskctl::kExitUsage;

namespace {

void PrintHelp(std::ostream& out, const po::options_description& global) {
  out << "usage: tuskctl [--data-dir DIR] COMMAND [ARGS]\n\n"
         "Inspects a tuskd data directory, with tuskd running or stopped.\n\nCommands:\n";
  for (const auto& command : AllCommands()) {
    std::string name = "  " + command.spec.name;
    name.resize(17, ' ');
    out << name << command.spec.summary << "\n";
  }
  out << "\n" << global << "\n'tuskctl COMMAND --help' describes a command.\n";
}

std::optional<ColorChoice> ParseColor(const std::string& text) {
  if (text == "auto") return ColorChoice::kAuto;
  if (text == "always") return ColorChoice::kAlways;
  if (text == "never") return ColorChoice::kNever;
  return std::nullopt;
}

int Run(int argc, char** argv) {
  po::options_description global("Global options");
  const char* env_dir = std::getenv("TUSKD_DATA_DIR");
  auto add = global.add_options();
  add("data-dir", po::value<std::string>()->default_value(env_dir ? env_dir : "./data"),
      "tuskd's data directory (env TUSKD_DATA_DIR)");
  add("color", po::value<std::string>()->default_value("auto"), "auto, always or never");
  add("help,h", "show this help");
  po::options_description hidden;
  auto add_hidden = hidden.add_options();
  add_hidden("command", po::value<std::string>());
  add_hidden("args", po::value<std::vector<std::string>>());
  po::options_description all;
  all.add(global).add(hidden);
  po::positional_options_description positional;
  positional.add("command", 1).add("args", -1);

  po::variables_map vm;
  po::parsed_options parsed = po::command_line_parser(argc, argv)
                                  .options(all)
                                  .positional(positional)
                                  .allow_unregistered()
                                  .run();
  po::store(parsed, vm);
  po::notify(vm);
  if (!vm.count("command")) {
    PrintHelp(vm.count("help") ? std::cout : std::cerr, global);
    return vm.count("help") ? kExitOk : kExitUsage;
  }
  // Everything after the command (its options included) is the command's to parse.
  std::vector<std::string> args = po::collect_unrecognized(parsed.options, po::include_positional);
  args.erase(args.begin());
  if (vm.count("help")) args.emplace_back("--help");  // "tuskctl --help list" as "list --help"

  auto color = ParseColor(vm["color"].as<std::string>());
  if (!color) {
    std::cerr << "tuskctl: --color takes auto, always or never\n";
    return kExitUsage;
  }
  const std::string name = vm["command"].as<std::string>();
  for (const auto& command : AllCommands()) {
    if (command.spec.name != name) continue;
    tuskd::tuskctl::CommandContext context{vm["data-dir"].as<std::string>(),
                                           tuskd::tuskctl::DetectTerminal(1, *color), std::cout,
                                           std::cerr, static_cast<int64_t>(std::time(nullptr))};
    return command.run(context, args);
  }
  std::cerr << "tuskctl: unknown command '" << name << "'\n";
  PrintHelp(std::cerr, global);
  return kExitUsage;
}

}  // namespace

int main(int argc, char** argv) {
  curl_global_init(CURL_GLOBAL_DEFAULT);
  int code = kExitFailure;
  try {
    code = Run(argc, argv);
  } catch (const po::error& e) {
    std::cerr << "tuskctl: " << e.what() << "\n";
    code = kExitUsage;
  } catch (const std::exception& e) {
    std::cerr << "tuskctl: " << e.what() << "\n";
  }
  curl_global_cleanup();
  return code;
}
