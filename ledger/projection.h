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
//    global scopes (empty keys skipped, except global) and records an
//    OpenReservation under (request_id, attempt); AttemptFinished or
//    ReservationExpired releases it, in the scopes the reservation was taken
//    in. Releasing an unknown reservation is counted (anomalies()), not fatal.
//  * AttemptFinished adds cost_nanos to spend in its scopes, in the period of
//    its event time (PeriodOf(time_micros, period_kind)).
//  * BudgetAlert marks (scope, period, threshold) fired.
//  * BudgetStopped stops the scope for its period; a GateDecision records the
//    human decision (continue with a model / raise the limit / stop). One gate
//    per scope, for its latest period: a stop or decision for a newer period
//    replaces it, one for an older period is ignored (and counted). A stop
//    never carries over to a later period (see Stopped()).
//  * DeploymentStateChanged and Recovered set a deployment's state;
//    down_since_micros is when it last left healthy. HealthProbe records the
//    last probe.
//  * ConfigApplied records the config's hash.
//  * Keys and teams (ledger/projection_keys.cc): KeyIssued / TeamCreated add
//    one (a second issue of a known id is ignored and counted), KeyUpdated /
//    TeamUpdated replace its settings, KeyRevoked marks it revoked for good.
//    A request accepted with a client_key_id is remembered until it
//    completes (or its reservation expires after a crash); each finished
//    attempt's cost is also booked to that key's scope (kKey) and to the
//    key's team then (kTeam), in the period of the finish.
//
// Thread safety: not thread-safe; one owner folds, others read copies.
#pragma once

#include <compare>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <unordered_map>
#include <utility>
#include <vector>

#include "ledger/event.h"
#include "ledger/period.h"
#include "base/status.h"

namespace ukairo::ledger {

class Ledger;

struct ScopeId {
  ScopeKind kind = ScopeKind::kGlobal;
  std::string key;  // model group, tag or tier name; "" for global
  auto operator<=>(const ScopeId&) const = default;

  static ScopeId Model(std::string name) { return {ScopeKind::kModel, std::move(name)}; }
  static ScopeId Tag(std::string name) { return {ScopeKind::kTag, std::move(name)}; }
  static ScopeId Tier(std::string name) { return {ScopeKind::kTier, std::move(name)}; }
  static ScopeId Global() { return {ScopeKind::kGlobal, std::string()}; }
};

// "model:claude-opus", "global".
std::string ScopeName(const ScopeId& scope);

// The gate of one scope for its latest period. A GateDecision without a
// preceding stop (a limit raised ahead of time) leaves stopped == false.
struct KeyState {
  std::string key_prefix;
  std::string secret_sha256_hex;
  KeySettings settings;
  bool revoked = false;
  int64_t created_micros = 0;
  int64_t updated_micros = 0;
  int64_t revoked_micros = 0;
  std::string created_by;
  bool operator==(const KeyState&) const = default;
};

struct TeamState {
  TeamSettings settings;
  int64_t created_micros = 0;
  int64_t updated_micros = 0;
  bool operator==(const TeamState&) const = default;
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

// Events the fold tolerated but that a correct writer never produces.
struct ProjectionAnomalies {
  uint64_t unknown_releases = 0;        // finish / expiry of no open reservation
  uint64_t duplicate_reservations = 0;  // start of an already open (request, attempt)
  uint64_t stale_gate_events = 0;       // stop / decision older than the scope's gate
  uint64_t key_events_ignored = 0;      // issue of a known id, change of an unknown one
  bool operator==(const ProjectionAnomalies&) const = default;
};

// How much one fold may hold. A ledger that ukairo wrote stays far inside
// these: scopes, deployments and gates are named by configs (each at most
// 1,024 deployments and 64 tiers), alerts are at most 3 per scope and period,
// and open reservations are bounded by the requests in flight. A ledger that
// goes past one (hand-made, imported or hostile) is refused with a clear
// error instead of growing memory without bound: LoadProjection and
// Deserialize return LimitStatus(); the router core checks WithinLimits()
// after every event it emits (its names come from its config, so going past
// a limit there is a bug).
struct ProjectionLimits {
  static constexpr size_t kScopesMax = size_t{1} << 16;
  static constexpr size_t kDeploymentsMax = size_t{1} << 16;
  static constexpr size_t kGatesMax = size_t{1} << 16;
  static constexpr size_t kAlertsFiredMax = size_t{1} << 20;
  static constexpr size_t kOpenReservationsMax = size_t{1} << 21;
  // Client keys and teams: the admin API refuses to issue past these
  // (RouterCore::OnKeyChange), so only a foreign ledger reaches them.
  static constexpr size_t kKeysMax = size_t{1} << 16;
  static constexpr size_t kTeamsMax = size_t{1} << 12;
  // Requests in flight with a client key: bounded like open reservations.
  static constexpr size_t kRequestKeysMax = kOpenReservationsMax;
};

class Projection : public EventHandler {
 public:
  explicit Projection(PeriodKind period_kind = PeriodKind::kMonth);

