// The fold: one callback per event type, each touching a handful of map
// entries. This is the replay path (SPEC §6: >= 2M events/s) and the router
// folds every event it emits, so attempt events go through hashed scope
// slots and reused open_ nodes (projection.h), and other lookups through
// scratch keys that keep their string capacity.
#include "ledger/projection.h"
#include "base/check.h"

#include <algorithm>
#include <iterator>
#include <sstream>

namespace ukairo::ledger {

std::string ScopeName(const ScopeId& scope) {
  if (scope.kind == ScopeKind::kGlobal) return "global";
  return std::string(ScopeKindName(scope.kind)) + ":" + scope.key;
}

Projection::Projection(PeriodKind period_kind) : period_kind_(period_kind) {}

void Projection::Apply(const Event& event) {
  UKAIRO_CHECK(event.seq == 0 || event.seq == last_seq_ + 1, "events fold in seq order, no gap");
  Dispatch(event, *this);
  if (event.seq != 0) last_seq_ = event.seq;
  last_time_micros_ = event.time_micros;
}

Status Projection::LimitStatus() const {
  auto over = [](const char* what, size_t count, size_t max) {
    return Status::Unavailable("projection: " + std::to_string(count) + " " + what +
                               ", more than the limit of " + std::to_string(max) +
                               " (ProjectionLimits); this ledger was not written by a "
                               "ukairo within its config limits");
  };
  if (slots_.size() > ProjectionLimits::kScopesMax) {
    return over("budget scopes", slots_.size(), ProjectionLimits::kScopesMax);
  }
  if (deployments_.size() > ProjectionLimits::kDeploymentsMax) {
    return over("deployments", deployments_.size(), ProjectionLimits::kDeploymentsMax);
  }
  if (gates_.size() > ProjectionLimits::kGatesMax) {
    return over("gated scopes", gates_.size(), ProjectionLimits::kGatesMax);
  }
  if (alerts_fired_.size() > ProjectionLimits::kAlertsFiredMax) {
    return over("alerts fired", alerts_fired_.size(), ProjectionLimits::kAlertsFiredMax);
  }
  if (open_.size() > ProjectionLimits::kOpenReservationsMax) {
    return over("open reservations", open_.size(), ProjectionLimits::kOpenReservationsMax);
  }
  if (keys_.size() > ProjectionLimits::kKeysMax) {
    return over("client keys", keys_.size(), ProjectionLimits::kKeysMax);
  }
  if (teams_.size() > ProjectionLimits::kTeamsMax) {
    return over("teams", teams_.size(), ProjectionLimits::kTeamsMax);
  }
  if (request_keys_.size() > ProjectionLimits::kRequestKeysMax) {
    return over("requests in flight with a key", request_keys_.size(),
                ProjectionLimits::kRequestKeysMax);
  }
  return Status::Ok();
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
    UKAIRO_CHECK(period_start_micros_ <= time_micros && time_micros < period_end_micros_);
  }
  return period_cached_;
}

size_t Projection::ReservationKeyHash::operator()(const ReservationKey& key) const {
  // Attempts of one request differ only in .second; mix it in so they do
  // not share a bucket.
  return std::hash<std::string>()(key.first) ^ (size_t{key.second} * 0x9E3779B97F4A7C15ull);
}

uint32_t Projection::SlotFor(ScopeKind kind, const std::string& key) {
  if (kind == ScopeKind::kGlobal) {
    if (global_slot_ == kNoSlot) {
      global_slot_ = static_cast<uint32_t>(slots_.size());
      slots_.emplace_back().id = ScopeId::Global();
    }
    return global_slot_;
  }
  UKAIRO_CHECK(!key.empty());
  auto& index = slot_by_key_[static_cast<int>(kind)];
  auto it = index.find(key);
  if (it != index.end()) return it->second;
  UKAIRO_CHECK(slots_.size() < kNoSlot);
  uint32_t slot = static_cast<uint32_t>(slots_.size());
  slots_.emplace_back().id = ScopeId{kind, key};
  index.emplace(key, slot);
  return slot;
}

