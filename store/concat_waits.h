// The waiting index of concatenation-unfinished: which final uploads wait for which partial
// upload. One empty entry per (part, final) in the `meta` column family under
// "concat-wait/<part id>/<final id>", written in the final's creation batch and dropped in its
// completion (or abandonment) batch, so that a part that completes or goes away finds the finals
// to wake with one prefix scan. Plain functions over a StateStore; thread-safe as it is.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "store/state_store.h"

namespace tuskd::store {

void StageConcatWait(StateBatch* batch, std::string_view part_id, std::string_view final_id);
void StageDropConcatWait(StateBatch* batch, std::string_view part_id, std::string_view final_id);
// The finals waiting for `part_id`, in id order.
Status FinalsWaitingOn(const StateStore& state, std::string_view part_id,
                       std::vector<std::string>* finals);

}  // namespace tuskd::store
