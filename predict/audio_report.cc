#include "predict/audio_report.h"

#include <algorithm>
#include <cmath>
#include <utility>

namespace tuskd::predict {
namespace {

nlohmann::json Dbfs(double level) {
  if (!(level > 0)) return nullptr;
  return std::round(20 * std::log10(level) * 100) / 100;
}

}  // namespace

void LevelMeter::AddBlock(double peak, double sum_squares, uint64_t count) {
  peak_ = std::max(peak_, peak);
  sum_squares_ += sum_squares;
  count_ += count;
}

void LevelMeter::Report(nlohmann::json* audio) const {
  (*audio)["peak_dbfs"] = Dbfs(peak_);
  (*audio)["rms_dbfs"] =
      count_ == 0 ? nlohmann::json(nullptr) : Dbfs(std::sqrt(sum_squares_ / count_));
}

void AddFrames(uint32_t sample_rate, uint64_t frames, nlohmann::json* audio) {
  (*audio)["frames"] = frames;
  (*audio)["duration_seconds"] = static_cast<double>(frames) / sample_rate;
}

nlohmann::json AudioError(std::string message) {
  return nlohmann::json{{"error", std::move(message)}};
}

}  // namespace tuskd::predict
