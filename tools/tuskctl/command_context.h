// What every tuskctl command gets: the data directory, where its output goes, the clock, and
// the exit codes it returns. Commands are functions `int Run...(CommandContext&, args)`.
// One command runs per process; not thread-safe.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <memory>
#include <string>
#include <vector>

#include "store/store_inspector.h"
#include "tools/tuskctl/terminal.h"

namespace tuskd::tuskctl {

// 0: done and everything matched; 1: the command failed or found problems (verify); 2: the
// command line is wrong.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;

struct CommandContext {
  std::string data_dir;
  Terminal terminal;  // of `out`
  std::ostream& out;
  std::ostream& err;
  int64_t now = 0;  // unix seconds, read once at start so one report has one "now"
};

// Opens the data directory read-only (store/store_inspector.h); on failure says why on `err`
// and returns false.
bool OpenInspector(const CommandContext& context, store::StoreInspector::Mode mode,
                   std::unique_ptr<store::StoreInspector>* out);

// Upload id or unique prefix -> full id; says why on `err` and returns false when it cannot.
bool ResolveUploadId(const CommandContext& context, const store::StoreInspector& inspector,
                     const std::string& id_or_prefix, std::string* id);

}  // namespace tuskd::tuskctl
