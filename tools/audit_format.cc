#include "tools/audit_format.h"

#include "ledger/money.h"

namespace ukairo::tools {
namespace {

using namespace ukairo::ledger;

template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};

std::string Usd(NanoUsd nanos) { return "$" + FormatNanosAsUsd(nanos); }
std::string Ms(int64_t micros) { return std::to_string(micros / 1000) + " ms"; }
std::string Scope(ScopeKind kind, const std::string& key) {
  return std::string(ScopeKindName(kind)) + (key.empty() ? "" : ":" + key);
}

}  // namespace

std::string DescribeEvent(const Event& event) {
  return std::visit(
      Overloaded{
          [](const RequestAccepted& e) {
            return "accepted: tag " + e.tag + " → tier " + e.tier +
                   (e.requested_model.empty() ? "" : ", asked for " + e.requested_model) +
                   ", ~" + std::to_string(e.estimated_input_tokens) + " tokens in, max " +
                   std::to_string(e.max_output_tokens) + " out";
          },
          [](const AttemptStarted& e) {
            return "attempt " + std::to_string(e.attempt) + " → " + e.deployment + " (" +
                   e.model_group + (e.try_on_deployment > 1
                                        ? ", retry " + std::to_string(e.try_on_deployment - 1)
                                        : "") +
                   "), reserved " + Usd(e.reserved_nanos);
          },
          [](const AttemptFinished& e) {
            std::string s = "attempt " + std::to_string(e.attempt) + " on " + e.deployment +
                            ": " + OutcomeName(e.outcome);
            if (e.http_status) s += " (" + std::to_string(e.http_status) + ")";
            s += " in " + Ms(e.latency_micros) + ", " + std::to_string(e.input_tokens) + "/" +
                 std::to_string(e.output_tokens) + " tokens, cost " + Usd(e.cost_nanos);
            if (e.retry_after_ms >= 0) s += ", Retry-After " + std::to_string(e.retry_after_ms) + " ms";
            if (!e.error.empty()) s += ", error: " + e.error.substr(0, 80);
            return s;
          },
          [](const RetryScheduled& e) {
            return "retry of attempt " + std::to_string(e.attempt) + " on " + e.deployment +
                   " in " + std::to_string(e.backoff_ms) + " ms (" + OutcomeName(e.cause) + ")";
          },
          [](const FallbackTaken& e) {
            std::string why = FallbackReasonName(e.reason);
            const bool scoped = e.reason == FallbackReason::kBudget &&
                                (!e.budget_scope_key.empty() ||
                                 e.budget_scope_kind == ScopeKind::kGlobal) &&
                                (e.budget_limit_nanos > 0 || e.budget_scope_stopped);
            if (scoped) {
              why += ": " + Scope(e.budget_scope_kind, e.budget_scope_key) +
                     (e.budget_scope_stopped ? " stopped" : "") + ", " +
                     Usd(e.budget_used_nanos) + " of " + Usd(e.budget_limit_nanos) + " used";
              if (!e.budget_scope_stopped) why += ", needs " + Usd(e.reserve_nanos);
            }
            return "fallback (" + why + "): " +
                   (e.from_model_group.empty() ? "-" : e.from_model_group) + " → " +
                   (e.to_model_group.empty() ? "nothing left" : e.to_model_group);
          },
          [](const RequestCompleted& e) {
            std::string s = "completed " + std::to_string(e.http_status) + " by " +
                            (e.final_deployment.empty() ? "nobody" : e.final_deployment) + " after " +
                            std::to_string(e.attempts) + " attempts, " +
                            std::to_string(e.fallbacks) + " fallbacks, total " +
                            Usd(e.total_cost_nanos) + " in " + Ms(e.latency_micros);
            if (e.last_resort) s += " (last resort)";
            if (!e.error_code.empty()) s += ", error " + e.error_code;
            return s;
          },
          [](const BudgetAlert& e) {
            return "alert " + std::to_string(e.threshold_pct) + "% (" + AlertActionName(e.action) +
                   ") on " + Scope(e.scope_kind, e.scope_key) + ": " + Usd(e.spent_nanos) +
                   " of " + Usd(e.limit_nanos) + " in " + std::to_string(e.period);
          },
          [](const BudgetStopped& e) {
            return "stopped " + Scope(e.scope_kind, e.scope_key) + " at " + Usd(e.spent_nanos) +
                   " of " + Usd(e.limit_nanos) + " in " + std::to_string(e.period);
          },
          [](const GateDecision& e) {
            std::string s = "gate on " + Scope(e.scope_kind, e.scope_key) + ": " +
                            GateChoiceName(e.choice);
            if (e.choice == GateChoice::kContinueWithModel) s += " " + e.model;
            if (e.choice == GateChoice::kRaiseLimit) s += " to " + Usd(e.new_limit_nanos);
            return s + " by " + e.actor + (e.note.empty() ? "" : " (\"" + e.note + "\")");
          },
          [](const HealthProbe& e) {
            return "probe " + e.deployment + ": " + (e.ok ? "ok" : "failed") + " in " +
                   Ms(e.latency_micros) + (e.error.empty() ? "" : ", " + e.error.substr(0, 80));
          },
          [](const DeploymentStateChanged& e) {
            return e.deployment + ": " + DeploymentStateName(e.from) + " → " +
                   DeploymentStateName(e.to) + " (" + e.reason + ")" +
                   (e.actor.empty() ? "" : " by " + e.actor);
          },
          [](const Recovered& e) {
            return e.deployment + " recovered, confirmed by " +
                   RecoveryConfirmationName(e.confirmed_by);
          },
          [](const ConfigApplied& e) {
            return "config " + e.sha256_hex.substr(0, 12) + " applied from " + e.source +
                   (e.actor.empty() ? "" : " by " + e.actor);
          },
          [](const NotificationSent& e) {
            return "notified " + e.channel + ": " + e.subject;
          },
          [](const NotificationFailed& e) {
            return "notification failed " + e.channel + ": " + e.subject + " (" + e.error + ")";
          },
          [](const ReservationExpired& e) {
            return "reservation of attempt " + std::to_string(e.attempt) + " on " + e.deployment +
                   " expired (" + Usd(e.reserved_nanos) + ")";
          },
      },
      event.body);
}

std::string RequestIdOf(const Event& event) {
  return std::visit(
      [](const auto& body) -> std::string {
        if constexpr (requires { body.request_id; }) {
          return body.request_id;
        } else {
          return "";
        }
      },
      event.body);
}

}  // namespace ukairo::tools