uint32_t Projection::SameOrSlotFor(uint32_t held, ScopeKind kind, const std::string& key) {
  if (held != kNoSlot && slots_[held].id.kind == kind &&
      (kind == ScopeKind::kGlobal || slots_[held].id.key == key)) {
    return held;
  }
  return SlotFor(kind, key);
}

uint32_t Projection::FindSlot(const ScopeId& scope) const {
  if (scope.kind == ScopeKind::kGlobal) return scope.key.empty() ? global_slot_ : kNoSlot;
  const auto& index = slot_by_key_[static_cast<int>(scope.kind)];
  auto it = index.find(scope.key);
  return it == index.end() ? kNoSlot : it->second;
}

void Projection::AddSpend(ScopeSlot& slot, int32_t period, NanoUsd nanos) {
  auto& periods = slot.spend_by_period;
  if (periods.empty() || periods.back().first < period) {
    periods.emplace_back(period, nanos);
    return;
  }
  if (periods.back().first == period) {
    periods.back().second += nanos;
    return;
  }
  // A finish of an older period (events out of period order): rare.
  auto it = std::lower_bound(periods.begin(), periods.end(), period,
                             [](const auto& entry, int32_t p) { return entry.first < p; });
  if (it != periods.end() && it->first == period) {
    it->second += nanos;
  } else {
    periods.insert(it, {period, nanos});
  }
}

void Projection::Reserve(const AttemptStarted& a, int64_t time_micros) {
  OpenMap::iterator it;
  bool inserted;
  if (!spare_nodes_.nodes.empty()) {
    OpenMap::node_type& node = spare_nodes_.nodes.back();
    node.key().first.assign(a.request_id);  // keeps the spare's capacity
    node.key().second = a.attempt;
    auto result = open_.insert(std::move(node));
    it = result.position;
    inserted = result.inserted;
    if (inserted) {
      spare_nodes_.nodes.pop_back();
    } else {
      node = std::move(result.node);
    }
  } else {
    std::tie(it, inserted) = open_.try_emplace(ReservationKey(a.request_id, a.attempt));
  }
  OpenHold& hold = it->second;
  if (!inserted) {
    // A writer never starts an open attempt twice; keep the newest and do
    // not leak the older hold.
    ++anomalies_.duplicate_reservations;
    Unhold(hold);
  }
  hold.deployment.assign(a.deployment);
  hold.reserved_nanos = a.reserved_nanos;
  hold.started_micros = time_micros;
  hold.slots[0] = a.model_group.empty() ? kNoSlot : SlotFor(ScopeKind::kModel, a.model_group);
  hold.slots[1] = a.tag.empty() ? kNoSlot : SlotFor(ScopeKind::kTag, a.tag);
  hold.slots[2] = a.tier.empty() ? kNoSlot : SlotFor(ScopeKind::kTier, a.tier);
  hold.slots[3] = SlotFor(ScopeKind::kGlobal, GlobalKey());
  for (uint32_t slot : hold.slots) {
    if (slot == kNoSlot) continue;
    slots_[slot].has_reserved = true;
    slots_[slot].reserved_nanos += a.reserved_nanos;
  }
}

void Projection::Unhold(const OpenHold& hold) {
  for (uint32_t slot : hold.slots) {
    if (slot == kNoSlot) continue;
    UKAIRO_CHECK(slots_[slot].has_reserved);
    slots_[slot].reserved_nanos -= hold.reserved_nanos;
  }
}

bool Projection::Release(const std::string& request_id, uint32_t attempt,
                         uint32_t (*released_slots)[kHeldScopes]) {
  scratch_reservation_key_.first.assign(request_id);
  scratch_reservation_key_.second = attempt;
  auto it = open_.find(scratch_reservation_key_);
  if (it == open_.end()) return false;
  Unhold(it->second);
  if (released_slots != nullptr) {
    std::copy(std::begin(it->second.slots), std::end(it->second.slots), *released_slots);
  }
  if (spare_nodes_.nodes.size() < SpareNodes::kMax) {
    spare_nodes_.nodes.push_back(open_.extract(it));
  } else {
    open_.erase(it);
  }
  return true;
}

