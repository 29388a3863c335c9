// GatewayMetrics: the labelled families, counted from appended events.
#include "router/gateway/gateway_metrics.h"

#include <string>

namespace ukairo::gateway {
namespace {

// An empty label value reads in PromQL like a missing label; name it.
std::string OrNone(const std::string& s) { return s.empty() ? "none" : s; }

MetricFamilySpec Spec(std::string name, std::string help, MetricType type, MetricUnit unit,
                      std::vector<std::string> labels) {
  return MetricFamilySpec{std::move(name), std::move(help), type, unit, std::move(labels)};
}

}  // namespace

GatewayMetrics::GatewayMetrics(size_t series_per_family_max)
    : registry_(series_per_family_max) {
  using T = MetricType;
  using U = MetricUnit;
  requests_ = registry_.Declare(Spec("ukairo_requests_total",
                                     "Requests answered, by tag, tier, the model group that "
                                     "served them (none: no model did) and HTTP status",
                                     T::kCounter, U::kCount,
                                     {"tag", "tier", "model_group", "status"}));
  attempts_ = registry_.Declare(Spec("ukairo_attempts_total",
                                     "Upstream attempts finished, by deployment and outcome",
                                     T::kCounter, U::kCount,
                                     {"deployment", "model_group", "outcome"}));
  retries_ = registry_.Declare(Spec("ukairo_retries_total",
                                    "Retries scheduled on the same deployment after back-off, "
                                    "by the outcome that caused them",
                                    T::kCounter, U::kCount, {"deployment", "cause"}));
  fallbacks_ = registry_.Declare(Spec("ukairo_fallbacks_total",
                                      "Fallbacks along a chain, by the model group left (none: "
                                      "skipped before any attempt), the one taken (none: "
                                      "nothing was left) and the reason",
                                      T::kCounter, U::kCount, {"from_group", "to_group", "reason"}));
  cost_ = registry_.Declare(Spec("ukairo_cost_usd_total",
                                 "Settled cost of attempts in USD, from the ledger's nano-USD",
                                 T::kCounter, U::kNanoUsd, {"model_group", "tag", "tier"}));
  tokens_ = registry_.Declare(Spec("ukairo_tokens_total",
                                   "Tokens reported by providers, by kind (input, output; "
                                   "cached when the provider reports it)",
                                   T::kCounter, U::kCount, {"model_group", "kind"}));
  alerts_ = registry_.Declare(Spec("ukairo_budget_alerts_total",
                                   "Budget alert thresholds fired, by scope and percent",
                                   T::kCounter, U::kCount, {"scope", "key", "threshold_pct"}));
  stops_ = registry_.Declare(Spec("ukairo_budget_stops_total", "Budget scopes stopped at 100 %",
                                  T::kCounter, U::kCount, {"scope", "key"}));
  recoveries_ = registry_.Declare(Spec("ukairo_deployment_recoveries_total",
                                       "Deployments back to healthy, by what confirmed it",
                                       T::kCounter, U::kCount, {"deployment", "confirmed_by"}));
  request_seconds_ = registry_.Declare(Spec("ukairo_request_duration_seconds",
                                            "Time from acceptance to answer, by the model group "
                                            "that served the request",
                                            T::kHistogram, U::kMicros, {"model_group"}));
  upstream_seconds_ = registry_.Declare(Spec("ukairo_upstream_duration_seconds",
                                             "Time of one upstream attempt, by deployment",
                                             T::kHistogram, U::kMicros, {"deployment"}));
  first_token_seconds_ = registry_.Declare(Spec("ukairo_time_to_first_token_seconds",
                                                "Streamed requests: time from acceptance to the "
                                                "first piece of the answer",
                                                T::kHistogram, U::kMicros, {"model_group"}));
}

void GatewayMetrics::CountAppended(const std::vector<ledger::Event>& events) {
  for (const ledger::Event& e : events) ledger::Dispatch(e, *this);
}

void GatewayMetrics::ObserveFirstToken(const std::string& model_group, int64_t micros) {
  registry_.Observe(first_token_seconds_, {model_group}, micros);
}

void GatewayMetrics::OnRequestCompleted(const ledger::Event&, const ledger::RequestCompleted& r) {
  const std::string group = OrNone(r.final_model_group);
  registry_.Add(requests_, {r.tag, r.tier, group, std::to_string(r.http_status)}, 1);
  registry_.Observe(request_seconds_, {group}, r.latency_micros);
}

void GatewayMetrics::OnAttemptFinished(const ledger::Event&, const ledger::AttemptFinished& a) {
  registry_.Add(attempts_, {a.deployment, a.model_group, ledger::OutcomeName(a.outcome)}, 1);
  registry_.Add(cost_, {a.model_group, a.tag, a.tier}, a.cost_nanos);
  registry_.Observe(upstream_seconds_, {a.deployment}, a.latency_micros);
  if (a.input_tokens > 0) registry_.Add(tokens_, {a.model_group, "input"}, a.input_tokens);
  if (a.output_tokens > 0) registry_.Add(tokens_, {a.model_group, "output"}, a.output_tokens);
  if (a.cached_tokens > 0) registry_.Add(tokens_, {a.model_group, "cached"}, a.cached_tokens);
}

void GatewayMetrics::OnRetryScheduled(const ledger::Event&, const ledger::RetryScheduled& r) {
  registry_.Add(retries_, {r.deployment, ledger::OutcomeName(r.cause)}, 1);
}

void GatewayMetrics::OnFallbackTaken(const ledger::Event&, const ledger::FallbackTaken& f) {
  registry_.Add(fallbacks_,
                {OrNone(f.from_model_group), OrNone(f.to_model_group),
                 ledger::FallbackReasonName(f.reason)},
                1);
}

void GatewayMetrics::OnBudgetAlert(const ledger::Event&, const ledger::BudgetAlert& a) {
  registry_.Add(alerts_,
                {ledger::ScopeKindName(a.scope_kind), a.scope_key, std::to_string(a.threshold_pct)},
                1);
}

void GatewayMetrics::OnBudgetStopped(const ledger::Event&, const ledger::BudgetStopped& s) {
  registry_.Add(stops_, {ledger::ScopeKindName(s.scope_kind), s.scope_key}, 1);
}

void GatewayMetrics::OnRecovered(const ledger::Event&, const ledger::Recovered& r) {
  registry_.Add(recoveries_,
                {r.deployment, ledger::RecoveryConfirmationName(r.confirmed_by)}, 1);
}

}  // namespace ukairo::gateway
