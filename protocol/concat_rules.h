// The concatenation extension's rules for a final upload (tus 1.0.0, "Concatenation"): which
// upload each part URL names, and whether the parts can form a final upload now, later
// (concatenation-unfinished) or never. Pure functions over plain values; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "protocol/decisions.h"

namespace tuskd::protocol {

// The upload id a part URL names: an absolute URL on `origin` ("http://host:port", compared
// case-insensitively), an absolute path, or a reference relative to the collection, each
// under `base_path` ("/files/"). The id is not validated here (the store knows its format).
// kInvalidConcat for another server's URL, a URL outside base_path, a query or fragment, or a
// path with more segments.
std::variant<std::string, Failure> PartIdFromUrl(std::string_view url, std::string_view base_path,
                                                 std::string_view origin);

// What the parts of a final upload allow, in the order the client named them.
struct FinalPlan {
  std::optional<uint64_t> length;  // the sum, once every part's length is known
  bool ready = false;              // every part is complete: the final can be built now
};
// kInvalidConcat (naming the part by its position) for a part that is not a partial upload or
// is gone (terminated or expired); kMaxSizeExceeded when the known sum passes
// policy.max_size; kInvalidLength when the sum passes kMaxUploadLength. Parts whose length is
// still deferred are checked by the store when it becomes known (StoreOptions::max_size).
std::variant<FinalPlan, Failure> DecideFinalParts(const std::vector<UploadView>& parts,
                                                  const ServerPolicy& policy);

}  // namespace tuskd::protocol
