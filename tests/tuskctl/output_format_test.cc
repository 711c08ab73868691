// The pure pieces of tuskctl's human output: sizes, durations, percentages, untrusted text,
// truncation and table alignment.
#include <gtest/gtest.h>

#include "tools/tuskctl/humanize.h"
#include "tools/tuskctl/terminal.h"
#include "tools/tuskctl/text_table.h"

namespace tuskd::tuskctl {
namespace {

TEST(HumanizeTest, Sizes) {
  EXPECT_EQ(HumanBytes(0), "0 B");
  EXPECT_EQ(HumanBytes(1023), "1023 B");
  EXPECT_EQ(HumanBytes(1536), "1.5 KiB");
  EXPECT_EQ(HumanBytes(300 << 20), "300 MiB");
  EXPECT_EQ(CompactBytes(512), "512B");
  EXPECT_EQ(CompactBytes(1536), "1.5K");
  EXPECT_EQ(CompactBytes(300 << 10), "300K");
  EXPECT_EQ(CompactBytes(uint64_t{5} << 40), "5.0T");
}

TEST(HumanizeTest, DurationsAndPercentages) {
  EXPECT_EQ(ShortDuration(-5), "0s");
  EXPECT_EQ(ShortDuration(59), "59s");
  EXPECT_EQ(ShortDuration(3599), "59m");
  EXPECT_EQ(ShortDuration(int64_t{7} * 86400), "7d");
  EXPECT_EQ(LongDuration(3725), "1h 2m");
  EXPECT_EQ(LongDuration(86400), "1d");
  EXPECT_EQ(Percent(999, 1000), "99%");
  EXPECT_EQ(Percent(1000, 1000), "100%");
  EXPECT_EQ(Percent(0, 0), "100%");
  EXPECT_EQ(Percent(5, std::nullopt), "?");
  EXPECT_EQ(Relative(100, 160), "1m ago");
  EXPECT_EQ(Relative(200, 160), "in 40s");
}

TEST(TerminalTest, PrintableDefusesEscapesAndBadUtf8) {
  EXPECT_EQ(Printable("plain.txt"), "plain.txt");
  EXPECT_EQ(Printable("caf\xc3\xa9.txt"), "caf\xc3\xa9.txt");
  EXPECT_EQ(Printable("\x1b[2Jevil\r\n"), "?[2Jevil??");
  EXPECT_EQ(Printable("\xc2\x9b"
                      "31m"),
            "?"
            "?"
            "31m");  // C1 CSI
  EXPECT_EQ(Printable("\xff\xfe"), "??");
  EXPECT_EQ(Printable("\xe2\x82"), "??");  // cut sequence
}

TEST(TerminalTest, TruncateCountsCodePoints) {
  EXPECT_EQ(DisplayWidth("caf\xc3\xa9"), 4u);
  EXPECT_EQ(Truncate("short", 10), "short");
  EXPECT_EQ(Truncate("0123456789abc", 10), "0123456...");
  EXPECT_EQ(Truncate("\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9", 4), "\xc3\xa9...");
  EXPECT_EQ(ProgressBar(0.5, 12), "[#####.....]");
  EXPECT_EQ(ProgressBar(2.0, 4), "[##]");
}

TEST(TextTableTest, AlignsColumnsAndCutsTheFlexibleOneToTheWidth) {
  TextTable table({{"ID"}, {"SIZE", TextTable::Align::kRight}, {"NAME", {}, true}});
  table.AddRow({{"a"}, {"1K"}, {std::string(100, 'n')}});
  table.AddRow({{"bbbb"}, {"10M", Color::kGreen}, {"x"}});
  Terminal terminal;
  terminal.width = 40;
  std::string out = table.Render(terminal);
  EXPECT_EQ(out.substr(0, out.find('\n')), "ID    SIZE  NAME");
  std::istringstream lines(out);
  for (std::string line; std::getline(lines, line);) EXPECT_LE(line.size(), 40u) << line;
  EXPECT_NE(out.find("a       1K  nnnn"), std::string::npos) << out;
  EXPECT_NE(out.find("...\n"), std::string::npos);
  EXPECT_NE(out.find("bbbb   10M  x\n"), std::string::npos) << out;

  terminal.color = true;  // colors wrap the text but leave the padding where it was
  std::string colored = table.Render(terminal);
  EXPECT_NE(colored.find("bbbb   \x1b[32m10M\x1b[0m  x\n"), std::string::npos) << colored;
  terminal = Terminal();  // width 0: nothing is cut
  EXPECT_NE(table.Render(terminal).find(std::string(100, 'n')), std::string::npos);
}

}  // namespace
}  // namespace tuskd::tuskctl