void Projection::OnAttemptStarted(const Event& e, const AttemptStarted& a) {
  Reserve(a, e.time_micros);
}

void Projection::OnAttemptFinished(const Event& e, const AttemptFinished& f) {
  uint32_t held[kHeldScopes] = {kNoSlot, kNoSlot, kNoSlot, kNoSlot};
  if (!Release(f.request_id, f.attempt, &held)) ++anomalies_.unknown_releases;
  // The spend is real even when its reservation is unknown, so it is
  // counted in the scopes the finish names (normally those of the hold).
  if (f.cost_nanos == 0) return;
  const int32_t period = PeriodOfCached(e.time_micros);
  if (!f.model_group.empty()) {
    AddSpend(slots_[SameOrSlotFor(held[0], ScopeKind::kModel, f.model_group)], period,
             f.cost_nanos);
  }
  if (!f.tag.empty()) {
    AddSpend(slots_[SameOrSlotFor(held[1], ScopeKind::kTag, f.tag)], period, f.cost_nanos);
  }
  if (!f.tier.empty()) {
    AddSpend(slots_[SameOrSlotFor(held[2], ScopeKind::kTier, f.tier)], period, f.cost_nanos);
  }
  AddSpend(slots_[SameOrSlotFor(held[3], ScopeKind::kGlobal, GlobalKey())], period,
           f.cost_nanos);
  if (!request_keys_.empty()) AddKeySpend(f.request_id, period, f.cost_nanos);
}

void Projection::OnReservationExpired(const Event&, const ReservationExpired& x) {
  if (!Release(x.request_id, x.attempt, nullptr)) ++anomalies_.unknown_releases;
  // Expired at a restart: the request died with the crashed process.
  if (!request_keys_.empty()) request_keys_.erase(x.request_id);
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
  ScopeId& scope = scratch_scope_;
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
  uint32_t slot = FindSlot(scope);
  if (slot == kNoSlot) return 0;
  // Few periods per scope, the live one last.
  const auto& periods = slots_[slot].spend_by_period;
  for (auto it = periods.rbegin(); it != periods.rend(); ++it) {
    if (it->first == period) return it->second;
    if (it->first < period) break;
  }
  return 0;
}

NanoUsd Projection::Reserved(const ScopeId& scope) const {
  uint32_t slot = FindSlot(scope);
  return slot == kNoSlot ? 0 : slots_[slot].reserved_nanos;
}

std::map<std::pair<int32_t, ScopeId>, NanoUsd> Projection::spend() const {
  std::map<std::pair<int32_t, ScopeId>, NanoUsd> out;
  for (const ScopeSlot& slot : slots_) {
    for (const auto& [period, nanos] : slot.spend_by_period) {
      out.emplace(std::pair(period, slot.id), nanos);
    }
  }
  return out;
}

std::map<ScopeId, NanoUsd> Projection::reserved() const {
  std::map<ScopeId, NanoUsd> out;
  for (const ScopeSlot& slot : slots_) {
    if (slot.has_reserved) out.emplace(slot.id, slot.reserved_nanos);
  }
  return out;
}

OpenReservation Projection::ToOpenReservation(const OpenHold& hold) const {
  OpenReservation r;
  r.deployment = hold.deployment;
  if (hold.slots[0] != kNoSlot) r.model_group = slots_[hold.slots[0]].id.key;
  if (hold.slots[1] != kNoSlot) r.tag = slots_[hold.slots[1]].id.key;
  if (hold.slots[2] != kNoSlot) r.tier = slots_[hold.slots[2]].id.key;
  r.reserved_nanos = hold.reserved_nanos;
  r.started_micros = hold.started_micros;
  return r;
}

std::map<Projection::ReservationKey, OpenReservation> Projection::open_reservations() const {
  std::map<ReservationKey, OpenReservation> out;
  for (const auto& [key, hold] : open_) out.emplace(key, ToOpenReservation(hold));
  return out;
}

