#include "base/log.h"

#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <ctime>
#include <mutex>

namespace tuskd {
namespace {

std::atomic<LogFormat> g_format{LogFormat::kText};
// Serialises writers: write(2) to a pipe is atomic only up to PIPE_BUF bytes, and a short write
// to any fd would otherwise let another thread's line in between the pieces.
std::mutex g_write_mutex;

const char* LevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarn:
      return "warn";
    case LogLevel::kError:
      return "error";
  }
  return "error";
}

// RFC 3339 in UTC with milliseconds, e.g. 2025-03-04T05:06:07.089Z.
std::string Rfc3339Millis(std::chrono::system_clock::time_point now) {
  using std::chrono::duration_cast;
  using std::chrono::milliseconds;
  const auto since_epoch = duration_cast<milliseconds>(now.time_since_epoch()).count();
  // Floor division, so an instant before 1970 still gets 0-999 milliseconds.
  const long long ms = ((since_epoch % 1000) + 1000) % 1000;
  const auto seconds = static_cast<std::time_t>((since_epoch - ms) / 1000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char buffer[64];  // room for any int the compiler imagines in the fields
  std::snprintf(buffer, sizeof(buffer), "%04d-%02d-%02dT%02d:%02d:%02d.%03lldZ", utc.tm_year + 1900,
                utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec, ms);
  return buffer;
}

std::string JsonLine(const LogEntry& entry, std::chrono::system_clock::time_point now) {
  // ordered_json keeps ts, level, component, msg first, where a human reader looks.
  nlohmann::ordered_json line;
  line["ts"] = Rfc3339Millis(now);
  line["level"] = LevelName(entry.level);
  line["component"] = entry.component.name;
  line["msg"] = entry.message;
  if (entry.fields.is_object()) {
    for (const auto& [key, value] : entry.fields.items()) {
      if (!line.contains(key)) line[key] = value;
    }
  }
  // replace: messages quote paths, peers' bytes and exception texts that need not be UTF-8.
  return line.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
}

void WriteToStderr(std::string_view text) {
  std::lock_guard lock(g_write_mutex);
  while (!text.empty()) {
    ssize_t n = ::write(STDERR_FILENO, text.data(), text.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    text.remove_prefix(static_cast<size_t>(n));
  }
}

}  // namespace

void SetLogFormat(LogFormat format) { g_format.store(format, std::memory_order_relaxed); }

LogFormat CurrentLogFormat() { return g_format.load(std::memory_order_relaxed); }

std::string FormatLogLine(const LogEntry& entry, LogFormat format,
                          std::chrono::system_clock::time_point now) {
  if (format == LogFormat::kJson) return JsonLine(entry, now);
  std::string line;
  line.reserve(entry.component.text_prefix.size() + entry.message.size() + 1);
  line.append(entry.component.text_prefix).append(entry.message).push_back('\n');
  return line;
}

void Log(LogLevel level, LogComponent component, std::string_view message,
         const nlohmann::json& fields) {
  LogEntry entry{level, component, std::string(message), fields};
  WriteToStderr(FormatLogLine(entry, CurrentLogFormat(), std::chrono::system_clock::now()));
}

void LogTogether(std::span<const LogEntry> entries) {
  const LogFormat format = CurrentLogFormat();
  const auto now = std::chrono::system_clock::now();
  std::string text;
  for (const LogEntry& entry : entries) text += FormatLogLine(entry, format, now);
  WriteToStderr(text);
}

}  // namespace tuskd
