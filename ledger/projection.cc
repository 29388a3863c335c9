// The fold: one callback per event type, each touching a handful of map
// entries. This is the replay path (SPEC §6: >= 2M events/s), so lookups go
// through scratch keys that keep their string capacity instead of building a
// fresh key (and maybe a heap string) per lookup.
#include "ledger/projection.h"

#include <cassert>
#include <sstream>

namespace ukairo::ledger {

std::string ScopeName(const ScopeId& scope) {
  if (scope.kind == ScopeKind::kGlobal) return "global";
  return std::string(ScopeKindName(scope.kind)) + ":" + scope.key;
}

Projection::Projection(PeriodKind period_kind) : period_kind_(period_kind) {}

void Projection::Apply(const Event& event) {
  assert(event.seq == 0 || event.seq == last_seq_ + 1);
  Dispatch(event, *this);
  if (event.seq != 0) last_seq_ = event.seq;
  last_time_micros_ = event.time_micros;
}

const std::string& Projection::GlobalKey() {
  static const std::string kEmpty;
  return kEmpty;
}

int32_t Projection::PeriodOfCached(int64_t time_micros) {
  if (time_micros < period_start_micros_ || time_micros >= period_end_micros_) {
    period_cached_ = PeriodOf(time_micros, period_kind_);
    period_start_micros_ = PeriodStartMicros(period_cached_, period_kind_);
    period_end_micros_ = PeriodEndMicros(period_cached_, period_kind_);
    assert(period_start_micros_ <= time_micros && time_micros < period_end_micros_);
  }
  return period_cached_;
}

void Projection::Reserve(const AttemptStarted& a, int64_t time_micros) {
  scratch_reservation_key_.first = a.request_id;
  scratch_reservation_key_.second = a.attempt;
  auto [it, inserted] = open_.try_emplace(scratch_reservation_key_);
  if (!inserted) {
    // A writer never starts an open attempt twice; keep the newest and do
    // not leak the older hold.
    ++anomalies_.duplicate_reservations;
    bool released = Release(a.request_id, a.attempt);
    assert(released);
    (void)released;
    it = open_.try_emplace(scratch_reservation_key_).first;
  }
  OpenReservation& r = it->second;
  r.deployment = a.deployment;
  r.model_group = a.model_group;
  r.tag = a.tag;
  r.tier = a.tier;
  r.reserved_nanos = a.reserved_nanos;
  r.started_micros = time_micros;
  ScopeId& scope = scratch_spend_key_.second;
  ForEachScope(a.model_group, a.tag, a.tier, [&](ScopeKind kind, const std::string& key) {
    scope.kind = kind;
    scope.key = key;
    auto found = reserved_.find(scope);
    if (found == reserved_.end()) found = reserved_.emplace(scope, 0).first;
    found->second += a.reserved_nanos;
  });
}

bool Projection::Release(const std::string& request_id, uint32_t attempt) {
  scratch_reservation_key_.first = request_id;
  scratch_reservation_key_.second = attempt;
  auto it = open_.find(scratch_reservation_key_);
  if (it == open_.end()) return false;
  const OpenReservation& r = it->second;
  ScopeId& scope = scratch_spend_key_.second;
  ForEachScope(r.model_group, r.tag, r.tier, [&](ScopeKind kind, const std::string& key) {
    scope.kind = kind;
    scope.key = key;
    auto found = reserved_.find(scope);
    assert(found != reserved_.end());
    found->second -= r.reserved_nanos;
  });
  open_.erase(it);
  return true;
}

void Projection::OnAttemptStarted(const Event& e, const AttemptStarted& a) {
  Reserve(a, e.time_micros);
}

void Projection::OnAttemptFinished(const Event& e, const AttemptFinished& f) {
  if (!Release(f.request_id, f.attempt)) ++anomalies_.unknown_releases;
  // The spend is real even when its reservation is unknown, so it is
  // counted in the scopes the finish names.
  if (f.cost_nanos == 0) return;
  scratch_spend_key_.first = PeriodOfCached(e.time_micros);
  ScopeId& scope = scratch_spend_key_.second;
  ForEachScope(f.model_group, f.tag, f.tier, [&](ScopeKind kind, const std::string& key) {
    scope.kind = kind;
    scope.key = key;
    auto found = spend_.find(scratch_spend_key_);
    if (found == spend_.end()) found = spend_.emplace(scratch_spend_key_, 0).first;
    found->second += f.cost_nanos;
  });
}

void Projection::OnReservationExpired(const Event&, const ReservationExpired& x) {
  if (!Release(x.request_id, x.attempt)) ++anomalies_.unknown_releases;
}

// The global scope has no key; one sent anyway is dropped so that every
// global scope is the same ScopeId.
static const std::string& KeyOf(ScopeKind kind, const std::string& key) {
  static const std::string kNone;
  return kind == ScopeKind::kGlobal ? kNone : key;
}

void Projection::OnBudgetAlert(const Event&, const BudgetAlert& a) {
  alerts_fired_.emplace(a.period, ScopeId{a.scope_kind, KeyOf(a.scope_kind, a.scope_key)},
                        a.threshold_pct);
}

ScopeGate* Projection::GateToUpdate(ScopeKind kind, const std::string& key, int32_t period) {
  ScopeId& scope = scratch_spend_key_.second;
  scope.kind = kind;
  scope.key = KeyOf(kind, key);
  auto it = gates_.find(scope);
  if (it == gates_.end()) {
    it = gates_.emplace(scope, ScopeGate{}).first;
    it->second.period = period;
  } else if (it->second.period > period) {
    ++anomalies_.stale_gate_events;
    return nullptr;
  } else if (it->second.period < period) {
    it->second = ScopeGate{};
    it->second.period = period;
  }
  return &it->second;
}

void Projection::OnBudgetStopped(const Event& e, const BudgetStopped& s) {
  ScopeGate* gate = GateToUpdate(s.scope_kind, s.scope_key, s.period);
  if (gate == nullptr) return;
  // A stop (again) in the same period needs a new decision: a raised limit
  // that was reached too is not lifted by the earlier decision.
  *gate = ScopeGate{};
  gate->stopped = true;
  gate->period = s.period;
  gate->stopped_micros = e.time_micros;
}

void Projection::OnGateDecision(const Event& e, const GateDecision& d) {
  ScopeGate* gate = GateToUpdate(d.scope_kind, d.scope_key, d.period);
  if (gate == nullptr) return;
  gate->decided = true;
  gate->choice = d.choice;
  gate->continue_model = d.model;
  gate->limit_override_nanos = d.new_limit_nanos;
  gate->actor = d.actor;
  gate->note = d.note;
  gate->decided_micros = e.time_micros;
}

void Projection::OnHealthProbe(const Event& e, const HealthProbe& p) {
  DeploymentStatus& d = deployments_[p.deployment];
  d.last_probe_micros = e.time_micros;
  d.last_probe_ok = p.ok;
}

void Projection::OnDeploymentStateChanged(const Event& e, const DeploymentStateChanged& c) {
  DeploymentStatus& d = deployments_[c.deployment];
  if (c.to == DeploymentState::kHealthy) {
    d.down_since_micros = 0;
  } else if (d.state == DeploymentState::kHealthy) {
    d.down_since_micros = e.time_micros;
  }
  d.state = c.to;
  d.since_micros = e.time_micros;
  d.until_micros = c.until_micros;
  d.reason = c.reason;
}

void Projection::OnRecovered(const Event& e, const Recovered& r) {
  DeploymentStatus& d = deployments_[r.deployment];
  d.state = DeploymentState::kHealthy;
  d.since_micros = e.time_micros;
  d.until_micros = 0;
  d.down_since_micros = 0;
  d.reason = std::string("recovered: ") + RecoveryConfirmationName(r.confirmed_by);
}

void Projection::OnConfigApplied(const Event&, const ConfigApplied& c) {
  config_sha256_hex_ = c.sha256_hex;
}

NanoUsd Projection::Spent(const ScopeId& scope, int32_t period) const {
  auto it = spend_.find(std::pair<int32_t, ScopeId>(period, scope));
  return it == spend_.end() ? 0 : it->second;
}

NanoUsd Projection::Reserved(const ScopeId& scope) const {
  auto it = reserved_.find(scope);
  return it == reserved_.end() ? 0 : it->second;
}

bool Projection::AlertFired(const ScopeId& scope, int32_t period,
                            uint32_t threshold_pct) const {
  return alerts_fired_.count(AlertKey(period, scope, threshold_pct)) != 0;
}

const ScopeGate* Projection::Gate(const ScopeId& scope) const {
  auto it = gates_.find(scope);
  return it == gates_.end() ? nullptr : &it->second;
}

const ScopeGate* Projection::GateFor(const ScopeId& scope, int32_t period) const {
  const ScopeGate* gate = Gate(scope);
  return gate != nullptr && gate->period == period ? gate : nullptr;
}

bool Projection::Stopped(const ScopeId& scope, int32_t period) const {
  const ScopeGate* gate = GateFor(scope, period);
  if (gate == nullptr || !gate->stopped) return false;
  return !gate->decided || gate->choice == GateChoice::kStop;
}

std::optional<NanoUsd> Projection::LimitOverride(const ScopeId& scope, int32_t period) const {
  const ScopeGate* gate = GateFor(scope, period);
  if (gate == nullptr || !gate->decided || gate->choice != GateChoice::kRaiseLimit) {
    return std::nullopt;
  }
  return gate->limit_override_nanos;
}

const std::string* Projection::ContinueModel(const ScopeId& scope, int32_t period) const {
  const ScopeGate* gate = GateFor(scope, period);
  if (gate == nullptr || !gate->decided || gate->choice != GateChoice::kContinueWithModel) {
    return nullptr;
  }
  return &gate->continue_model;
}

const DeploymentStatus& Projection::Deployment(const std::string& deployment) const {
  static const DeploymentStatus kNeverSeen;
  auto it = deployments_.find(deployment);
  return it == deployments_.end() ? kNeverSeen : it->second;
}

bool Projection::operator==(const Projection& o) const {
  return period_kind_ == o.period_kind_ && last_seq_ == o.last_seq_ &&
         last_time_micros_ == o.last_time_micros_ && spend_ == o.spend_ &&
         reserved_ == o.reserved_ && alerts_fired_ == o.alerts_fired_ &&
         gates_ == o.gates_ && deployments_ == o.deployments_ && open_ == o.open_ &&
         config_sha256_hex_ == o.config_sha256_hex_ && anomalies_ == o.anomalies_;
}

std::string Projection::DebugString() const {
  std::ostringstream out;
  out << "Projection{period_kind=" << (period_kind_ == PeriodKind::kMonth ? "month" : "day")
      << " last_seq=" << last_seq_ << " last_time=" << FormatIso8601(last_time_micros_)
      << " config=" << (config_sha256_hex_.empty() ? "-" : config_sha256_hex_) << "\n";
  out << " anomalies: unknown_releases=" << anomalies_.unknown_releases
      << " duplicate_reservations=" << anomalies_.duplicate_reservations
      << " stale_gate_events=" << anomalies_.stale_gate_events << "\n";
  for (const auto& [key, nanos] : spend_) {
    out << " spend " << key.first << " " << ScopeName(key.second) << " = "
        << FormatNanosAsUsd(nanos) << " USD\n";
  }
  for (const auto& [scope, nanos] : reserved_) {
    out << " reserved " << ScopeName(scope) << " = " << FormatNanosAsUsd(nanos) << " USD\n";
  }
  for (const auto& [period, scope, pct] : alerts_fired_) {
    out << " alert " << period << " " << ScopeName(scope) << " " << pct << "%\n";
  }
  for (const auto& [scope, g] : gates_) {
    out << " gate " << ScopeName(scope) << " period=" << g.period
        << " stopped=" << g.stopped << "@" << g.stopped_micros << " decided=" << g.decided;
    if (g.decided) {
      out << " choice=" << GateChoiceName(g.choice) << " model=" << g.continue_model
          << " limit=" << FormatNanosAsUsd(g.limit_override_nanos) << " actor=" << g.actor
          << " note=\"" << g.note << "\"@" << g.decided_micros;
    }
    out << "\n";
  }
  for (const auto& [name, d] : deployments_) {
    out << " deployment " << name << " " << DeploymentStateName(d.state) << " since="
        << d.since_micros << " until=" << d.until_micros << " down_since="
        << d.down_since_micros << " reason=\"" << d.reason << "\" probe=" << d.last_probe_micros
        << (d.last_probe_ok ? " ok" : " failed") << "\n";
  }
  for (const auto& [key, r] : open_) {
    out << " open " << key.first << "#" << key.second << " " << r.deployment << " ["
        << r.model_group << "|" << r.tag << "|" << r.tier << "] "
        << FormatNanosAsUsd(r.reserved_nanos) << " USD @" << r.started_micros << "\n";
  }
  out << "}";
  return out.str();
}

}  // namespace ukairo::ledger
