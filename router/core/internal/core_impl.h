// RouterCore::Impl, shared by core.cc (inputs), core_route.cc (choosing
// deployments, the request machine) and core_state.cc (deployment states,
// budgets, alerts, gate). Internal to router/.
#pragma once

#include <algorithm>
#include <optional>
#include <string>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

#include "router/core/internal/budget_guard.h"
#include "router/core/core.h"
#include "router/core/internal/core_index.h"
#include "router/core/internal/health.h"
#include "router/core/internal/request_machine.h"
#include "router/core/rng.h"

namespace ukairo::router {

enum class TimerKind : uint8_t { kRetry = 0, kDeadline, kProbe };

struct TimerTarget {
  TimerKind kind = TimerKind::kRetry;
  uint32_t deployment = kNone;
  uint64_t generation = 0;  // DeploymentRuntime::generation when armed
  std::string request_id;   // kRetry
};

class RouterCore::Impl {
 public:
  Impl(std::shared_ptr<const Config> config, ledger::Projection restored, uint64_t seed);

  // --- inputs (core.cc) ---
  void WarmUp(const ledger::Event& event);
  void Start();
  void OnRequest(const RequestInput& in);
  void OnUpstreamResult(const UpstreamResult& res);
  void SettleAttempt(RequestMachine& r, const UpstreamResult& res);
  void OnTimer(uint64_t timer_id);
  void OnProbeResult(const ProbeResult& probe);
  void OnGateDecision(const ledger::GateDecision& decision);
  void OnConfig(std::shared_ptr<const Config> config);
  void RemapRequest(RequestMachine& r, const CoreIndex& old);
  // Sets the time and the output of the current call.
  void Begin(int64_t now_micros, Actions& out);

  // --- client keys and teams (core_keys.cc) ---
  // Checks a keyed request before anything is recorded; false after
  // answering it (401 / 429). Fills *scopes and may set *tag (default tag).
  bool AdmitKey(const RequestInput& in, const ModelResolution& model, KeyScopes* scopes,
                std::string* tag);
  bool ModelAllowed(const std::vector<std::string>& models, const RequestInput& in,
                    const ModelResolution& model, uint32_t tag) const;
  void RefuseBeforeRecording(const std::string& request_id, uint32_t http_status,
                             ClientError error, int64_t retry_after_ms);
  // Whether the attempt's reservation fits the request's key and team.
  bool KeyFits(RequestMachine& r, NanoUsd reserve_nanos);
  void CheckKeyAlerts(const KeyScopes& scopes);
  std::string KeyBudgetText(const KeyLimitHit& hit) const;
  Status ApplyKeyChange(const KeyChange& change);

  // --- routing (core_route.cc) ---
  const std::vector<uint32_t>* ResolveChain(uint32_t tier, uint32_t requested_group) const;
  void Advance(RequestMachine& r);
  uint32_t PickInGroup(RequestMachine& r, uint32_t group, ledger::FallbackReason* reason);
  uint32_t PickLastResort(RequestMachine& r);
  std::optional<ledger::FallbackReason> SkipReason(RequestMachine& r, uint32_t d, uint32_t group);
  uint32_t Choose(const std::vector<uint32_t>& candidates);
  void StartAttempt(RequestMachine& r, uint32_t d, bool retry);
  void SetPending(RequestMachine& r, uint32_t from_d, uint32_t from_group,
                  ledger::FallbackReason reason);
  void FlushFallback(RequestMachine& r, uint32_t to_d, uint32_t to_group);
  void HandleFailure(RequestMachine& r, ledger::Outcome outcome);
  void CompleteOk(RequestMachine& r);
  void CompleteError(RequestMachine& r, uint32_t http_status, const char* type, const char* code,
                     std::string message);
  void FailExhausted(RequestMachine& r);
  AttemptScopes ScopesOf(const RequestMachine& r, uint32_t group) const;
  NanoUsd ReserveNanos(const Deployment& dep, const RequestMachine& r) const;

  // --- deployment state, budgets, gate (core_state.cc) ---
  // Appends an event (seq 0, now_) to the call's actions and folds it into
  // the projection. The body is built in place in the reused vector.
  template <typename Body>
  void Emit(Body&& body) {
    ledger::Event& event = out_->events.emplace_back();
    event.time_micros = now_;
    event.body.template emplace<std::decay_t<Body>>(std::forward<Body>(body));
    projection_.Apply(event);
    // The core names scopes and deployments only from its config, so its
    // own fold stays inside ProjectionLimits; anything else is a bug.
    UKAIRO_CHECK(projection_.WithinLimits(), projection_.LimitStatus().message());
    ++stats_.events;
  }
  void MaybeRollover();
  bool Available(uint32_t d);
  bool OwnLimitReached(uint32_t d, int64_t input_tokens);
  bool Serves(const RequestMachine& r, uint32_t d) const;
  void SetState(uint32_t d, ledger::DeploymentState to, int64_t until_micros, std::string reason);
  void Recover(uint32_t d, ledger::RecoveryConfirmation how);
  void RecordFailure(uint32_t d);
  void MarkRateLimited(uint32_t d, int64_t retry_after_ms);
  void ArmTimer(TimerKind kind, uint32_t d, int64_t fire_at_micros, std::string request_id);
  // Every deployment's deadline and probe timer from its state (at start and
  // after a config change).
  void ArmDeploymentTimers();
  void CheckAlerts(const AttemptScopes& scopes);
  void FireExhausted(uint32_t s);
  void FireAlert(uint32_t s, size_t rule);
  void StopScope(uint32_t s);
  void Notify(const char* subject, std::string text);
  std::string ScopeText(uint32_t s) const;

  const Deployment& dep(uint32_t d) const { return config_->deployments[d]; }

  // Config durations with floors: a zero or negative value from a loader must
  // not turn into a probe loop or a request that cannot live.
  static constexpr int64_t kProbeIntervalMsMin = 1'000;
  static constexpr int64_t kRequestTimeoutMsDefault = 600'000;
  int64_t ProbeIntervalMicros() const {
    return std::max(config_->health.interval_ms, kProbeIntervalMsMin) * 1000;
  }
  int64_t RequestTimeoutMicros() const {
    const int64_t ms = config_->request_timeout_ms;
    return (ms > 0 ? ms : kRequestTimeoutMsDefault) * 1000;
  }

  std::shared_ptr<const CoreIndex> index_;
  const Config* config_ = nullptr;
  ledger::Projection projection_;
  Rng rng_;
  BudgetGuard guard_;
  KeyGuard keys_;
  std::vector<DeploymentRuntime> runtime_;
  std::unordered_map<std::string, RequestMachine> requests_;
  std::unordered_map<uint64_t, TimerTarget> timers_;
  uint64_t next_timer_id_ = 1;
  CoreStats stats_;
  std::vector<uint32_t> candidates_;  // scratch for PickInGroup

  int64_t period_start_micros_ = 0;  // of guard_.period(); [start, end)
  int64_t period_end_micros_ = 0;
  int64_t now_ = 0;         // of the current call
  Actions* out_ = nullptr;  // of the current call
};

}  // namespace ukairo::router