void Projection::AdoptSnapshot(const std::map<std::pair<int32_t, ScopeId>, NanoUsd>& spend,
                               const std::map<ScopeId, NanoUsd>& reserved,
                               const std::map<ReservationKey, OpenReservation>& open) {
  slots_.clear();
  for (auto& index : slot_by_key_) index.clear();
  global_slot_ = kNoSlot;
  open_.clear();
  // Ascending (period, scope): each slot's periods arrive in ascending order.
  for (const auto& [key, nanos] : spend) {
    AddSpend(slots_[SlotFor(key.second.kind, key.second.key)], key.first, nanos);
  }
  for (const auto& [scope, nanos] : reserved) {
    ScopeSlot& slot = slots_[SlotFor(scope.kind, scope.key)];
    slot.has_reserved = true;
    slot.reserved_nanos = nanos;
  }
  open_.reserve(open.size());
  for (const auto& [key, r] : open) {
    OpenHold& hold = open_[key];
    hold.deployment = r.deployment;
    hold.reserved_nanos = r.reserved_nanos;
    hold.started_micros = r.started_micros;
    hold.slots[0] = r.model_group.empty() ? kNoSlot : SlotFor(ScopeKind::kModel, r.model_group);
    hold.slots[1] = r.tag.empty() ? kNoSlot : SlotFor(ScopeKind::kTag, r.tag);
    hold.slots[2] = r.tier.empty() ? kNoSlot : SlotFor(ScopeKind::kTier, r.tier);
    hold.slots[3] = SlotFor(ScopeKind::kGlobal, GlobalKey());
    // The reader checked that every scope of an open reservation has a
    // reserved total equal to the sum of its holds.
    for ([[maybe_unused]] uint32_t slot : hold.slots) {
      UKAIRO_CHECK(slot == kNoSlot || slots_[slot].has_reserved);
    }
  }
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
         last_time_micros_ == o.last_time_micros_ && open_.size() == o.open_.size() &&
         spend() == o.spend() && reserved() == o.reserved() &&
         alerts_fired_ == o.alerts_fired_ && gates_ == o.gates_ &&
         deployments_ == o.deployments_ && open_reservations() == o.open_reservations() &&
         config_sha256_hex_ == o.config_sha256_hex_ && anomalies_ == o.anomalies_ &&
         keys_ == o.keys_ && teams_ == o.teams_ && request_keys_ == o.request_keys_;
}

std::string Projection::DebugString() const {
  std::ostringstream out;
  out << "Projection{period_kind=" << (period_kind_ == PeriodKind::kMonth ? "month" : "day")
      << " last_seq=" << last_seq_ << " last_time=" << FormatIso8601(last_time_micros_)
      << " config=" << (config_sha256_hex_.empty() ? "-" : config_sha256_hex_) << "\n";
  out << " anomalies: unknown_releases=" << anomalies_.unknown_releases
      << " duplicate_reservations=" << anomalies_.duplicate_reservations
      << " stale_gate_events=" << anomalies_.stale_gate_events
      << " key_events_ignored=" << anomalies_.key_events_ignored << "\n";
  for (const auto& [id, k] : keys_) {
    out << " key " << id << " " << k.key_prefix << " team=" << k.settings.team_id
        << " budget=" << k.settings.max_budget_nanos << " revoked=" << k.revoked << "\n";
  }
  for (const auto& [id, t] : teams_) {
    out << " team " << id << " budget=" << t.settings.max_budget_nanos << "\n";
  }
  for (const auto& [key, nanos] : spend()) {
    out << " spend " << key.first << " " << ScopeName(key.second) << " = "
        << FormatNanosAsUsd(nanos) << " USD\n";
  }
  for (const auto& [scope, nanos] : reserved()) {
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
  for (const auto& [key, r] : open_reservations()) {
    out << " open " << key.first << "#" << key.second << " " << r.deployment << " ["
        << r.model_group << "|" << r.tag << "|" << r.tier << "] "
        << FormatNanosAsUsd(r.reserved_nanos) << " USD @" << r.started_micros << "\n";
  }
  out << "}";
  return out.str();
}

}  // namespace ukairo::ledger
