#include "ledger/event_json.h"

#include <nlohmann/json.hpp>

#include "ledger/period.h"

namespace ukairo::ledger {
namespace {

using Json = nlohmann::ordered_json;

void Money(Json& j, const char* name, NanoUsd nanos) {
  j[std::string(name) + "_nanos"] = nanos;
  j[std::string(name) + "_usd"] = FormatNanosAsUsd(nanos);
}

template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};

Json Body(const EventBody& body) {
  Json j;
  std::visit(
      Overloaded{
          [&](const RequestAccepted& e) {
            j = {{"request_id", e.request_id}, {"tag", e.tag}, {"tier", e.tier},
                 {"requested_model", e.requested_model}, {"client_key_id", e.client_key_id},
                 {"estimated_input_tokens", e.estimated_input_tokens},
                 {"max_output_tokens", e.max_output_tokens}, {"stream", e.stream}};
          },
          [&](const AttemptStarted& e) {
            j = {{"request_id", e.request_id}, {"attempt", e.attempt},
                 {"try_on_deployment", e.try_on_deployment}, {"deployment", e.deployment},
                 {"model_group", e.model_group}, {"tag", e.tag}, {"tier", e.tier}};
            Money(j, "reserved", e.reserved_nanos);
          },
          [&](const AttemptFinished& e) {
            j = {{"request_id", e.request_id}, {"attempt", e.attempt},
                 {"deployment", e.deployment}, {"model_group", e.model_group}, {"tag", e.tag},
                 {"tier", e.tier}, {"outcome", OutcomeName(e.outcome)},
                 {"http_status", e.http_status}, {"latency_micros", e.latency_micros},
                 {"input_tokens", e.input_tokens}, {"output_tokens", e.output_tokens},
                 {"cached_tokens", e.cached_tokens}};
            Money(j, "cost", e.cost_nanos);
            j["retry_after_ms"] = e.retry_after_ms;
            j["error"] = e.error;
          },
          [&](const RetryScheduled& e) {
            j = {{"request_id", e.request_id}, {"attempt", e.attempt},
                 {"deployment", e.deployment}, {"backoff_ms", e.backoff_ms},
                 {"cause", OutcomeName(e.cause)}};
          },
          [&](const FallbackTaken& e) {
            j = {{"request_id", e.request_id}, {"tag", e.tag}, {"tier", e.tier},
                 {"from_deployment", e.from_deployment}, {"from_model_group", e.from_model_group},
                 {"to_deployment", e.to_deployment}, {"to_model_group", e.to_model_group},
                 {"reason", FallbackReasonName(e.reason)}};
            if (e.reason == FallbackReason::kBudget) {
              j["budget_scope_kind"] = ScopeKindName(e.budget_scope_kind);
              j["budget_scope_key"] = e.budget_scope_key;
              j["budget_scope_stopped"] = e.budget_scope_stopped;
              Money(j, "budget_used", e.budget_used_nanos);
              Money(j, "budget_limit", e.budget_limit_nanos);
              Money(j, "reserve", e.reserve_nanos);
            }
          },
          [&](const RequestCompleted& e) {
            j = {{"request_id", e.request_id}, {"tag", e.tag}, {"tier", e.tier},
                 {"final_deployment", e.final_deployment},
                 {"final_model_group", e.final_model_group}, {"http_status", e.http_status},
                 {"error_code", e.error_code}};
            Money(j, "total_cost", e.total_cost_nanos);
            j["attempts"] = e.attempts;
            j["fallbacks"] = e.fallbacks;
            j["latency_micros"] = e.latency_micros;
            j["last_resort"] = e.last_resort;
          },
          [&](const BudgetAlert& e) {
            j = {{"scope_kind", ScopeKindName(e.scope_kind)}, {"scope_key", e.scope_key},
                 {"threshold_pct", e.threshold_pct}, {"action", AlertActionName(e.action)}};
            Money(j, "spent", e.spent_nanos);
            Money(j, "limit", e.limit_nanos);
            j["period"] = e.period;
          },
          [&](const BudgetStopped& e) {
            j = {{"scope_kind", ScopeKindName(e.scope_kind)}, {"scope_key", e.scope_key}};
            Money(j, "spent", e.spent_nanos);
            Money(j, "limit", e.limit_nanos);
            j["period"] = e.period;
          },
          [&](const GateDecision& e) {
            j = {{"scope_kind", ScopeKindName(e.scope_kind)}, {"scope_key", e.scope_key},
                 {"period", e.period}, {"choice", GateChoiceName(e.choice)}, {"model", e.model}};
            Money(j, "new_limit", e.new_limit_nanos);
            j["actor"] = e.actor;
            j["note"] = e.note;
          },
          [&](const HealthProbe& e) {
            j = {{"deployment", e.deployment}, {"ok", e.ok}, {"latency_micros", e.latency_micros},
                 {"http_status", e.http_status}, {"error", e.error}};
          },
          [&](const DeploymentStateChanged& e) {
            j = {{"deployment", e.deployment}, {"from", DeploymentStateName(e.from)},
                 {"to", DeploymentStateName(e.to)}, {"reason", e.reason},
                 {"until_micros", e.until_micros}, {"actor", e.actor}};
          },
          [&](const Recovered& e) {
            j = {{"deployment", e.deployment}, {"down_since_micros", e.down_since_micros},
                 {"confirmed_by", RecoveryConfirmationName(e.confirmed_by)}};
          },
          [&](const ConfigApplied& e) {
            j = {{"sha256", e.sha256_hex}, {"source", e.source}, {"actor", e.actor},
                 {"text_bytes", e.text.size()}};
          },
          [&](const NotificationSent& e) {
            j = {{"channel", e.channel}, {"subject", e.subject}, {"http_status", e.http_status},
                 {"try_number", e.try_number}};
          },
          [&](const NotificationFailed& e) {
            j = {{"channel", e.channel}, {"subject", e.subject}, {"http_status", e.http_status},
                 {"try_number", e.try_number}, {"error", e.error}};
          },
          [&](const ReservationExpired& e) {
            j = {{"request_id", e.request_id}, {"attempt", e.attempt},
                 {"deployment", e.deployment}};
            Money(j, "reserved", e.reserved_nanos);
          },
      },
      body);
  return j;
}

}  // namespace

std::string EventToJson(const Event& event) {
  Json j;
  j["seq"] = event.seq;
  j["time_micros"] = event.time_micros;
  j["time"] = FormatIso8601(event.time_micros);
  j["kind"] = KindName(event.body);
  Json body = Body(event.body);  // named: items() must not outlive a temporary
  for (auto& [key, value] : body.items()) j[key] = value;
  return j.dump();
}

}  // namespace ukairo::ledger
