// What tuskctl knows about where its output goes: a terminal or not, colors wanted or not, and
// how wide. Colors and progress bars only ever reach a TTY (or --color=always); a pipe gets
// plain text. Also the one place that makes untrusted text (upload metadata) safe to print.
// Plain values and pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace tuskd::tuskctl {

enum class ColorChoice { kAuto, kAlways, kNever };
enum class Color { kNone, kRed, kGreen, kYellow, kBlue, kCyan, kDim, kBold };

struct Terminal {
  bool tty = false;    // the stream is a terminal: progress bars and redraws are welcome
  bool color = false;  // ANSI colors are welcome
  int width = 0;       // columns; 0: unlimited (a pipe without $COLUMNS)
  int height = 24;
};

// For the stream on `fd`. kAuto means colors on a TTY unless $NO_COLOR is set or $TERM is
// "dumb". The width comes from the TTY, else from $COLUMNS, else 0.
Terminal DetectTerminal(int fd, ColorChoice choice);

// `text` wrapped in the color's escape sequence when the terminal takes colors.
std::string Paint(const Terminal& terminal, Color color, std::string_view text);

// "[#######.......]" `width` columns wide (brackets included) for a fraction in [0, 1].
std::string ProgressBar(double fraction, int width);

// Text from uploads (metadata, errors) with control characters and invalid UTF-8 replaced by
// '?': a file name must not be able to send escape sequences to the operator's terminal.
std::string Printable(std::string_view text);

// Printable() of a one-line message such as an error body, without its trailing line break.
std::string PrintableLine(std::string_view text);

// Columns `text` takes (UTF-8 code points; every one counted as one column).
size_t DisplayWidth(std::string_view text);
// At most `width` columns of `text`, ending in "..." when cut (never inside a code point).
std::string Truncate(std::string_view text, size_t width);

}  // namespace tuskd::tuskctl
