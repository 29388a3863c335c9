// BudgetGuard: the router core's indexed mirror of budget state for the
// current period (R-2202, SPEC §5), so admission is a few integer compares.
//
// It holds, per limited scope of a CoreIndex: settled spend in the current
// period, open reservations, alert thresholds fired, and the stop / gate
// state. It is loaded from the projection (the truth) at start, at a period
// change and at a config change, and updated by the core at the same points
// where it emits the events the projection folds, so both always agree (a
// test compares them).
//
// Thread safety: a value; one owner.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "ledger/projection.h"
#include "router/core/internal/core_index.h"
#include "router/core/rng.h"

namespace ukairo::router {

// Scopes an attempt touches: model (group), tag, tier, global; kNone when
// that scope has no limit.
using AttemptScopes = std::array<uint32_t, 4>;

struct ScopeState {
  NanoUsd spent_nanos = 0;     // settled, current period
  NanoUsd reserved_nanos = 0;  // open reservations (any period)
  uint32_t fired_mask = 0;     // bit i: Config::alerts[i] fired this period
  bool stopped = false;        // BudgetStopped this period
  bool decided = false;        // a GateDecision this period
  ledger::GateChoice choice = ledger::GateChoice::kStop;
  uint32_t continue_group = kNone;   // kContinueWithModel target
  NanoUsd limit_override_nanos = 0;  // kRaiseLimit
};

class BudgetGuard {
 public:
  // A refusal leaves less than this share of the limit unspent and nothing
  // reserved: the scope counts as exhausted and its 100 % rule fires.
  static constexpr int64_t kExhaustedRemainingPct = 10;
  static constexpr size_t kAlertRulesMax = 32;

  void Load(const CoreIndex& index, const ledger::Projection& projection, int32_t period);

  int32_t period() const { return period_; }
  size_t size() const { return scopes_.size(); }
  ScopeState& scope(uint32_t s) { return scopes_[s]; }
  const ScopeState& scope(uint32_t s) const { return scopes_[s]; }
  NanoUsd Limit(uint32_t s) const;

  // The scope a human blocked outright (kStop), or kNone.
  bool Refused(uint32_t s) const {
    return s != kNone && scopes_[s].decided && scopes_[s].choice == ledger::GateChoice::kStop;
  }
  // Stopped and waiting for a human: only zero-cost deployments may run.
  bool Blocked(uint32_t s) const { return s != kNone && scopes_[s].stopped && !scopes_[s].decided; }
  // kContinueWithModel target of the scope, or kNone.
  uint32_t ContinueGroup(uint32_t s) const {
    if (s == kNone || !scopes_[s].decided) return kNone;
    return scopes_[s].choice == ledger::GateChoice::kContinueWithModel ? scopes_[s].continue_group
                                                                       : kNone;
  }
  // Whether `reserve_nanos` more fits scope `s`. A scope whose gate let
  // `group` continue is not limited for that group (the human chose it).
  bool Fits(uint32_t s, NanoUsd reserve_nanos, uint32_t group) const;
  // Whether a refusal of `reserve_nanos` means the scope is spent (see
  // kExhaustedRemainingPct).
  bool Exhausted(uint32_t s) const;

  void Reserve(const AttemptScopes& scopes, NanoUsd nanos);
  void Settle(const AttemptScopes& scopes, NanoUsd reserved_nanos, NanoUsd cost_nanos);
  void Release(const AttemptScopes& scopes, NanoUsd reserved_nanos);

 private:
  const CoreIndex* index_ = nullptr;
  int32_t period_ = 0;
  std::vector<ScopeState> scopes_;
};

}  // namespace ukairo::router
