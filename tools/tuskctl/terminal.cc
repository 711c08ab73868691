#include "tools/tuskctl/terminal.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>

namespace tuskd::tuskctl {
namespace {

std::string_view EscapeFor(Color color) {
  switch (color) {
    case Color::kRed:
      return "\x1b[31m";
    case Color::kGreen:
      return "\x1b[32m";
    case Color::kYellow:
      return "\x1b[33m";
    case Color::kBlue:
      return "\x1b[34m";
    case Color::kCyan:
      return "\x1b[36m";
    case Color::kDim:
      return "\x1b[2m";
    case Color::kBold:
      return "\x1b[1m";
    case Color::kNone:
      break;
  }
  return "";
}

// Length of the valid UTF-8 sequence at the start of `text`, 0 when it is not one. Rejects
// overlong forms, surrogates and C1 controls (U+0080..U+009F), which terminals obey too.
size_t Utf8SequenceLength(std::string_view text) {
  auto byte = [&](size_t i) { return static_cast<unsigned char>(text[i]); };
  unsigned char lead = byte(0);
  size_t length = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc2 ? 2 : 0;
  if (length == 0 || lead > 0xf4 || text.size() < length) return 0;
  for (size_t i = 1; i < length; ++i) {
    if ((byte(i) & 0xc0) != 0x80) return 0;
  }
  if (lead == 0xc2 && byte(1) < 0xa0) return 0;   // C1 controls
  if (lead == 0xe0 && byte(1) < 0xa0) return 0;   // overlong
  if (lead == 0xed && byte(1) >= 0xa0) return 0;  // surrogates
  if (lead == 0xf0 && byte(1) < 0x90) return 0;   // overlong
  if (lead == 0xf4 && byte(1) >= 0x90) return 0;  // past U+10FFFF
  return length;
}

}  // namespace

Terminal DetectTerminal(int fd, ColorChoice choice) {
  Terminal terminal;
  terminal.tty = ::isatty(fd) == 1;
  const char* term = std::getenv("TERM");
  bool dumb = term != nullptr && std::strcmp(term, "dumb") == 0;
  const char* no_color_env = std::getenv("NO_COLOR");
  bool no_color = no_color_env != nullptr && *no_color_env != '\0';
  terminal.color = choice == ColorChoice::kAlways ||
                   (choice == ColorChoice::kAuto && terminal.tty && !dumb && !no_color);
  winsize size = {};
  if (terminal.tty && ::ioctl(fd, TIOCGWINSZ, &size) == 0 && size.ws_col > 0) {
    terminal.width = size.ws_col;
    terminal.height = size.ws_row > 0 ? size.ws_row : terminal.height;
  } else if (const char* columns = std::getenv("COLUMNS"); columns != nullptr) {
    terminal.width = std::max(0, std::atoi(columns));
  } else if (terminal.tty) {
    terminal.width = 80;
  }
  return terminal;
}

std::string Paint(const Terminal& terminal, Color color, std::string_view text) {
  if (!terminal.color || color == Color::kNone) return std::string(text);
  std::string painted(EscapeFor(color));
  painted.append(text);
  painted.append("\x1b[0m");
  return painted;
}

std::string ProgressBar(double fraction, int width) {
  int inner = std::max(1, width - 2);
  fraction = std::clamp(fraction, 0.0, 1.0);
  int filled = static_cast<int>(fraction * inner);
  return "[" + std::string(filled, '#') + std::string(inner - filled, '.') + "]";
}

std::string Printable(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      out.push_back(c < 0x20 || c == 0x7f ? '?' : static_cast<char>(c));
      ++i;
    } else if (size_t length = Utf8SequenceLength(text.substr(i)); length > 0) {
      out.append(text.substr(i, length));
      i += length;
    } else {
      out.push_back('?');
      ++i;
    }
  }
  return out;
}

std::string PrintableLine(std::string_view text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.remove_suffix(1);
  return Printable(text);
}

size_t DisplayWidth(std::string_view text) {
  return static_cast<size_t>(std::count_if(text.begin(), text.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xc0) != 0x80;
  }));
}

std::string Truncate(std::string_view text, size_t width) {
  if (DisplayWidth(text) <= width) return std::string(text);
  if (width <= 3) return std::string(width, '.');
  size_t keep = width - 3;
  size_t end = 0;
  for (size_t columns = 0; end < text.size(); ++end) {
    bool starts_code_point = (static_cast<unsigned char>(text[end]) & 0xc0) != 0x80;
    if (starts_code_point && columns++ == keep) break;
  }
  return std::string(text.substr(0, end)) + "...";
}

}  // namespace tuskd::tuskctl