  // Folds one event. REQUIRES: event.seq == last_seq() + 1, or event.seq == 0
  // for events not yet appended (then last_seq() is not advanced).
  void Apply(const Event& event);

  uint64_t last_seq() const { return last_seq_; }

  // Every container within ProjectionLimits (a few size() reads: cheap
  // enough to ask after every event).
  bool WithinLimits() const {
    return slots_.size() <= ProjectionLimits::kScopesMax &&
           deployments_.size() <= ProjectionLimits::kDeploymentsMax &&
           gates_.size() <= ProjectionLimits::kGatesMax &&
           alerts_fired_.size() <= ProjectionLimits::kAlertsFiredMax &&
           open_.size() <= ProjectionLimits::kOpenReservationsMax &&
           keys_.size() <= ProjectionLimits::kKeysMax &&
           teams_.size() <= ProjectionLimits::kTeamsMax &&
           request_keys_.size() <= ProjectionLimits::kRequestKeysMax;
  }
  // OK, or ResourceExhausted-style Unavailable naming the limit passed and
  // the count reached.
  Status LimitStatus() const;
  int64_t last_time_micros() const { return last_time_micros_; }
  PeriodKind period_kind() const { return period_kind_; }

  NanoUsd Spent(const ScopeId& scope, int32_t period) const;
  NanoUsd Reserved(const ScopeId& scope) const;
  bool AlertFired(const ScopeId& scope, int32_t period, uint32_t threshold_pct) const;
  // The scope's latest gate, of whatever period; nullptr when the scope was
  // never stopped nor decided on.
  const ScopeGate* Gate(const ScopeId& scope) const;
  // The gate if it is for `period`, else nullptr (an older period's stop
  // does not apply to a newer one).
  const ScopeGate* GateFor(const ScopeId& scope, int32_t period) const;
  // True when the scope was stopped in `period` and no gate decision has
  // lifted the stop (a decision with choice kStop keeps it stopped).
  bool Stopped(const ScopeId& scope, int32_t period) const;
  // The limit a kRaiseLimit decision set for `period`, if any.
  std::optional<NanoUsd> LimitOverride(const ScopeId& scope, int32_t period) const;
  // The model a kContinueWithModel decision named for `period`, or nullptr.
  const std::string* ContinueModel(const ScopeId& scope, int32_t period) const;
  // Healthy default for deployments never mentioned.
  const DeploymentStatus& Deployment(const std::string& deployment) const;

  // The fold keeps spend, reserved totals and open reservations in hashed
  // slots (see below); these three views build sorted copies, which costs
  // O(n log n) per call: for startup, reports and tests, not per request.
  using ReservationKey = std::pair<std::string, uint32_t>;  // (request id, attempt)
  std::map<ReservationKey, OpenReservation> open_reservations() const;
  size_t open_reservation_count() const { return open_.size(); }
  std::map<std::pair<int32_t, ScopeId>, NanoUsd> spend() const;
  // Every scope ever reserved in, including those back at zero.
  std::map<ScopeId, NanoUsd> reserved() const;
  using AlertKey = std::tuple<int32_t, ScopeId, uint32_t>;  // (period, scope, threshold %)
  const std::set<AlertKey>& alerts_fired() const { return alerts_fired_; }
  const std::map<std::string, DeploymentStatus>& deployments() const { return deployments_; }
  const std::map<ScopeId, ScopeGate>& gates() const { return gates_; }
  // The latest ConfigApplied seen ("" if none).
  const std::string& config_sha256_hex() const { return config_sha256_hex_; }
  const ProjectionAnomalies& anomalies() const { return anomalies_; }
  // Client keys by id, teams by id; nullptr when unknown.
  const std::map<std::string, KeyState>& keys() const { return keys_; }
  const std::map<std::string, TeamState>& teams() const { return teams_; }
  const KeyState* Key(const std::string& key_id) const;
  const TeamState* Team(const std::string& team_id) const;
  // Requests in flight with a client key: request id → key id.
  const std::map<std::string, std::string> request_keys() const {
    return {request_keys_.begin(), request_keys_.end()};
  }

