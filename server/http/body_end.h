// Why a request body stopped arriving, as the HTTP layer saw it; what the handlers answer for
// each is decided in server/handlers/body_receiver.h (FailureForOutcome). A plain value.
#pragma once

namespace tuskd::server {

enum class BodyEnd {
  kNone,        // more may come
  kComplete,    // the whole body was read
  kClientGone,  // EOF or reset mid-body
  kTimedOut,    // stalled past --body-timeout
  kTooSlow,     // arrived slower than --min-body-rate over a --body-timeout
  kHandedOver,  // a newer request for the same upload asked this one to stop (I5)
  kShutdown,    // the server is stopping
  kTooLarge,    // the body passed the limit the protocol allowed
  kMalformed,   // bad chunked framing
};

}  // namespace tuskd::server
