#include "router/core/internal/budget_guard.h"
#include "base/check.h"


namespace ukairo::router {

void BudgetGuard::Load(const CoreIndex& index, const ledger::Projection& projection,
                       int32_t period) {
  const Config& config = *index.config;
  UKAIRO_CHECK(config.alerts.size() <= kAlertRulesMax);
  index_ = &index;
  period_ = period;
  scopes_.assign(index.scopes.size(), ScopeState{});
  for (size_t s = 0; s < scopes_.size(); ++s) {
    const ledger::ScopeId& id = index.scopes[s];
    ScopeState& st = scopes_[s];
    st.spent_nanos = projection.Spent(id, period);
    st.reserved_nanos = projection.Reserved(id);
    for (size_t i = 0; i < config.alerts.size() && i < kAlertRulesMax; ++i) {
      if (projection.AlertFired(id, period, config.alerts[i].threshold_pct)) {
        st.fired_mask |= 1u << i;
      }
    }
    const ledger::ScopeGate* gate = projection.Gate(id);
    if (gate == nullptr || gate->period != period) continue;  // old stops lapse
    st.stopped = gate->stopped;
    st.decided = gate->decided;
    st.choice = gate->choice;
    st.continue_group = index.FindGroup(gate->continue_model);
    st.limit_override_nanos = gate->limit_override_nanos;
  }
}

NanoUsd BudgetGuard::Limit(uint32_t s) const {
  const ScopeState& st = scopes_[s];
  if (st.decided && st.choice == ledger::GateChoice::kRaiseLimit && st.limit_override_nanos > 0) {
    return st.limit_override_nanos;
  }
  return index_->scope_limit_nanos[s];
}

bool BudgetGuard::Fits(uint32_t s, NanoUsd reserve_nanos, uint32_t group) const {
  UKAIRO_CHECK(reserve_nanos >= 0);
  if (s == kNone || reserve_nanos == 0) return true;
  if (group != kNone && ContinueGroup(s) == group) return true;
  const ScopeState& st = scopes_[s];
  // Written as a subtraction so that no sum can overflow.
  const NanoUsd room = Limit(s) - st.spent_nanos - st.reserved_nanos;
  return reserve_nanos <= room;
}

bool BudgetGuard::Exhausted(uint32_t s) const {
  const ScopeState& st = scopes_[s];
  const NanoUsd limit = Limit(s);
  if (st.reserved_nanos > 0) return false;
  const NanoUsd remaining = limit - st.spent_nanos;
  return static_cast<Int128>(remaining) * 100 <=
         static_cast<Int128>(limit) * kExhaustedRemainingPct;
}

void BudgetGuard::Reserve(const AttemptScopes& scopes, NanoUsd nanos) {
  UKAIRO_CHECK(nanos >= 0);
  for (uint32_t s : scopes) {
    if (s != kNone) scopes_[s].reserved_nanos += nanos;
  }
}

void BudgetGuard::Settle(const AttemptScopes& scopes, NanoUsd reserved_nanos, NanoUsd cost_nanos) {
  UKAIRO_CHECK(cost_nanos >= 0);
  for (uint32_t s : scopes) {
    if (s == kNone) continue;
    scopes_[s].reserved_nanos -= reserved_nanos;
    UKAIRO_CHECK(scopes_[s].reserved_nanos >= 0);
    scopes_[s].spent_nanos += cost_nanos;
  }
}

void BudgetGuard::Release(const AttemptScopes& scopes, NanoUsd reserved_nanos) {
  Settle(scopes, reserved_nanos, 0);
}

}  // namespace ukairo::router
