// The seeded random source of the fuzz tests, and the byte-level edits they share. Only the
// engine's raw output is used: std::mt19937_64 is fixed by the standard while the std
// distributions are not, so a seed names the same inputs with every standard library.
// Header-only: the protocol and server fuzz tests mutate different grammars on top of it.
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <string_view>

namespace tuskd::testing {

class FuzzRandom {
 public:
  // `special`: the bytes the grammar under test gives meaning to (and the ones it forbids).
  FuzzRandom(uint64_t seed, std::string_view special) : random_(seed), special_(special) {}

  uint64_t Below(uint64_t n) { return n == 0 ? 0 : random_() % n; }
  bool OneIn(uint64_t n) { return Below(n) == 0; }
  uint64_t Any() { return random_(); }
  char AnyByte() { return static_cast<char>(random_() & 0xff); }
  char SpecialByte() { return special_[Below(special_.size())]; }

  // One small edit of `text` at `at` (text.size() means the end), of kind 0-3: flip a bit, put
  // a special byte, insert a byte, or delete 1 to `max_erase` bytes.
  void EditByte(std::string& text, size_t at, uint64_t kind, size_t max_erase) {
    switch (kind) {
      case 0:
        if (at < text.size()) text[at] = static_cast<char>(text[at] ^ (1 << Below(8)));
        break;
      case 1:
        if (at < text.size()) text[at] = SpecialByte();
        break;
      case 2:
        text.insert(at, 1, OneIn(2) ? SpecialByte() : AnyByte());
        break;
      default:
        text.erase(at, 1 + Below(max_erase));
        break;
    }
  }

 private:
  std::mt19937_64 random_;
  std::string_view special_;
};

}  // namespace tuskd::testing
