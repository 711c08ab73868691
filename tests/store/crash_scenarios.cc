#include "tests/store/crash_scenarios.h"

namespace tuskd::store {
namespace {

constexpr size_t kKiB = 1024;

NewUpload Zstd() {
  NewUpload spec;
  spec.compression = compress::CompressionMode::kZstd;
  return spec;
}

NewUpload Partial(bool zstd = false) {
  NewUpload spec = zstd ? Zstd() : NewUpload{};
  spec.concat = ConcatKind::kPartial;
  return spec;
}

void RunFirstOpen(CrashScript& s) {
  std::string id = s.Create(SweepContent(10, 1));
  s.Write(id, {10});
}

// One PATCH with checkpoints, then a second that completes it; and a deferred length
// declared by the last commit.
void RunPatchCheckpoints(CrashScript& s) {
  std::string known = s.Create(SweepContent(300 * kKiB, 2));
  s.Write(known, {64 * kKiB, 100 * kKiB});
  s.Write(known, {1, 136 * kKiB - 1});
  std::string deferred = s.Create(SweepContent(50 * kKiB, 3), {}, /*defer=*/true);
  s.Write(deferred, {20 * kKiB, 30 * kKiB});
}

// Pieces whose Upload-Checksum failed are rolled back before the good ones are committed.
void RunChecksumRollback(CrashScript& s) {
  std::string id = s.Create(SweepContent(40 * kKiB, 4));
  s.WriteAfterRollback(id, 5 * kKiB, 10 * kKiB);
  s.WriteAfterRollback(id, 10 * kKiB, 30 * kKiB);
}

// Every commit ends a zstd frame: three frames, with the frame index in each batch.
void RunZstdFrames(CrashScript& s) {
  std::string id = s.Create(SweepContent(600 * kKiB, 5), Zstd());
  s.Write(id, {200 * kKiB, 1, 200 * kKiB});
  s.Write(id, {200 * kKiB - 1});
}

// A final waiting for a part still receiving (joined decoded: parts raw and zstd), and one of
// two zstd parts (joined frame by frame).
void RunConcatJoin(CrashScript& s) {
  std::string raw = s.Create(SweepContent(100 * kKiB, 6), Partial());
  std::string zstd = s.Create(SweepContent(70 * kKiB, 7), Partial(/*zstd=*/true));
  s.Write(raw, {100 * kKiB});
  std::string mixed = s.CreateFinal({raw, zstd});
  s.Write(zstd, {30 * kKiB, 40 * kKiB});
  s.Join(mixed);
  std::string zstd2 = s.Create(SweepContent(50 * kKiB, 8), Partial(/*zstd=*/true));
  s.Write(zstd2, {50 * kKiB});
  std::string framed = s.CreateFinal({zstd, zstd2});
  s.Join(framed);
}

void RunTermination(CrashScript& s) {
  std::string receiving = s.Create(SweepContent(50 * kKiB, 9));
  s.Write(receiving, {20 * kKiB});
  s.Terminate(receiving);
  std::string complete = s.Create(SweepContent(8 * kKiB, 10));
  s.Write(complete, {8 * kKiB});
  s.Terminate(complete);
}

void RunExpirySweep(CrashScript& s) {
  std::string begun = s.Create(SweepContent(30 * kKiB, 11));
  s.Write(begun, {10 * kKiB});
  s.Create(SweepContent(20 * kKiB, 12));
  std::string complete = s.Create(SweepContent(5 * kKiB, 13));
  s.Write(complete, {5 * kKiB});
  s.SweepExpiries();
}

// Two uploads of one content queue one job; its result then serves a third at once.
void RunCompletionPipeline(CrashScript& s) {
  const std::string content = SweepContent(80 * kKiB, 14);
  std::string first = s.Create(content);
  s.Write(first, {40 * kKiB, 40 * kKiB});
  std::string second = s.Create(content);
  s.Write(second, {80 * kKiB});
  s.Predict();
  std::string third = s.Create(content);
  s.Write(third, {80 * kKiB});
}

}  // namespace

const std::vector<CrashScenario>& CrashScenarios() {
  static const std::vector<CrashScenario> scenarios = {
      {"FirstOpen", true, RunFirstOpen},
      {"PatchCheckpoints", false, RunPatchCheckpoints},
      {"ChecksumRollback", false, RunChecksumRollback},
      {"ZstdFrames", false, RunZstdFrames},
      {"ConcatJoin", false, RunConcatJoin},
      {"Termination", false, RunTermination},
      {"ExpirySweep", false, RunExpirySweep},
      {"CompletionPipeline", false, RunCompletionPipeline},
  };
  return scenarios;
}

std::string SweepContent(size_t size, int seed) {
  std::string out;
  out.reserve(size + 64);
  for (int line = 0; out.size() < size; ++line) {
    out += "upload " + std::to_string(seed) + " line " + std::to_string(line) + ": " +
           std::to_string((line * 2654435761u + seed) % 1000003) + "\n";
  }
  out.resize(size);
  return out;
}

}  // namespace tuskd::store
