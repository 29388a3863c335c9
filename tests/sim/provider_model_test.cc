// Goal: simulated providers are deterministic under a seed and apply the
// scenario exactly: outages, context windows, rate-limited windows, rpm with
// Retry-After, failure ratios and log-normal latency quantiles. Method: a
// hand-built two-deployment config and a scenario parsed from YAML text.
#include "sim/provider_model.h"

#include <algorithm>

#include "ledger/period.h"
#include "sim/scenario.h"
#include "tests/util/test_util.h"

namespace ukairo::sim {
namespace {

using ledger::Outcome;

const int64_t kStart = MicrosFromCivil(2026, 11, 1);
constexpr int64_t kMinute = 60'000'000;

router::Config TwoDeployments() {
  router::Config c;
  router::Deployment opus;
  opus.id = "opus-1";
  opus.model_group = "claude-opus";
  opus.max_input_tokens = 1000;
  router::Deployment flash;
  flash.id = "flash-1";
  flash.model_group = "gemini-flash";
  c.deployments = {opus, flash};
  c.groups["claude-opus"] = {"claude-opus", {0}};
  c.groups["gemini-flash"] = {"gemini-flash", {1}};
  return c;
}

const char* kScenario = R"(
name: test
defaults:
  latency: {median_ms: 1000, p99_ms: 5000}
  failure: "1/10"
deployments:
  claude-opus:
    failure: "0"
    rpm: 3
    outages:
      - {start: 1h, end: 2h, status: 503}
    rate_limited:
      - {start: 3h, end: 3h30m}
  flash-1:
    latency: {median_ms: 200, p99_ms: 400}
)";

TEST(Scenario, ParsesOffsetsAndRejectsUnknownKeys) {
  EXPECT_EQ(*ParseOffsetMicros("3d09h30m", kStart), ((3 * 24 + 9) * 60 + 30) * kMinute);
  EXPECT_EQ(*ParseOffsetMicros("1500ms", kStart), 1'500'000);
  EXPECT_EQ(*ParseOffsetMicros("2026-11-02T00:00:00Z", kStart), 24 * 60 * kMinute);
  EXPECT_FALSE(ParseOffsetMicros("3x", kStart).ok());
  auto s = Scenario::Parse(kScenario, "t.yaml", kStart);
  ASSERT_OK(s);
  ASSERT_EQ(s->deployments.size(), 2u);
  EXPECT_EQ(s->deployments[0].outages[0].start_micros, kStart + 60 * kMinute);
  auto bad = Scenario::Parse("deployments:\n  x:\n    latncy: 1\n", "b.yaml", kStart);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("b.yaml:3: unknown key 'latncy'"), std::string::npos)
      << bad.status().ToString();
}

TEST(ProviderModel, UnknownDeploymentNameIsAnError) {
  auto s = Scenario::Parse("deployments:\n  nope: {rpm: 1}\n", "t.yaml", kStart);
  ASSERT_OK(s);
  EXPECT_FALSE(ProviderModel::Make(*s, TwoDeployments(), 1).ok());
}

TEST(ProviderModel, AppliesFaultsInOrder) {
  auto s = Scenario::Parse(kScenario, "t.yaml", kStart);
  ASSERT_OK(s);
  auto config = TwoDeployments();
  auto m = ProviderModel::Make(*s, config, 1);
  ASSERT_OK(m);
  // rpm 3: the 4th call in one minute is a 429 until the next minute.
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(m->Call(0, kStart + i, 10, 5, 600'000).outcome, Outcome::kOk);
  }
  auto limited = m->Call(0, kStart + 10 * 1'000'000, 10, 5, 600'000);
  EXPECT_EQ(limited.outcome, Outcome::kRateLimited);
  EXPECT_EQ(limited.http_status, 429u);
  EXPECT_EQ(limited.retry_after_ms, 50'000);
  EXPECT_EQ(m->Call(0, kStart + kMinute, 10, 5, 600'000).outcome, Outcome::kOk);
  // Context window of the config (1000 tokens).
  EXPECT_EQ(m->Call(0, kStart + 2 * kMinute, 1001, 5, 600'000).outcome, Outcome::kContextWindow);
  // Outage 1h..2h: 503, and the probe fails; after it, fine.
  auto down = m->Call(0, kStart + 90 * kMinute, 10, 5, 600'000);
  EXPECT_EQ(down.outcome, Outcome::kServerError);
  EXPECT_EQ(down.http_status, 503u);
  EXPECT_FALSE(m->Probe(0, kStart + 90 * kMinute).ok);
  EXPECT_TRUE(m->Probe(0, kStart + 120 * kMinute).ok);
  // Rate-limited window 3h..3h30m: Retry-After until its end.
  auto burst = m->Call(0, kStart + 200 * kMinute, 10, 5, 600'000);
  EXPECT_EQ(burst.outcome, Outcome::kRateLimited);
  EXPECT_EQ(burst.retry_after_ms, 10 * 60'000);
  // A latency beyond the timeout is a timeout at the timeout.
  auto slow = m->Call(1, kStart, 10, 5, 1);
  EXPECT_EQ(slow.outcome, Outcome::kTimeout);
  EXPECT_EQ(slow.latency_micros, 1000);
}

TEST(ProviderModel, DeterministicLatencyQuantilesAndFailureRatio) {
  auto s = Scenario::Parse(kScenario, "t.yaml", kStart);
  ASSERT_OK(s);
  auto config = TwoDeployments();
  auto a = ProviderModel::Make(*s, config, 99);
  auto b = ProviderModel::Make(*s, config, 99);
  ASSERT_OK(a);
  ASSERT_OK(b);
  std::vector<int64_t> latencies;
  int failures = 0;
  const int n = 20000;
  for (int i = 0; i < n; ++i) {
    auto x = a->Call(1, kStart + i * 1000, 10, 5, 600'000);
    auto y = b->Call(1, kStart + i * 1000, 10, 5, 600'000);
    ASSERT_EQ(x.outcome, y.outcome);
    ASSERT_EQ(x.latency_micros, y.latency_micros);
    latencies.push_back(x.latency_micros);
    failures += x.outcome == Outcome::kServerError;
  }
  std::sort(latencies.begin(), latencies.end());
  // flash-1: median 200 ms, p99 400 ms; failure 1/10 from the defaults.
  EXPECT_NEAR(latencies[n / 2], 200'000, 10'000);
  EXPECT_NEAR(latencies[n * 99 / 100], 400'000, 25'000);
  EXPECT_NEAR(failures, n / 10, n / 50);
}

}  // namespace
}  // namespace ukairo::sim
