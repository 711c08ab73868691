// Wall-clock time as tuskd records it: whole unix seconds (created_at, updated_at, expires_at,
// job schedules). Components take `now` as a parameter and read the clock only here, so tests
// can pass any time they like. Thread-safe.
#pragma once

#include <cstdint>

namespace tuskd {

int64_t UnixNow();

}  // namespace tuskd
