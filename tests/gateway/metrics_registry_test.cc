// The Prometheus text of MetricsRegistry and GatewayMetrics: exact decimal
// units, escaping, histogram layout, and the bound on label sets.
#include "router/gateway/metrics_registry.h"

#include <gtest/gtest.h>

#include "router/gateway/gateway_metrics.h"

namespace ukairo::gateway {
namespace {

bool Has(const std::string& text, const std::string& line) {
  return text.find(line + "\n") != std::string::npos;
}

TEST(MetricsRegistry, FormatsIntegersInBaseUnitsExactly) {
  EXPECT_EQ(FormatScaledInteger(0, 9), "0");
  EXPECT_EQ(FormatScaledInteger(1'040'000, 9), "0.00104");
  EXPECT_EQ(FormatScaledInteger(12'000'000'000, 9), "12");
  EXPECT_EQ(FormatScaledInteger(1, 9), "0.000000001");
  EXPECT_EQ(FormatScaledInteger(-3'500'000, 6), "-3.5");
  EXPECT_EQ(FormatScaledInteger(INT64_MIN, 9), "-9223372036.854775808");
  EXPECT_EQ(EscapeLabelValue("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
}

TEST(MetricsRegistry, RendersCountersGaugesAndHistograms) {
  MetricsRegistry r;
  size_t cost = r.Declare({"x_cost_usd_total", "Cost", MetricType::kCounter, MetricUnit::kNanoUsd,
                           {"model_group"}});
  size_t depth = r.Declare({"x_depth", "Depth", MetricType::kGauge, MetricUnit::kCount, {}});
  size_t lat = r.Declare({"x_latency_seconds", "Latency", MetricType::kHistogram,
                          MetricUnit::kMicros, {"deployment"}});
  r.Add(cost, {"premium"}, 1'040'000);
  r.Add(cost, {"premium"}, 1'040'000);
  r.Add(cost, {"we\"ird"}, 3);
  r.Set(depth, {}, 7);
  r.Observe(lat, {"d1"}, 4'000);       // <= 5 ms
  r.Observe(lat, {"d1"}, 120'000);     // <= 250 ms
  r.Observe(lat, {"d1"}, 999'000'000); // past every bucket
  std::string text;
  r.Render(&text);
  EXPECT_TRUE(Has(text, "# HELP x_cost_usd_total Cost")) << text;
  EXPECT_TRUE(Has(text, "# TYPE x_cost_usd_total counter"));
  EXPECT_TRUE(Has(text, "x_cost_usd_total{model_group=\"premium\"} 0.00208"));
  EXPECT_TRUE(Has(text, "x_cost_usd_total{model_group=\"we\\\"ird\"} 0.000000003"));
  EXPECT_TRUE(Has(text, "# TYPE x_depth gauge"));
  EXPECT_TRUE(Has(text, "x_depth 7"));
  EXPECT_TRUE(Has(text, "# TYPE x_latency_seconds histogram"));
  EXPECT_TRUE(Has(text, "x_latency_seconds_bucket{deployment=\"d1\",le=\"0.005\"} 1"));
  EXPECT_TRUE(Has(text, "x_latency_seconds_bucket{deployment=\"d1\",le=\"0.1\"} 1"));
  EXPECT_TRUE(Has(text, "x_latency_seconds_bucket{deployment=\"d1\",le=\"0.25\"} 2"));
  EXPECT_TRUE(Has(text, "x_latency_seconds_bucket{deployment=\"d1\",le=\"120\"} 2"));
  EXPECT_TRUE(Has(text, "x_latency_seconds_bucket{deployment=\"d1\",le=\"+Inf\"} 3"));
  EXPECT_TRUE(Has(text, "x_latency_seconds_sum{deployment=\"d1\"} 999.124"));
  EXPECT_TRUE(Has(text, "x_latency_seconds_count{deployment=\"d1\"} 3"));
  EXPECT_TRUE(Has(text, "ukairo_metrics_series_dropped_total{family=\"x_cost_usd_total\"} 0"));
}

TEST(MetricsRegistry, BoundsLabelSetsPerFamilyAndCountsTheDropped) {
  MetricsRegistry r(/*series_per_family_max=*/3);
  size_t tags = r.Declare({"x_requests_total", "Requests", MetricType::kCounter,
                           MetricUnit::kCount, {"tag"}});
  for (int i = 0; i < 10; ++i) r.Add(tags, {"tag" + std::to_string(i)}, 1);
  r.Add(tags, {"tag0"}, 1);  // an existing set still counts
  EXPECT_EQ(r.Dropped(tags), 7u);
  std::string text;
  r.Render(&text);
  EXPECT_TRUE(Has(text, "x_requests_total{tag=\"tag0\"} 2"));
  EXPECT_TRUE(Has(text, "x_requests_total{tag=\"tag2\"} 1"));
  EXPECT_EQ(text.find("tag3"), std::string::npos);
  EXPECT_TRUE(Has(text, "ukairo_metrics_series_dropped_total{family=\"x_requests_total\"} 7"));
  // A long label value is cut, so a client cannot grow memory through one.
  MetricsRegistry one(1);
  size_t f = one.Declare({"y_total", "Y", MetricType::kCounter, MetricUnit::kCount, {"tag"}});
  one.Add(f, {std::string(10'000, 'x')}, 1);
  one.Add(f, {std::string(20'000, 'x')}, 1);  // the same after cutting
  std::string y;
  one.Render(&y);
  EXPECT_TRUE(Has(y, "y_total{tag=\"" + std::string(MetricsRegistry::kLabelValueBytesMax, 'x') +
                         "\"} 2"));
  EXPECT_EQ(one.Dropped(f), 0u);
}

TEST(GatewayMetrics, CountsAppendedEvents) {
  GatewayMetrics m;
  std::vector<ledger::Event> events(5);
  ledger::AttemptFinished a;
  a.deployment = "premium-1";
  a.model_group = "premium";
  a.tag = "Spec";
  a.tier = "T1";
  a.outcome = ledger::Outcome::kRateLimited;
  a.latency_micros = 2'000;
  events[0].body = a;
  a.outcome = ledger::Outcome::kOk;
  a.deployment = "backup-1";
  a.model_group = "backup";
  a.input_tokens = 4;
  a.output_tokens = 100;
  a.cost_nanos = 1'004'000;
  events[1].body = a;
  ledger::FallbackTaken fb;
  fb.from_model_group = "premium";
  fb.to_model_group = "backup";
  fb.reason = ledger::FallbackReason::kRateLimit;
  events[2].body = fb;
  ledger::RequestCompleted done;
  done.tag = "Spec";
  done.tier = "T1";
  done.final_model_group = "backup";
  done.http_status = 200;
  done.latency_micros = 30'000;
  events[3].body = done;
  ledger::BudgetAlert alert;
  alert.scope_kind = ledger::ScopeKind::kTag;
  alert.scope_key = "Spec";
  alert.threshold_pct = 80;
  events[4].body = alert;
  m.CountAppended(events);
  std::string text;
  m.Render(&text);
  EXPECT_TRUE(Has(text, "ukairo_attempts_total{deployment=\"premium-1\",model_group=\"premium\","
                        "outcome=\"rate_limited\"} 1"))
      << text;
  EXPECT_TRUE(Has(text, "ukairo_fallbacks_total{from_group=\"premium\",to_group=\"backup\","
                        "reason=\"rate_limit\"} 1"));
  EXPECT_TRUE(Has(text, "ukairo_requests_total{tag=\"Spec\",tier=\"T1\",model_group=\"backup\","
                        "status=\"200\"} 1"));
  EXPECT_TRUE(Has(text, "ukairo_cost_usd_total{model_group=\"backup\",tag=\"Spec\",tier=\"T1\"} "
                        "0.001004"));
  EXPECT_TRUE(Has(text, "ukairo_tokens_total{model_group=\"backup\",kind=\"output\"} 100"));
  EXPECT_TRUE(Has(text, "ukairo_budget_alerts_total{scope=\"tag\",key=\"Spec\","
                        "threshold_pct=\"80\"} 1"));
  EXPECT_TRUE(Has(text, "ukairo_request_duration_seconds_sum{model_group=\"backup\"} 0.03"));
}

}  // namespace
}  // namespace ukairo::gateway
