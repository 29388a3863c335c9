#include "ledger/event.h"

namespace ukairo::ledger {

const char* KindName(const EventBody& body) { return kEventKindNames[body.index()]; }

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
    case FallbackReason::kUnsupported: return "unsupported";
  }
  return "unknown";
}

const char* ScopeKindName(ScopeKind k) {
  switch (k) {
    case ScopeKind::kModel: return "model";
    case ScopeKind::kTag: return "tag";
    case ScopeKind::kTier: return "tier";
    case ScopeKind::kGlobal: return "global";
    case ScopeKind::kKey: return "key";
    case ScopeKind::kTeam: return "team";
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
  switch (e.body.index()) {
#define UKAIRO_EVENT_KIND_DISPATCH_(Type, ...)  \
  case EventKindIndex<Type>():                 \
    h.On##Type(e, *std::get_if<Type>(&e.body)); \
    return;
    UKAIRO_EVENT_KINDS(UKAIRO_EVENT_KIND_DISPATCH_)
#undef UKAIRO_EVENT_KIND_DISPATCH_
  }
}

}  // namespace ukairo::ledger