  // Stable binary form (ledger/snapshot.capnp) and back: equal projections
  // give equal bytes. Deserialize returns Corruption for bytes that are not
  // a valid snapshot (bad framing, unknown enum values, unordered or
  // duplicate keys, reserved totals that disagree with open reservations).
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
  // projection_keys.cc
  void OnRequestAccepted(const Event&, const RequestAccepted&) override;
  void OnRequestCompleted(const Event&, const RequestCompleted&) override;
  void OnKeyIssued(const Event&, const KeyIssued&) override;
  void OnKeyUpdated(const Event&, const KeyUpdated&) override;
  void OnKeyRevoked(const Event&, const KeyRevoked&) override;
  void OnTeamCreated(const Event&, const TeamCreated&) override;
  void OnTeamUpdated(const Event&, const TeamUpdated&) override;

 private:
  friend struct ProjectionSnapshotReader;  // ledger/projection_snapshot.cc

  // The scopes an attempt touches: model, tag, tier (when non-empty), global.
  template <typename Fn>
  static void ForEachScope(const std::string& model_group, const std::string& tag,
                           const std::string& tier, Fn&& fn) {
    if (!model_group.empty()) fn(ScopeKind::kModel, model_group);
    if (!tag.empty()) fn(ScopeKind::kTag, tag);
    if (!tier.empty()) fn(ScopeKind::kTier, tier);
    fn(ScopeKind::kGlobal, GlobalKey());
  }
  static const std::string& GlobalKey();

  // Why slots: the router folds every event it emits, so an attempt start
  // plus finish must not pay ~12 string-keyed tree lookups (request ids
  // share long prefixes, so each compare is a long memcmp). Each scope gets
  // a slot with a stable index (slots are never removed), found by one
  // hash lookup; an open reservation remembers its slots, so releasing it
  // and booking the finish's spend (same model / tag / tier in the normal
  // case, checked by string equality) need no scope lookup at all. Indices,
  // not pointers, so copies of a Projection stay valid without a custom copy.
  static constexpr uint32_t kNoSlot = UINT32_MAX;
  static constexpr int kHeldScopes = 4;  // model, tag, tier, global
  struct ScopeSlot {
    ScopeId id;
    bool has_reserved = false;  // reserved in at least once: reserved() lists it
    NanoUsd reserved_nanos = 0;
    // (period, spent) in ascending period; the live period is the last one.
    std::vector<std::pair<int32_t, NanoUsd>> spend_by_period;
  };
  struct OpenHold {
    std::string deployment;
    uint32_t slots[kHeldScopes] = {kNoSlot, kNoSlot, kNoSlot, kNoSlot};
    NanoUsd reserved_nanos = 0;
    int64_t started_micros = 0;
  };
  struct ReservationKeyHash {
    size_t operator()(const ReservationKey& key) const;
  };
  using OpenMap = std::unordered_map<ReservationKey, OpenHold, ReservationKeyHash>;
  // Nodes of released reservations, reused by the next starts so that their
  // key and deployment strings keep their capacity (no allocation per
  // attempt). A cache: a copy starts without spares.
  struct SpareNodes {
    static constexpr size_t kMax = 64;
    std::vector<OpenMap::node_type> nodes;
    SpareNodes() = default;
    SpareNodes(const SpareNodes&) {}
    SpareNodes& operator=(const SpareNodes&) { return *this; }
    SpareNodes(SpareNodes&&) = default;
    SpareNodes& operator=(SpareNodes&&) = default;
  };

  // The slot of (kind, key), created empty if new. REQUIRES: key non-empty
  // unless kind is global (then key is ignored).
  uint32_t SlotFor(ScopeKind kind, const std::string& key);
  // `held` when it is the slot of (kind, key), else SlotFor(kind, key).
  uint32_t SameOrSlotFor(uint32_t held, ScopeKind kind, const std::string& key);
  // kNoSlot when the scope has no slot.
  uint32_t FindSlot(const ScopeId& scope) const;
  static void AddSpend(ScopeSlot& slot, int32_t period, NanoUsd nanos);
  void Reserve(const AttemptStarted& a, int64_t time_micros);
  // Takes the hold's reserved_nanos out of its scopes' totals.
  void Unhold(const OpenHold& hold);
  // Releases (request_id, attempt); false when no such reservation is open.
  // On success *released_slots (if given) gets the slots it was held in.
  bool Release(const std::string& request_id, uint32_t attempt,
               uint32_t (*released_slots)[kHeldScopes]);
  OpenReservation ToOpenReservation(const OpenHold& hold) const;
  // Replaces the scope state and open reservations with validated snapshot
  // contents (ProjectionSnapshotReader).
  void AdoptSnapshot(const std::map<std::pair<int32_t, ScopeId>, NanoUsd>& spend,
                     const std::map<ScopeId, NanoUsd>& reserved,
                     const std::map<ReservationKey, OpenReservation>& open);
  int32_t PeriodOfCached(int64_t time_micros);
  // Books a finished attempt's cost to its request's key and team, if any.
  void AddKeySpend(const std::string& request_id, int32_t period, NanoUsd cost_nanos);
  // The gate to update for an event of `period`, or nullptr when the event
  // is older than the scope's gate (then it is counted as stale).
  ScopeGate* GateToUpdate(ScopeKind kind, const std::string& key, int32_t period);

