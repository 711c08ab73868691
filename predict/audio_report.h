// The parts of builtin:content-info's "audio" object that the WAV and FLAC analysers share:
// LevelMeter (peak and RMS over every sample, reported in dBFS), the frame count and duration,
// and the {"error": reason} form of a file that cannot be measured. A LevelMeter belongs to one
// analysis on one thread; the functions are pure.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

namespace tuskd::predict {

// Peak and RMS over every sample of every channel, full scale 1.0. Callers sum squares per block
// of a few thousand samples and add the block sums here, which keeps a double accumulator
// accurate over billions of samples.
class LevelMeter {
 public:
  void AddBlock(double peak, double sum_squares, uint64_t count);
  // Adds peak_dbfs and rms_dbfs, rounded to 0.01 dB; null for silence (or no samples), since
  // -inf has no JSON form.
  void Report(nlohmann::json* audio) const;

 private:
  double peak_ = 0;
  double sum_squares_ = 0;
  uint64_t count_ = 0;
};

// Adds "frames" and "duration_seconds"; `sample_rate` must be non-zero.
void AddFrames(uint32_t sample_rate, uint64_t frames, nlohmann::json* audio);

// {"error": message}: the audio object of a file that is malformed or unsupported.
nlohmann::json AudioError(std::string message);

}  // namespace tuskd::predict
