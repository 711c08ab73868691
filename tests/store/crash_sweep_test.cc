// The crash sweep (issue #11; docs/architecture.md I1-I3 and I7): each scenario of
// crash_scenarios.cc runs once to number its write and sync points (data files and RocksDB
// together), then once per point with the store dying there. After each death the unsynced
// bytes and directory entries are gone, the store reopens, and the ledger checks that what
// was acknowledged is there with its bytes, that state and data agree, that every live upload
// resumes to a byte-exact end, and that every complete content keeps its job or result. The
// self-tests give the sweep a disk that lies and check that it notices.
#include <gtest/gtest.h>

#include <iostream>
#include <stdexcept>
#include <string>

#include "tests/store/crash_sweep.h"

namespace tuskd::store {
namespace {

class CrashSweepTest : public ::testing::TestWithParam<CrashScenario> {};

TEST_P(CrashSweepTest, EveryCrashPointKeepsWhatWasAcknowledged) {
  const CrashScenario& scenario = GetParam();
  SweepResult result = Sweep(scenario);
  ASSERT_TRUE(result.whole.finished) << "the scenario fails without a crash";
  ASSERT_TRUE(result.whole.problems.empty()) << "without a crash: " << result.whole.problems[0];
  ASSERT_GT(result.whole.points, 0u);
  EXPECT_EQ(result.runs_with_problems(), 0u) << scenario.name << ":" << result.Describe();
  RecordProperty("crash_points", static_cast<int>(result.whole.points));
  std::cout << "[ sweep    ] " << scenario.name << ": " << result.whole.points << " crash points\n";
}

INSTANTIATE_TEST_SUITE_P(Scenarios, CrashSweepTest, ::testing::ValuesIn(CrashScenarios()),
                         [](const ::testing::TestParamInfo<CrashScenario>& info) {
                           return std::string(info.param.name);
                         });

const CrashScenario& Scenario(const std::string& name) {
  for (const CrashScenario& scenario : CrashScenarios()) {
    if (name == scenario.name) return scenario;
  }
  throw std::invalid_argument("no scenario " + name);
}

bool AnyProblemMentions(const SweepResult& result, const std::string& text) {
  for (const SweepRun& run : result.runs) {
    for (const std::string& problem : run.problems) {
      if (problem.find(text) != std::string::npos) return true;
    }
  }
  return false;
}

TEST(CrashSweepSelfTest, DataSyncsThatLieLoseAcknowledgedBytesAndTheSweepSaysSo) {
  SweepResult result =
      Sweep(Scenario("PatchCheckpoints"), [](CrashRig& rig) { rig.data_fs().LieAboutFileSyncs(); });
  EXPECT_GT(result.runs_with_problems(), 0u);
  EXPECT_TRUE(AnyProblemMentions(result, "I1")) << result.Describe();
}

TEST(CrashSweepSelfTest, DirectorySyncsThatLieLoseDataFilesAndTheSweepSaysSo) {
  SweepResult result =
      Sweep(Scenario("PatchCheckpoints"), [](CrashRig& rig) { rig.data_fs().LieAboutDirSyncs(); });
  EXPECT_TRUE(AnyProblemMentions(result, "without a data object")) << result.Describe();
}

TEST(CrashSweepSelfTest, WalSyncsThatLieLoseAcknowledgedCommitsAndTheSweepSaysSo) {
  SweepResult result =
      Sweep(Scenario("PatchCheckpoints"), [](CrashRig& rig) { rig.rocks_fs().LieAboutWalSyncs(); });
  EXPECT_GT(result.runs_with_problems(), 0u);
  EXPECT_TRUE(AnyProblemMentions(result, "acknowledged")) << result.Describe();
}

}  // namespace
}  // namespace tuskd::store
