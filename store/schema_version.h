// The schema version of the state store: one `meta` entry, bumped when the meaning of a key or
// value changes, so an older tuskd never misreads a newer data directory. Thread-safe as the
// StateStore is.
#pragma once

#include "base/status.h"
#include "store/state_store.h"

namespace tuskd::store {

inline constexpr int kSchemaVersion = 1;

// Invalid when the store holds a newer version, Corruption when the entry is not a number.
// A store without the entry is new: `stamp` writes this build's version (a writer's open),
// otherwise it is accepted as it is (a read-only open must not write).
Status CheckSchemaVersion(StateStore& state, bool stamp);

}  // namespace tuskd::store
