// tuskd's diagnostic log: one line per event on stderr, either as plain text (what tuskd has
// always written, which operators and tests grep) or as one JSON object (--log-format json).
// The format is process-wide and set once by main before anything logs. Log and LogTogether
// are thread-safe: each call reaches stderr in a single write(2) under a mutex, so lines from
// different threads never interleave. CLI output before start-up (usage, --help, argument
// errors) and the "tuskd listening on" line on stdout are not log events and do not use this.
#pragma once

#include <chrono>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <string_view>

namespace tuskd {

enum class LogFormat { kText, kJson };
enum class LogLevel { kInfo, kWarn, kError };

// Who logs. `name` is the JSON "component"; `text_prefix` begins the text line and is the
// prefix each site wrote before this module existed, kept so text logs read as they always did.
struct LogComponent {
  std::string_view name;
  std::string_view text_prefix;
};
inline constexpr LogComponent kServerLog{"server", "tuskd: "};
inline constexpr LogComponent kStoreLog{"store", "tuskd store: "};
inline constexpr LogComponent kConcatLog{"concat", "tuskd: "};
inline constexpr LogComponent kPredictionLog{"prediction", "tuskd: "};

struct LogEntry {
  LogLevel level = LogLevel::kInfo;
  LogComponent component;
  std::string message;
  // A JSON object of extra fields (upload_id, ...), or null. Written in JSON only: the text
  // line is the prefix and `message` alone, so the message must carry what a reader needs.
  // Keys ts, level, component and msg are reserved; a field of that name is dropped.
  nlohmann::json fields;
};

// Not synchronised with logging threads: call before any thread logs (tests may call it
// between logging calls of their own).
void SetLogFormat(LogFormat format);
LogFormat CurrentLogFormat();

// The line `entry` becomes in `format`, ending in '\n'. JSON: {"ts": RFC 3339 UTC with
// milliseconds, "level": "info|warn|error", "component", "msg", then the fields}; bytes that
// are not UTF-8 become U+FFFD, and control characters are escaped, so it is always one line.
// Text: prefix + message, written as given.
std::string FormatLogLine(const LogEntry& entry, LogFormat format,
                          std::chrono::system_clock::time_point now);

// Writes one line to stderr in the current format. Never throws on odd bytes in the message.
// A failed write is dropped: there is nowhere left to report it.
void Log(LogLevel level, LogComponent component, std::string_view message,
         const nlohmann::json& fields = nullptr);
// Writes all entries in one write(2), so a block (a predictor's stderr) stays together.
void LogTogether(std::span<const LogEntry> entries);

}  // namespace tuskd
