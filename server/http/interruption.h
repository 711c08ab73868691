// Why a connection was interrupted from outside its coroutine (Connection::Interrupt): its
// watchdog timed it out, its body arrived slower than --min-body-rate, a newer request wants its
// upload's lease (I5), or the server is stopping. A plain value.
#pragma once

namespace tuskd::server {

enum class Interruption { kNone, kTimeout, kTooSlow, kHandover, kShutdown };

}  // namespace tuskd::server
