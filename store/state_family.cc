#include "store/state_family.h"

#include <array>

namespace tuskd::store {

std::string_view FamilyName(Family family) {
  static constexpr std::array<std::string_view, kFamilyCount> kNames = {
      "uploads", "hash_state", "predictions", "jobs", "expiry", "meta", "frames"};
  return kNames[static_cast<size_t>(family)];
}

}  // namespace tuskd::store
