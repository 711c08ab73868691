// One bounded piece of a request body as Exchange::NextPiece hands it out: bytes, or why the
// body ended. The bytes live in the io thread's piece buffer, shared by every connection of the
// thread, so they are valid only until the next call on the exchange (or the next suspension
// of the coroutine that got them). A plain value.
#pragma once

#include <span>

#include "server/http/body_end.h"

namespace tuskd::server {

struct BodyPiece {
  std::span<const char> bytes;  // valid until the next call on the exchange
  BodyEnd end = BodyEnd::kNone;
};

}  // namespace tuskd::server
