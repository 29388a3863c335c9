// Deployment states (R-2203, R-2205), budget alerts and stops (R-2202,
// R-2206): every change is an emitted event, folded into the projection at
// once, and mirrored in the core's indexed state at the same point.
#include <algorithm>

#include "base/check.h"
#include "router/core/internal/core_impl.h"

namespace ukairo::router {

using ledger::DeploymentState;
using ledger::RecoveryConfirmation;

void RouterCore::Impl::Notify(const char* subject, std::string text) {
  out_->notifications.push_back(router::Notify{subject, std::move(text)});
}

std::string RouterCore::Impl::ScopeText(uint32_t s) const {
  const ledger::ScopeId& id = index_->scopes[s];
  if (id.kind == ScopeKind::kGlobal) return "global budget";
  return std::string(ledger::ScopeKindName(id.kind)) + " '" + id.key + "' budget";
}

// A new budget period: reload the budget mirror, and lift stops that belonged
// to the old period (R-2202: a stop lasts until the period ends).
void RouterCore::Impl::MaybeRollover() {
  // Civil-time arithmetic only when the clock leaves the cached period.
  if (now_ >= period_start_micros_ && now_ < period_end_micros_) return;
  const int32_t period = PeriodOf(now_, config_->budget_period);
  period_start_micros_ = PeriodStartMicros(period, config_->budget_period);
  period_end_micros_ = PeriodEndMicros(period, config_->budget_period);
  if (period == guard_.period()) return;
  guard_.Load(*index_, projection_, period);
  for (uint32_t d = 0; d < runtime_.size(); ++d) {
    const DeploymentState s = runtime_[d].state;
    if (s != DeploymentState::kBudgetStopped && s != DeploymentState::kGated) continue;
    const uint32_t ms = index_->group_scope[index_->deployment_group[d]];
    if (guard_.Blocked(ms) || guard_.Refused(ms)) continue;
    Recover(d, RecoveryConfirmation::kPeriodRollover);
  }
}

// Healthy, or a deadline state whose deadline passed (then recovered here,
// lazily, if its timer has not fired yet).
bool RouterCore::Impl::Available(uint32_t d) {
  DeploymentRuntime& rt = runtime_[d];
  if (rt.state == DeploymentState::kHealthy) return true;
  if (HasDeadline(rt.state) && rt.until_micros <= now_) {
    Recover(d, RecoveryConfirmation::kDeadlinePassed);
    return true;
  }
  return false;
}

// R-2203: the deployment's own rpm/tpm over the sliding minute. Reaching it
// is treated like a 429: rate_limited until the window frees a slot.
bool RouterCore::Impl::OwnLimitReached(uint32_t d, int64_t input_tokens) {
  const Deployment& dp = dep(d);
  if (dp.rpm <= 0 && dp.tpm <= 0) return false;
  DeploymentRuntime& rt = runtime_[d];
  bool reached = false;
  const char* what = "";
  if (dp.rpm > 0 && rt.window.Requests(now_) + 1 > dp.rpm) {
    reached = true;
    what = "own rpm limit reached";
  } else if (dp.tpm > 0) {
    const int64_t tokens = rt.window.Tokens(now_);
    if (tokens > 0 && tokens + input_tokens > dp.tpm) {
      reached = true;
      what = "own tpm limit reached";
    }
  }
  if (reached) SetState(d, DeploymentState::kRateLimited, rt.window.NextExpiryMicros(now_), what);
  return reached;
}

void RouterCore::Impl::SetState(uint32_t d, DeploymentState to, int64_t until_micros,
                                std::string reason) {
  DeploymentRuntime& rt = runtime_[d];
  UKAIRO_CHECK(to != DeploymentState::kHealthy);  // Recover() makes deployments healthy
  UKAIRO_CHECK(!HasDeadline(to) || until_micros > now_);
  if (rt.state == DeploymentState::kHealthy) rt.down_since_micros = now_;
  Emit(
      ledger::DeploymentStateChanged{dep(d).id, rt.state, to, std::move(reason), until_micros, ""});
  rt.state = to;
  rt.until_micros = until_micros;
  ++rt.generation;
  if (HasDeadline(to)) ArmTimer(TimerKind::kDeadline, d, until_micros, "");
  if (Probeable(to) && config_->health.enabled) {
    ArmTimer(TimerKind::kProbe, d, now_ + ProbeIntervalMicros(), "");
  }
}

void RouterCore::Impl::Recover(uint32_t d, RecoveryConfirmation how) {
  DeploymentRuntime& rt = runtime_[d];
  UKAIRO_CHECK(rt.state != DeploymentState::kHealthy);
  Emit(ledger::DeploymentStateChanged{dep(d).id, rt.state, DeploymentState::kHealthy,
                                      ledger::RecoveryConfirmationName(how), 0, ""});
  Emit(ledger::Recovered{dep(d).id, rt.down_since_micros, how});
  rt.state = DeploymentState::kHealthy;
  rt.until_micros = 0;
  rt.down_since_micros = 0;
  rt.failures.Clear();
  ++rt.generation;
}

// allowed_fails failures within cooldown_time put a deployment in
// cooling_down (LiteLLM counts "more than allowed_fails"); failing again while
// cooling moves the deadline to the later of the two, never earlier.
void RouterCore::Impl::RecordFailure(uint32_t d) {
  DeploymentRuntime& rt = runtime_[d];
  rt.failures.Add(now_);
  const int64_t window_micros = config_->cooldown.cooldown_time_ms * 1000;
  const uint32_t allowed = std::min(config_->cooldown.allowed_fails, FailureRing::kCapacity - 1);
  if (rt.failures.CountSince(now_ - window_micros) <= allowed) return;
  const int64_t until = now_ + window_micros;
  if (window_micros <= 0) return;
  if (rt.state == DeploymentState::kHealthy) {
    SetState(d, DeploymentState::kCoolingDown, until, "allowed_fails exceeded");
  } else if (rt.state == DeploymentState::kCoolingDown && until > rt.until_micros) {
    SetState(d, DeploymentState::kCoolingDown, until, "failed while cooling down");
  }
}

// A 429: rate_limited until Retry-After (capped) or, without one, cooldown_time.
void RouterCore::Impl::MarkRateLimited(uint32_t d, int64_t retry_after_ms) {
  DeploymentRuntime& rt = runtime_[d];
  const int64_t wait_ms = retry_after_ms >= 0
                              ? std::min(retry_after_ms, config_->retry.retry_after_max_ms)
                              : config_->cooldown.cooldown_time_ms;
  const int64_t until = now_ + std::max<int64_t>(wait_ms, 1) * 1000;
  if (rt.state == DeploymentState::kHealthy) {
    SetState(d, DeploymentState::kRateLimited, until, "429 from provider");
  } else if (rt.state == DeploymentState::kRateLimited && until > rt.until_micros) {
    SetState(d, DeploymentState::kRateLimited, until, "429 again");
  }
}

void RouterCore::Impl::ArmTimer(TimerKind kind, uint32_t d, int64_t fire_at_micros,
                                std::string request_id) {
  const uint64_t id = next_timer_id_++;
  const uint64_t generation = d == kNone ? 0 : runtime_[d].generation;
  if (d != kNone) {
    uint64_t& newest = kind == TimerKind::kDeadline ? runtime_[d].deadline_timer_id
                                                    : runtime_[d].probe_timer_id;
    // The older one fires as a stale input, as it would have by generation.
    if (newest != 0) timers_.erase(newest);
    newest = id;
  }
  // At most one retry timer per request in flight and two per deployment.
  UKAIRO_CHECK(timers_.size() < kTimersMax, "core timers: " + std::to_string(timers_.size()));
  timers_.emplace(id, TimerTarget{kind, d, generation, std::move(request_id)});
  out_->timers.push_back(StartTimer{id, fire_at_micros});
}

// Alerts fire on settled spend, each rule once per scope and period.
void RouterCore::Impl::CheckAlerts(const AttemptScopes& scopes) {
  const auto& rules = config_->alerts;
  for (uint32_t s : scopes) {
    if (s == kNone) continue;
    const NanoUsd limit = guard_.Limit(s);
    const Int128 spent_x100 = static_cast<Int128>(guard_.scope(s).spent_nanos) * 100;
    for (size_t i = 0; i < rules.size() && i < BudgetGuard::kAlertRulesMax; ++i) {
      if (guard_.scope(s).fired_mask & (1u << i)) continue;
      if (spent_x100 >= static_cast<Int128>(limit) * rules[i].threshold_pct) FireAlert(s, i);
    }
  }
}

// With reservations settled spend may never reach 100 %: requests are refused
// first. So a refusal while nothing is reserved and less than
// kExhaustedRemainingPct of the limit is left counts as reaching 100 %:
// every rule up to 100 % that has not fired fires now (SPEC §5 intent: the
// scope is spent, so it stops and a human is asked).
void RouterCore::Impl::FireExhausted(uint32_t s) {
  const auto& rules = config_->alerts;
  for (size_t i = 0; i < rules.size() && i < BudgetGuard::kAlertRulesMax; ++i) {
    if (rules[i].threshold_pct > 100) continue;
    if (guard_.scope(s).fired_mask & (1u << i)) continue;
    FireAlert(s, i);
  }
}

void RouterCore::Impl::FireAlert(uint32_t s, size_t rule_index) {
  const AlertRule& rule = config_->alerts[rule_index];
  ScopeState& st = guard_.scope(s);
  const ledger::ScopeId& id = index_->scopes[s];
  const NanoUsd limit = guard_.Limit(s);
  Emit(ledger::BudgetAlert{id.kind, id.key, rule.threshold_pct, rule.action, st.spent_nanos, limit,
                           guard_.period()});
  st.fired_mask |= 1u << rule_index;
  Notify("budget_alert", ScopeText(s) + " reached " + std::to_string(rule.threshold_pct) + "% (" +
                             FormatNanosAsUsd(st.spent_nanos) + " of " + FormatNanosAsUsd(limit) +
                             " USD)");
  if (rule.action == ledger::AlertAction::kStopAndFallback && !st.stopped) StopScope(s);
}

void RouterCore::Impl::StopScope(uint32_t s) {
  ScopeState& st = guard_.scope(s);
  const ledger::ScopeId& id = index_->scopes[s];
  Emit(ledger::BudgetStopped{id.kind, id.key, st.spent_nanos, guard_.Limit(s), guard_.period()});
  st.stopped = true;
  // A stop after an earlier decision this period starts a new wait for a human.
  st.decided = false;
  Notify("budget_stopped", ScopeText(s) + " stopped for period " + std::to_string(guard_.period()) +
                               "; waiting for a gate decision");
  if (id.kind != ScopeKind::kModel) return;
  const uint32_t g = index_->FindGroup(id.key);
  for (uint32_t d : index_->group_deployments[g]) {
    if (runtime_[d].state == DeploymentState::kBudgetStopped) continue;
    SetState(d, DeploymentState::kBudgetStopped, 0, "model budget stopped");
  }
}

}  // namespace ukairo::router
