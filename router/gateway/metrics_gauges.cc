// The budget and deployment gauges of /metrics, read from the core's
// projection: the same nano-USD integers the ledger folds to, printed as
// exact USD text.
#include <set>
#include <string>

#include "router/gateway/gateway_metrics.h"

namespace ukairo::gateway {
namespace {

constexpr ledger::DeploymentState kAllStates[] = {
    ledger::DeploymentState::kHealthy,       ledger::DeploymentState::kRateLimited,
    ledger::DeploymentState::kCoolingDown,   ledger::DeploymentState::kDown,
    ledger::DeploymentState::kBudgetStopped, ledger::DeploymentState::kGated,
    ledger::DeploymentState::kMisconfigured};

void Header(const char* name, const char* help, std::string* out) {
  *out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " gauge\n";
}

}  // namespace

void RenderBudgetAndDeploymentGauges(const ledger::Projection& p, const router::Config& c,
                                     int32_t period, std::string* out) {
  struct Row {
    std::string labels;  // scope="...",key="...",period="..."
    NanoUsd limit, spent, reserved;
    ledger::ScopeId scope;
  };
  std::vector<Row> rows;
  for (const auto& b : c.budgets) {
    ledger::ScopeId scope{b.kind, b.key};
    rows.push_back(Row{std::string("scope=\"") + ledger::ScopeKindName(b.kind) + "\",key=\"" +
                           EscapeLabelValue(b.key) + "\",period=\"" + std::to_string(period) +
                           "\"",
                       p.LimitOverride(scope, period).value_or(b.limit_nanos),
                       p.Spent(scope, period), p.Reserved(scope), scope});
  }
  auto family = [&](const char* name, const char* help, auto value) {
    Header(name, help, out);
    for (const Row& r : rows) {
      *out += std::string(name) + "{" + r.labels + "} " + FormatScaledInteger(value(r), 9) + "\n";
    }
  };
  family("ukairo_budget_limit_usd",
         "Budget limit of a scope in a period, in USD (a gate decision's raise included)",
         [](const Row& r) { return r.limit; });
  family("ukairo_budget_spent_usd", "Settled spend of a scope in a period, in USD",
         [](const Row& r) { return r.spent; });
  family("ukairo_budget_reserved_usd",
         "Worst-case cost held for attempts in flight in a scope, in USD",
         [](const Row& r) { return r.reserved; });
  Header("ukairo_budget_alert_fired",
         "1 when the alert threshold (percent) of a scope fired in the period, else 0", out);
  std::set<uint32_t> thresholds_pct;  // one series per threshold, however many rules name it
  for (const auto& a : c.alerts) thresholds_pct.insert(a.threshold_pct);
  for (const Row& r : rows) {
    for (uint32_t pct : thresholds_pct) {
      *out += "ukairo_budget_alert_fired{" + r.labels + ",threshold_pct=\"" +
              std::to_string(pct) + "\"} " + (p.AlertFired(r.scope, period, pct) ? "1" : "0") +
              "\n";
    }
  }
  Header("ukairo_deployment_state",
         "1 for the state a deployment is in, 0 for the others (one series per state)", out);
  for (const auto& d : c.deployments) {
    const ledger::DeploymentState now = p.Deployment(d.id).state;
    for (ledger::DeploymentState s : kAllStates) {
      *out += "ukairo_deployment_state{deployment=\"" + EscapeLabelValue(d.id) +
              "\",model_group=\"" + EscapeLabelValue(d.model_group) + "\",state=\"" +
              ledger::DeploymentStateName(s) + "\"} " + (s == now ? "1" : "0") + "\n";
    }
  }
}

}  // namespace ukairo::gateway
