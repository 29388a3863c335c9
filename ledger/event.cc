#include "ledger/event.h"

namespace ukairo::ledger {
namespace {

template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};

}  // namespace

const char* KindName(const EventBody& body) {
  static constexpr const char* kNames[] = {
      "request_accepted",  "attempt_started",  "attempt_finished",
      "retry_scheduled",   "fallback_taken",   "request_completed",
      "budget_alert",      "budget_stopped",   "gate_decision",
      "health_probe",      "deployment_state_changed", "recovered",
      "config_applied",    "notification_sent", "notification_failed",
      "reservation_expired"};
  static_assert(std::size(kNames) == std::variant_size_v<EventBody>);
  return kNames[body.index()];
}

const char* OutcomeName(Outcome o) {
  switch (o) {
    case Outcome::kOk: return "ok";
    case Outcome::kRateLimited: return "rate_limited";
    case Outcome::kServerError: return "server_error";
    case Outcome::kTimeout: return "timeout";
    case Outcome::kConnectionError: return "connection_error";
    case Outcome::kClientError: return "client_error";
    case Outcome::kContextWindow: return "context_window";
    case Outcome::kAuthError: return "auth_error";
  }
  return "unknown";
}

const char* FallbackReasonName(FallbackReason r) {
  switch (r) {
    case FallbackReason::kRateLimit: return "rate_limit";
    case FallbackReason::kFailure: return "failure";
    case FallbackReason::kBudget: return "budget";
    case FallbackReason::kCooldown: return "cooldown";
    case FallbackReason::kGate: return "gate";
    case FallbackReason::kContextWindow: return "context_window";
    case FallbackReason::kMisconfigured: return "misconfigured";
  }
  return "unknown";
}

const char* ScopeKindName(ScopeKind k) {
  switch (k) {
    case ScopeKind::kModel: return "model";
    case ScopeKind::kTag: return "tag";
    case ScopeKind::kTier: return "tier";
    case ScopeKind::kGlobal: return "global";
  }
  return "unknown";
}

const char* AlertActionName(AlertAction a) {
  switch (a) {
    case AlertAction::kNotify: return "notify";
    case AlertAction::kWarn: return "warn";
    case AlertAction::kStopAndFallback: return "stop_and_fallback";
  }
  return "unknown";
}

const char* GateChoiceName(GateChoice c) {
  switch (c) {
    case GateChoice::kContinueWithModel: return "continue_with_model";
    case GateChoice::kRaiseLimit: return "raise_limit";
    case GateChoice::kStop: return "stop";
  }
  return "unknown";
}

const char* DeploymentStateName(DeploymentState s) {
  switch (s) {
    case DeploymentState::kHealthy: return "healthy";
    case DeploymentState::kRateLimited: return "rate_limited";
    case DeploymentState::kCoolingDown: return "cooling_down";
    case DeploymentState::kDown: return "down";
    case DeploymentState::kBudgetStopped: return "budget_stopped";
    case DeploymentState::kGated: return "gated";
    case DeploymentState::kMisconfigured: return "misconfigured";
  }
  return "unknown";
}

const char* RecoveryConfirmationName(RecoveryConfirmation r) {
  switch (r) {
    case RecoveryConfirmation::kProbe: return "probe";
    case RecoveryConfirmation::kRequest: return "request";
    case RecoveryConfirmation::kDeadlinePassed: return "deadline_passed";
    case RecoveryConfirmation::kManual: return "manual";
    case RecoveryConfirmation::kGate: return "gate";
    case RecoveryConfirmation::kPeriodRollover: return "period_rollover";
  }
  return "unknown";
}

void Dispatch(const Event& e, EventHandler& h) {
  std::visit(
      Overloaded{
          [&](const RequestAccepted& b) { h.OnRequestAccepted(e, b); },
          [&](const AttemptStarted& b) { h.OnAttemptStarted(e, b); },
          [&](const AttemptFinished& b) { h.OnAttemptFinished(e, b); },
          [&](const RetryScheduled& b) { h.OnRetryScheduled(e, b); },
          [&](const FallbackTaken& b) { h.OnFallbackTaken(e, b); },
          [&](const RequestCompleted& b) { h.OnRequestCompleted(e, b); },
          [&](const BudgetAlert& b) { h.OnBudgetAlert(e, b); },
          [&](const BudgetStopped& b) { h.OnBudgetStopped(e, b); },
          [&](const GateDecision& b) { h.OnGateDecision(e, b); },
          [&](const HealthProbe& b) { h.OnHealthProbe(e, b); },
          [&](const DeploymentStateChanged& b) { h.OnDeploymentStateChanged(e, b); },
          [&](const Recovered& b) { h.OnRecovered(e, b); },
          [&](const ConfigApplied& b) { h.OnConfigApplied(e, b); },
          [&](const NotificationSent& b) { h.OnNotificationSent(e, b); },
          [&](const NotificationFailed& b) { h.OnNotificationFailed(e, b); },
          [&](const ReservationExpired& b) { h.OnReservationExpired(e, b); },
      },
      e.body);
}

}  // namespace ukairo::ledger
