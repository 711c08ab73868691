// An aligned text table for tuskctl's human output: columns sized to their widest cell, two
// spaces apart, and one flexible column (file names, errors) cut to fit the terminal's width.
// Cells are measured before they are colored, so colors never break the alignment.
// Not thread-safe.
#pragma once

#include <string>
#include <vector>

#include "tools/tuskctl/terminal.h"

namespace tuskd::tuskctl {

class TextTable {
 public:
  enum class Align { kLeft, kRight };
  struct Column {
    std::string title;
    Align align = Align::kLeft;
    bool flexible = false;  // takes what the others leave, cut with "..." (at most one)
  };
  struct Cell {
    std::string text;  // printable already (see Printable())
    Color color = Color::kNone;
  };

  explicit TextTable(std::vector<Column> columns) : columns_(std::move(columns)) {}
  // A row has one cell per column.
  void AddRow(std::vector<Cell> cells) { rows_.push_back(std::move(cells)); }
  bool empty() const { return rows_.empty(); }
  // The header line and the rows, each ending in '\n', none wider than terminal.width (when it
  // is not 0) unless the fixed columns alone are wider. Trailing spaces are trimmed.
  std::string Render(const Terminal& terminal) const;

 private:
  std::vector<Column> columns_;
  std::vector<std::vector<Cell>> rows_;
};

}  // namespace tuskd::tuskctl
