// Which events a ScanOptions selects (apart from the seq/time bounds, which
// the iterator turns into key bounds).
//
// Field filters match any field of that role:
//   deployment:  deployment, from_/to_/final_deployment
//   model_group: model_group, from_/to_/final_model_group, and budget/gate
//                events scoped to that model
//   tag / tier:  the event's tag / tier, and budget/gate events scoped to it
// An event with no field of that role does not match a set filter.
#pragma once

#include <optional>
#include <string_view>

#include "ledger/event.h"
#include "ledger/ledger.h"

namespace ukairo::ledger::internal {

bool MatchesFields(const ScanOptions& options, const Event& event);
// The EventBody index of a KindName ("attempt_finished" -> 2), or nullopt.
std::optional<size_t> KindIndex(std::string_view kind);
inline bool HasFieldFilter(const ScanOptions& o) {
  return o.kind || o.deployment || o.model_group || o.tag || o.tier;
}

}  // namespace ukairo::ledger::internal
