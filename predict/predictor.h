// The predictor seam of the completion pipeline (docs/architecture.md, "A PATCH, file by file"):
// when an upload completes, a worker hands its bytes and description (prediction.h) to a Predictor,
// which returns a JSON result or an error that says whether a retry could help. Three kinds
// exist, chosen by the --predictor spec: builtin:content-info, exec:/path/to/program and
// http(s)://... Thread-safety: a Predictor is shared by all worker threads, so Predict() must be
// safe to call concurrently. Nothing here throws.
#pragma once

#include <memory>
#include <string>

#include "predict/prediction.h"
#include "predict/predictor_options.h"

namespace tuskd::predict {

class Predictor {
 public:
  virtual ~Predictor();
  // The spec this predictor was made from, e.g. "exec:/usr/local/bin/classify".
  virtual std::string name() const = 0;
  // Blocking; called from worker threads, concurrently. Never throws: every failure, including
  // a failing ByteSource, comes back as an outcome with ok == false.
  virtual PredictionOutcome Predict(const PredictionInput& input) = 0;
};

// Makes the predictor named by `spec`: "builtin:content-info", "exec:/absolute/path" (which
// must be an executable file) or an "http://" / "https://" URL with a host. Returns nullptr with
// a reason in *error for anything else, so a bad --predictor fails at start-up.
std::unique_ptr<Predictor> MakePredictor(const std::string& spec, const PredictorOptions& options,
                                         std::string* error);

}  // namespace tuskd::predict
