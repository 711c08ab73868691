// PredictorOptions: the limits an exec or http predictor is made with (--predictor-timeout,
// --predictor-concurrency). A plain value, copied into the predictor it configures.
#pragma once

#include <chrono>
#include <cstddef>

namespace tuskd::predict {

struct PredictorOptions {
  // Per prediction, for exec and http (the builtin has none: it is bounded by the data).
  std::chrono::milliseconds timeout{60000};
  // How many exec/http predictions may run at once; further callers wait. 0 counts as 1.
  size_t max_concurrency = 2;
};

}  // namespace tuskd::predict