  PeriodKind period_kind_;
  uint64_t last_seq_ = 0;
  int64_t last_time_micros_ = 0;
  std::vector<ScopeSlot> slots_;
  // By ScopeKind: model, tag, tier, (global: unused), key, team.
  std::unordered_map<std::string, uint32_t> slot_by_key_[6];
  uint32_t global_slot_ = kNoSlot;
  std::set<AlertKey> alerts_fired_;
  std::map<ScopeId, ScopeGate> gates_;
  std::map<std::string, DeploymentStatus> deployments_;
  OpenMap open_;
  std::string config_sha256_hex_;
  ProjectionAnomalies anomalies_;
  std::map<std::string, KeyState> keys_;
  std::map<std::string, TeamState> teams_;
  std::unordered_map<std::string, std::string> request_keys_;  // request id → key id

  // Caches, not state (excluded from ==, not serialized): the period
  // holding [period_start, period_end), scratch keys whose strings keep
  // their capacity so that lookups on the replay path do not allocate, and
  // spare open_ nodes.
  int64_t period_start_micros_ = 0;
  int64_t period_end_micros_ = 0;
  int32_t period_cached_ = 0;
  ScopeId scratch_scope_;
  ReservationKey scratch_reservation_key_;
  SpareNodes spare_nodes_;
};

// What LoadProjection did, for logs and tests.
struct LoadStats {
  uint64_t snapshot_seq = 0;       // 0: no usable snapshot, replayed from seq 1
  uint64_t events_replayed = 0;
  // Set when the latest snapshot could not be used (corrupt, other period
  // kind, or past the end of the log); the load then replays from seq 1.
  std::string snapshot_problem;
};

struct LoadOptions {
  PeriodKind period_kind = PeriodKind::kMonth;
  // Called with the number of events replayed so far, every
  // progress_every_events events and once at the end.
  std::function<void(uint64_t events_done)> on_progress;
  uint64_t progress_every_events = uint64_t{1} << 20;
  LoadStats* stats = nullptr;  // filled in when given
  // When more than two chunks are to be replayed, a helper thread reads the
  // stored bytes of the next chunk from RocksDB while this thread decodes
  // and folds the current one. Same result; on two idle cores ~2.6M instead
  // of ~1.7M events/s (bench/projection_bench.cc), less when the second core
  // is busy. Memory: two chunks of stored bytes. 0: one thread.
  uint64_t decode_ahead_chunk_events = 65536;
};

// Opens the projection of `ledger`: the latest snapshot, then every later
// event. A snapshot is only a cache: one that cannot be used is reported in
// LoadStats and the log is replayed from seq 1. Returns Corruption when the
// log itself has a gap or an undecodable event, or its Scan status.
Result<Projection> LoadProjection(Ledger& ledger, const LoadOptions& options);
Result<Projection> LoadProjection(Ledger& ledger, PeriodKind period_kind = PeriodKind::kMonth);

// Stores a snapshot of `projection` when at least `every_events` events were
// folded since the latest stored snapshot. Reads the latest snapshot each
// call: call it per batch, not per event (or use Snapshotter).
// REQUIRES: every_events > 0.
Status MaybeSnapshot(Ledger& ledger, const Projection& projection, uint64_t every_events);

// MaybeSnapshot that remembers the seq of the last snapshot, so that calling
// it after every event costs a comparison. Not thread-safe.
class Snapshotter {
 public:
  // REQUIRES: every_events > 0; `ledger` outlives this.
  Snapshotter(Ledger& ledger, uint64_t every_events);
  Status Maybe(const Projection& projection);
  uint64_t snapshot_seq() const { return snapshot_seq_; }

 private:
  Ledger& ledger_;
  uint64_t every_events_;
  bool looked_up_ = false;
  uint64_t snapshot_seq_ = 0;
};

}  // namespace ukairo::ledger
