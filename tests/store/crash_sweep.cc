#include "tests/store/crash_sweep.h"

#include <utility>

#include "tests/store/crash_ledger.h"
#include "tests/store/crash_script.h"

namespace tuskd::store {

SweepRun RunScenario(const CrashScenario& scenario, uint64_t crash_at, const RigSetup& setup) {
  SweepRun run;
  run.crash_at = crash_at;
  CrashRig rig;
  if (setup) setup(rig);
  CrashLedger ledger;
  if (!scenario.includes_first_open) {
    if (Status opened = rig.Open(); !opened.ok()) {
      run.problems.push_back("first open: " + opened.ToString());
      return run;
    }
  }
  rig.points().Arm(crash_at);
  if (scenario.includes_first_open ? rig.Open().ok() : true) {
    CrashScript script(&rig.store(), &ledger);
    scenario.run(script);
    run.finished = script.alive();
  }
  rig.Close();  // its writes are points too
  run.points = rig.points().count();
  run.crash_site = rig.points().crash_site();
  if (Status reopened = rig.CrashAndReopen(); !reopened.ok()) {
    run.problems.push_back("reopen after the crash: " + reopened.ToString());
    return run;
  }
  run.problems = ledger.Check(rig.store(), rig.data_dir());
  for (std::string& problem : ledger.ResumeAll(rig.store(), CrashScript::kNow + 100000)) {
    run.problems.push_back(std::move(problem));
  }
  return run;
}

SweepResult Sweep(const CrashScenario& scenario, const RigSetup& setup) {
  SweepResult result;
  result.whole = RunScenario(scenario, 0, setup);
  for (uint64_t n = 1; n <= result.whole.points; ++n) {
    result.runs.push_back(RunScenario(scenario, n, setup));
  }
  return result;
}

size_t SweepResult::runs_with_problems() const {
  size_t count = 0;
  for (const SweepRun& run : runs) count += run.problems.empty() ? 0 : 1;
  return count;
}

std::string SweepResult::Describe() const {
  std::string out;
  size_t shown = 0;
  for (const SweepRun& run : runs) {
    if (run.problems.empty() || ++shown > 5) continue;
    out += "\ncrash at point " + std::to_string(run.crash_at) + " of " +
           std::to_string(whole.points) + " (" + run.crash_site + "):";
    for (const std::string& problem : run.problems) out += "\n  " + problem;
  }
  return out;
}

}  // namespace tuskd::store
