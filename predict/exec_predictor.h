// exec:/path/to/program: runs a local program per prediction. The program gets the upload's
// description as argv[1] (PredictionInput::Describe() as JSON) and in the environment
// (TUSKD_UPLOAD_ID, TUSKD_SHA256, TUSKD_SIZE), the upload's bytes on stdin, and must print one
// JSON value on stdout and exit 0. It runs without a shell, in its own process group, with
// default signal dispositions and no file descriptors of ours beyond 0-2 (child_process.h does
// the spawning, pumping and killing; this file decides what the outcome means).
// Thread-safe: Predict() may be called from many threads; at most max_concurrency programs run
// at once and further callers wait their turn.
//
// Outcomes, and whether a retry could help:
//   exit 0 and a JSON value on stdout      -> ok
//   exit 0 with empty or invalid JSON      -> error, not retryable (the same bytes would give
//                                             the same output)
//   exit 75 (EX_TEMPFAIL, sysexits.h)      -> error, retryable: the program's way to say "later"
//   any other non-zero exit                -> error, not retryable
//   killed by a signal (crash, OOM killer) -> error, retryable
//   timeout                                -> the process group gets SIGKILL; "timeout after N
//                                             ms", retryable
//   stdout over kMaxStdout bytes           -> killed; error, not retryable
//   spawn failure                          -> retryable for EAGAIN/ENOMEM/EMFILE/ENFILE only
//   byte source failure                    -> killed; retryable (I/O), or not when the source
//                                             holds a different number of bytes than `size`
// A program may stop reading stdin early (EPIPE is not an error). Its stderr (first kMaxStderr
// bytes) is copied to our stderr, each line prefixed with the predictor and upload id. When the
// program exits, anything left in its process group is killed, so no prediction leaves
// processes behind. Requires SIGCHLD not to be set to SIG_IGN, so that children stay waitable
// until we reap them.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <semaphore>
#include <string>

#include "predict/predictor.h"

namespace tuskd::predict {

class ExecPredictor : public Predictor {
 public:
  static constexpr size_t kMaxStdout = 1 << 20;
  static constexpr size_t kMaxStderr = 64 << 10;
  static constexpr int kExitTempFail = 75;

  // `program` must be an absolute path to an executable regular file; otherwise returns
  // nullptr with the reason in *error.
  static std::unique_ptr<ExecPredictor> Create(const std::string& program,
                                               const PredictorOptions& options, std::string* error);
  ExecPredictor(const ExecPredictor&) = delete;
  ExecPredictor& operator=(const ExecPredictor&) = delete;

  std::string name() const override { return "exec:" + program_; }
  // Blocks while max_concurrency programs are running, then runs one (see the table above).
  PredictionOutcome Predict(const PredictionInput& input) override;

 private:
  ExecPredictor(std::string program, const PredictorOptions& options);
  PredictionOutcome Run(const PredictionInput& input);

  const std::string program_;
  const std::chrono::milliseconds timeout_;
  std::counting_semaphore<> slots_;
};

}  // namespace tuskd::predict
