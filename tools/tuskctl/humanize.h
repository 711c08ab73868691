// Numbers and times for people: sizes in binary units, short durations, percentages, local
// timestamps. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace tuskd::tuskctl {

// "0 B", "512 B", "1.5 KiB", "12.3 MiB", "118 GiB": three significant digits at most.
std::string HumanBytes(uint64_t bytes);
// The same in at most five columns, for tables: "512B", "1.5K", "12M", "118G".
std::string CompactBytes(uint64_t bytes);
// One unit, floored: "45s", "12m", "3h", "6d".
std::string ShortDuration(int64_t seconds);
// Two units: "45s", "12m 5s", "3h 12m", "6d 4h".
std::string LongDuration(int64_t seconds);
// "42%", floored so that only a finished upload shows "100%"; "?" when the length is unknown.
std::string Percent(uint64_t part, std::optional<uint64_t> whole);
// "2024-05-01 12:00:05" in local time.
std::string Timestamp(int64_t unix_seconds);
// "3h ago" or "in 2d" relative to `now`.
std::string Relative(int64_t unix_seconds, int64_t now);

}  // namespace tuskd::tuskctl
