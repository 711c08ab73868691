// The machinery of the parser fuzz tests (tests/protocol/*_fuzz_test.cc): deterministic fuzzing
// of the pure parsers in protocol/ with random bytes (NUL, CR/LF, high bytes, long runs) and
// mutations of the valid header values the other tests use, from fixed seeds with bounded
// counts, so a run is repeatable and takes about a second. A parser must never crash or hit
// undefined behaviour (the sanitizer build runs these files too), and whatever it accepts must
// keep the contract its header states. A failure prints the input that broke it, escaped.
// Header-only; a FuzzInputs belongs to one test.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "protocol/header_parsers.h"
#include "tests/common/fuzz_random.h"
#include "tests/common/printable.h"

namespace tuskd::protocol::testing {

using Seeds = std::vector<std::string>;

// Bytes the grammars under test give meaning to (separators, quotes, percent, digits, hex
// letters), plus controls and the edges of the non-ASCII range. NUL is the last one.
inline constexpr char kSpecialByteArray[] = " \t\r\n,;=-+/%'\"?#:.*09afAFZz\x7f\x80\xc3\xff\0";
inline constexpr std::string_view kSpecialBytes(kSpecialByteArray, sizeof(kSpecialByteArray) - 1);
// The longest run of one byte an input gets: long enough to catch a per-byte loop that
// overflows or goes quadratic, short enough to keep the file fast under AddressSanitizer.
inline constexpr uint64_t kLongestRun = 8192;

// A seeded source of hostile inputs for the parsers.
class FuzzInputs : public tuskd::testing::FuzzRandom {
 public:
  explicit FuzzInputs(uint64_t seed) : FuzzRandom(seed, kSpecialBytes) {}

  // Mostly short, sometimes hundreds of bytes, now and then with a long run of one byte.
  std::string Bytes() {
    size_t length = OneIn(8) ? Below(512) : Below(24);
    // Separators and controls reach more branches than uniform bytes do; use both.
    bool special = OneIn(2);
    std::string bytes;
    for (size_t i = 0; i < length; ++i) bytes.push_back(special ? SpecialByte() : AnyByte());
    if (OneIn(16)) bytes.insert(Below(bytes.size() + 1), Run());
    return bytes;
  }

  std::string Digits(size_t count) {
    std::string digits;
    for (size_t i = 0; i < count; ++i) digits.push_back(static_cast<char>('0' + Below(10)));
    return digits;
  }

  // `text` after one to four edits; a splice takes its tail from one of `seeds`.
  std::string Mutate(std::string text, const Seeds& seeds) {
    for (uint64_t edits = 1 + Below(4); edits > 0; --edits) Edit(text, seeds);
    return text;
  }

  // Mostly a mutated seed (grammar-aware: it starts out valid), sometimes a seed as it is (so
  // the accepting paths run too), sometimes plain random bytes.
  std::string Next(const Seeds& seeds) {
    if (OneIn(4)) return Bytes();
    const std::string& seed = seeds[Below(seeds.size())];
    return OneIn(8) ? seed : Mutate(seed, seeds);
  }

 private:
  std::string Run() {
    return std::string(1 + Below(kLongestRun), OneIn(2) ? SpecialByte() : AnyByte());
  }

  void Edit(std::string& text, const Seeds& seeds) {
    size_t at = Below(text.size() + 1);  // text.size() means the end
    switch (uint64_t kind = Below(8)) {
      case 0:
      case 1:
      case 2:
      case 3:
        EditByte(text, at, kind, 4);
        break;
      case 4: {  // duplicate a slice somewhere
        size_t from = Below(text.size() + 1);
        text.insert(at, text.substr(from, Below(text.size() - from + 1)));
        break;
      }
      case 5: {  // splice: this head, another seed's tail
        const std::string& other = seeds[Below(seeds.size())];
        text = text.substr(0, at) + other.substr(Below(other.size() + 1));
        break;
      }
      case 6:
        text.resize(at);
        break;
      default:
        text.insert(at, OneIn(4) ? Run() : std::string(1 + Below(3), SpecialByte()));
        break;
    }
  }
};

// Runs `check` on `count` inputs from `next` and stops at the first failure: one bad input is
// enough to debug, and a thousand repeats would bury it.
template <typename Next, typename Check>
inline void ForInputs(int count, Next next, Check check) {
  for (int i = 0; i < count; ++i) {
    std::string input = next();
    ASSERT_NO_FATAL_FAILURE(check(input))
        << "input " << i << ": \"" << tuskd::testing::Printable(input) << "\"";
  }
}

// Written here rather than taken from protocol/, so the parsers are checked against a second
// reading of their contracts.
inline bool IsControl(char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; }
inline bool HasControlByte(std::string_view text) {
  return std::any_of(text.begin(), text.end(), IsControl);
}
inline bool IsDigit(char c) { return c >= '0' && c <= '9'; }
inline bool IsBase64Char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || IsDigit(c) || c == '+' || c == '/';
}
inline std::string_view TrimSpaces(std::string_view text) {
  size_t first = text.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(" \t") - first + 1);
}

// ---- Upload-Metadata ----

// Whether the parse of `text` holds the same entries as `metadata`.
inline ::testing::AssertionResult ParsesTo(const std::string& text, const Metadata& metadata) {
  auto parsed = ParseMetadata(text);
  if (const auto* failure = std::get_if<Failure>(&parsed)) {
    return ::testing::AssertionFailure()
           << "\"" << tuskd::testing::Printable(text) << "\" refused: " << failure->detail;
  }
  const Metadata& got = std::get<Metadata>(parsed);
  bool same = got.size() == metadata.size() &&
              std::equal(got.begin(), got.end(), metadata.begin(),
                         [](const MetadataEntry& a, const MetadataEntry& b) {
                           return a.key == b.key && a.value == b.value;
                         });
  if (same) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << "\"" << tuskd::testing::Printable(text) << "\" parses to other entries";
}

inline void CheckMetadataKeys(const Metadata& metadata) {
  for (size_t i = 0; i < metadata.size(); ++i) {
    const std::string& key = metadata[i].key;
    ASSERT_FALSE(key.empty());
    ASSERT_EQ(key.find_first_of(" ,"), std::string::npos) << tuskd::testing::Printable(key);
    ASSERT_FALSE(HasControlByte(key)) << tuskd::testing::Printable(key);
    for (size_t j = 0; j < i; ++j) ASSERT_NE(metadata[j].key, key) << "duplicate key";
  }
}

}  // namespace tuskd::protocol::testing
