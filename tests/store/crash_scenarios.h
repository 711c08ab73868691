// The scripted scenarios the crash sweep runs (crash_sweep_test.cc): one per path that writes
// durable state (creation, PATCH checkpoints, checksum rollback, zstd frames, concatenation
// joins, termination, the expiry sweep, the completion pipeline, and the store's own first
// open). Each is a straight list of CrashScript steps.
#pragma once

#include <string>
#include <vector>

#include "tests/store/crash_script.h"

namespace tuskd::store {

struct CrashScenario {
  const char* name;
  // The store's first open is part of the scenario (its points are swept too).
  bool includes_first_open = false;
  void (*run)(CrashScript& script) = nullptr;
};

const std::vector<CrashScenario>& CrashScenarios();

// `size` bytes of text-like content (zstd compresses it), different for each `seed`.
std::string SweepContent(size_t size, int seed);

}  // namespace tuskd::store
