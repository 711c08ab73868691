#include "tools/tuskctl/text_table.h"

#include <algorithm>

namespace tuskd::tuskctl {
namespace {

constexpr size_t kGap = 2;
constexpr size_t kMinFlexible = 8;

void TrimRight(std::string* line) {
  while (!line->empty() && line->back() == ' ') line->pop_back();
}

}  // namespace

std::string TextTable::Render(const Terminal& terminal) const {
  std::vector<size_t> widths(columns_.size());
  for (size_t c = 0; c < columns_.size(); ++c) {
    widths[c] = DisplayWidth(columns_[c].title);
    for (const auto& row : rows_) widths[c] = std::max(widths[c], DisplayWidth(row[c].text));
  }
  if (terminal.width > 0) {
    size_t fixed = 0;
    for (size_t c = 0; c < columns_.size(); ++c) {
      fixed += (columns_[c].flexible ? 0 : widths[c]) + (c > 0 ? kGap : 0);
    }
    for (size_t c = 0; c < columns_.size(); ++c) {
      if (!columns_[c].flexible) continue;
      size_t room = static_cast<size_t>(terminal.width) > fixed ? terminal.width - fixed : 0;
      widths[c] = std::min(widths[c], std::max(room, kMinFlexible));
    }
  }
  auto render_line = [&](auto cell_at) {
    std::string line;
    for (size_t c = 0; c < columns_.size(); ++c) {
      TextTable::Cell cell = cell_at(c);
      std::string text = Truncate(cell.text, widths[c]);
      std::string pad(widths[c] - DisplayWidth(text), ' ');
      if (c > 0) line.append(kGap, ' ');
      if (columns_[c].align == Align::kRight) line += pad;
      line += Paint(terminal, cell.color, text);
      if (columns_[c].align == Align::kLeft) line += pad;
    }
    TrimRight(&line);
    return line + "\n";
  };
  std::string out = render_line([&](size_t c) { return Cell{columns_[c].title, Color::kBold}; });
  for (const auto& row : rows_) out += render_line([&](size_t c) { return row[c]; });
  return out;
}

}  // namespace tuskd::tuskctl
