// The gateway's labelled metrics. Counts come from the ledger events the
// gateway appends, counted once their append succeeded (the events are the
// truth, so /metrics agrees with the ledger); the time to first token, which
// no event records, comes from the core strand; the budget and deployment
// gauges are read from the core's projection when /metrics is served.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ledger/event.h"
#include "ledger/projection.h"
#include "router/core/config.h"
#include "router/gateway/metrics_registry.h"

namespace ukairo::gateway {

class GatewayMetrics : private ledger::EventHandler {
 public:
  explicit GatewayMetrics(size_t series_per_family_max = MetricsRegistry::kSeriesPerFamilyMaxDefault);

  // Events just appended to the ledger (the writer thread).
  void CountAppended(const std::vector<ledger::Event>& events);
  // A streamed request's first body piece, `micros` after it was accepted.
  void ObserveFirstToken(const std::string& model_group, int64_t micros);

  // Appends the labelled families.
  void Render(std::string* out) const { registry_.Render(out); }
  const MetricsRegistry& registry() const { return registry_; }

 private:
  void OnRequestCompleted(const ledger::Event&, const ledger::RequestCompleted&) override;
  void OnAttemptFinished(const ledger::Event&, const ledger::AttemptFinished&) override;
  void OnRetryScheduled(const ledger::Event&, const ledger::RetryScheduled&) override;
  void OnFallbackTaken(const ledger::Event&, const ledger::FallbackTaken&) override;
  void OnBudgetAlert(const ledger::Event&, const ledger::BudgetAlert&) override;
  void OnBudgetStopped(const ledger::Event&, const ledger::BudgetStopped&) override;
  void OnRecovered(const ledger::Event&, const ledger::Recovered&) override;

  MetricsRegistry registry_;
  size_t requests_, attempts_, retries_, fallbacks_, cost_, tokens_, alerts_, stops_,
      recoveries_, request_seconds_, upstream_seconds_, first_token_seconds_;
};

// The budget gauges of every configured scope in `period` (limit, spent,
// reserved, remaining; the alert thresholds fired) and one gauge per
// deployment and state, in the text format. Bounded by the config.
void RenderBudgetAndDeploymentGauges(const ledger::Projection& p, const router::Config& c,
                                     int32_t period, std::string* out);

}  // namespace ukairo::gateway
