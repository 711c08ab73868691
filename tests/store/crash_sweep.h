// The crash sweep's driver: runs a scenario (crash_scenarios.h) on a CrashRig with the store
// dying at a given write or sync point, reopens it, and collects what the ledger's checks
// found. Sweep runs it once to number the points, then once per point.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "tests/store/crash_rig.h"
#include "tests/store/crash_scenarios.h"

namespace tuskd::store {

struct SweepRun {
  uint64_t crash_at = 0;   // the armed point; 0 for the counting run
  uint64_t points = 0;     // passed before the end (all of them when nothing was armed)
  bool finished = false;   // the script ran every step
  std::string crash_site;  // empty when the armed point was not reached
  std::vector<std::string> problems;
};

// Prepares a rig before the scenario runs (e.g. a disk that lies); may be empty.
using RigSetup = std::function<void(CrashRig&)>;

SweepRun RunScenario(const CrashScenario& scenario, uint64_t crash_at, const RigSetup& setup);

struct SweepResult {
  SweepRun whole;              // the run without a crash
  std::vector<SweepRun> runs;  // one per point, in order
  size_t runs_with_problems() const;
  // The first few problem runs, for a failure message.
  std::string Describe() const;
};

SweepResult Sweep(const CrashScenario& scenario, const RigSetup& setup = {});

}  // namespace tuskd::store
