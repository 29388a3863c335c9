// The projection: ledger state as a pure fold over events.
//
// Spend per (period, scope), open reservations, alert thresholds fired,
// budget stops and gate decisions per scope, and each deployment's state.
// Nothing here reads a clock: every time comes from the events. Folding the
// same events in the same order gives an equal Projection, whether live,
// replayed from seq 1, or loaded from a snapshot and replayed from there.
//
// Semantics (SPEC §5):
//  * AttemptStarted reserves reserved_nanos in the model, tag, tier and
//    global scopes; AttemptFinished or ReservationExpired releases it.
//  * AttemptFinished adds cost_nanos to spend in the period of its event time.
//  * BudgetAlert marks (scope, period, threshold) fired.
//  * BudgetStopped stops the scope for its period; a GateDecision records the
//    human decision (continue with a model / raise the limit / stop).
//  * DeploymentStateChanged and Recovered set a deployment's state.
//
// Thread safety: not thread-safe; one owner folds, others read copies.
#pragma once

#include <compare>
#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "ledger/event.h"
#include "ledger/period.h"

namespace ukairo::ledger {

class Ledger;

struct ScopeId {
  ScopeKind kind = ScopeKind::kGlobal;
  std::string key;  // model group, tag or tier name; "" for global
  auto operator<=>(const ScopeId&) const = default;
};

struct ScopeGate {
  bool stopped = false;             // BudgetStopped seen for `period`
  int32_t period = 0;
  int64_t stopped_micros = 0;
  bool decided = false;             // a GateDecision followed the stop
  GateChoice choice = GateChoice::kStop;
  std::string continue_model;       // kContinueWithModel
  NanoUsd limit_override_nanos = 0; // kRaiseLimit; 0 = none
  std::string actor;
  std::string note;
  int64_t decided_micros = 0;
  bool operator==(const ScopeGate&) const = default;
};

struct DeploymentStatus {
  DeploymentState state = DeploymentState::kHealthy;
  int64_t since_micros = 0;
  int64_t until_micros = 0;       // rate_limited / cooling_down deadline
  int64_t down_since_micros = 0;  // first time it left healthy, 0 if healthy
  std::string reason;
  int64_t last_probe_micros = 0;
  bool last_probe_ok = false;
  bool operator==(const DeploymentStatus&) const = default;
};

struct OpenReservation {
  std::string deployment;
  std::string model_group;
  std::string tag;
  std::string tier;
  NanoUsd reserved_nanos = 0;
  int64_t started_micros = 0;
  bool operator==(const OpenReservation&) const = default;
};

class Projection : public EventHandler {
 public:
  explicit Projection(PeriodKind period_kind = PeriodKind::kMonth);

  // Folds one event. REQUIRES: event.seq == last_seq() + 1, or event.seq == 0
  // for events not yet appended (then last_seq() is not advanced).
  void Apply(const Event& event);

  uint64_t last_seq() const { return last_seq_; }
  int64_t last_time_micros() const { return last_time_micros_; }
  PeriodKind period_kind() const { return period_kind_; }

  NanoUsd Spent(const ScopeId& scope, int32_t period) const;
  NanoUsd Reserved(const ScopeId& scope) const;
  bool AlertFired(const ScopeId& scope, int32_t period, uint32_t threshold_pct) const;
  // nullptr when the scope was never stopped.
  const ScopeGate* Gate(const ScopeId& scope) const;
  // Healthy default for deployments never mentioned.
  const DeploymentStatus& Deployment(const std::string& deployment) const;

  using ReservationKey = std::pair<std::string, uint32_t>;  // (request id, attempt)
  const std::map<ReservationKey, OpenReservation>& open_reservations() const {
    return open_;
  }
  const std::map<std::pair<int32_t, ScopeId>, NanoUsd>& spend() const { return spend_; }
  const std::map<std::string, DeploymentStatus>& deployments() const { return deployments_; }
  const std::map<ScopeId, ScopeGate>& gates() const { return gates_; }
  // The latest ConfigApplied seen ("" if none).
  const std::string& config_sha256_hex() const { return config_sha256_hex_; }

  // Stable binary form (ledger/snapshot.capnp) and back.
  std::string Serialize() const;
  static Result<Projection> Deserialize(std::string_view bytes);

  bool operator==(const Projection& other) const;
  // Human-readable dump for test failure messages.
  std::string DebugString() const;

  // EventHandler
  void OnAttemptStarted(const Event&, const AttemptStarted&) override;
  void OnAttemptFinished(const Event&, const AttemptFinished&) override;
  void OnReservationExpired(const Event&, const ReservationExpired&) override;
  void OnBudgetAlert(const Event&, const BudgetAlert&) override;
  void OnBudgetStopped(const Event&, const BudgetStopped&) override;
  void OnGateDecision(const Event&, const GateDecision&) override;
  void OnHealthProbe(const Event&, const HealthProbe&) override;
  void OnDeploymentStateChanged(const Event&, const DeploymentStateChanged&) override;
  void OnRecovered(const Event&, const Recovered&) override;
  void OnConfigApplied(const Event&, const ConfigApplied&) override;

 private:
  PeriodKind period_kind_;
  uint64_t last_seq_ = 0;
  int64_t last_time_micros_ = 0;
  std::map<std::pair<int32_t, ScopeId>, NanoUsd> spend_;
  std::map<ScopeId, NanoUsd> reserved_;
  std::map<std::pair<int32_t, ScopeId>, uint32_t> alerts_fired_;  // bitmask per pct set
  std::map<std::tuple<int32_t, ScopeId, uint32_t>, bool> alert_thresholds_;
  std::map<ScopeId, ScopeGate> gates_;
  std::map<std::string, DeploymentStatus> deployments_;
  std::map<ReservationKey, OpenReservation> open_;
  std::string config_sha256_hex_;
};

// Opens the projection of `ledger`: the latest snapshot, then every later
// event. Reports progress through `on_progress(events_done)` when given.
Result<Projection> LoadProjection(Ledger& ledger, PeriodKind period_kind = PeriodKind::kMonth);

// Stores a snapshot of `projection` when at least `every_events` events were
// folded since the latest stored snapshot.
Status MaybeSnapshot(Ledger& ledger, const Projection& projection, uint64_t every_events);

}  // namespace ukairo::ledger
