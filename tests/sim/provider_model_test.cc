// Goal: simulated providers are deterministic under a seed and apply the
// scenario exactly: outages, context windows, rate-limited windows, rpm and
// tpm with Retry-After, failure ratios, log-normal latency quantiles and
// latency tables fitted from a recording. Method: a
// hand-built two-deployment config and a scenario parsed from YAML text.
#include "sim/provider_model.h"

#include <algorithm>

#include "ledger/period.h"
#include "sim/replay_latency.h"
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

// tpm: a sliding 60 s window of the tokens (input + output) of admitted
// calls; a call that would overflow it gets 429 with Retry-After until enough
// of them age out, and is admitted exactly then.
TEST(ProviderModel, TpmSlidingWindowWithRetryAfter) {
  auto s = Scenario::Parse(R"(
defaults:
  failure: "0"
deployments:
  opus-1: {tpm: 1000}
)",
                           "t.yaml", kStart);
  ASSERT_OK(s);
  ASSERT_EQ(s->deployments[0].tpm, 1000);
  auto m = ProviderModel::Make(*s, TwoDeployments(), 1);
  ASSERT_OK(m);
  const int64_t second = 1'000'000;
  // 400 + 400 tokens admitted at 0 s and 10 s.
  EXPECT_EQ(m->Call(0, kStart, 300, 100, 600'000).outcome, Outcome::kOk);
  EXPECT_EQ(m->Call(0, kStart + 10 * second, 300, 100, 600'000).outcome, Outcome::kOk);
  // 200 more fit exactly (1000); one more token does not.
  EXPECT_EQ(m->Call(0, kStart + 20 * second, 150, 50, 600'000).outcome, Outcome::kOk);
  auto over = m->Call(0, kStart + 30 * second, 1, 0, 600'000);
  EXPECT_EQ(over.outcome, Outcome::kRateLimited);
  EXPECT_EQ(over.http_status, 429u);
  EXPECT_EQ(over.retry_after_ms, 30'000);  // the 0 s call ages out at 60 s
  // 700 tokens need both the 0 s and the 10 s calls gone: Retry-After 40 s.
  auto big = m->Call(0, kStart + 30 * second, 600, 100, 600'000);
  EXPECT_EQ(big.outcome, Outcome::kRateLimited);
  EXPECT_EQ(big.retry_after_ms, 40'000);
  // Honouring a Retry-After works: at 70 s only the 20 s call (200) is left.
  EXPECT_EQ(m->Call(0, kStart + 70 * second, 600, 100, 600'000).outcome, Outcome::kOk);
  // Rejected calls took nothing: 200 + 700 = 900 in the window, 100 more fit.
  EXPECT_EQ(m->Call(0, kStart + 71 * second, 100, 0, 600'000).outcome, Outcome::kOk);
  EXPECT_EQ(m->Call(0, kStart + 72 * second, 1, 0, 600'000).outcome, Outcome::kRateLimited);
  // A call larger than tpm alone waits for an empty window, then goes.
  auto huge = m->Call(0, kStart + 75 * second, 900, 900, 600'000);
  EXPECT_EQ(huge.outcome, Outcome::kRateLimited);
  EXPECT_EQ(huge.retry_after_ms, 71'000 - 75'000 + 60'000);
  EXPECT_EQ(m->Call(0, kStart + 131 * second, 900, 900, 600'000).outcome, Outcome::kOk);
  // The other deployment has no tpm.
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ(m->Call(1, kStart + 131 * second, 5000, 5000, 600'000).outcome, Outcome::kOk);
  }
  // Deterministic: the same calls on a fresh model give the same answers.
  auto n = ProviderModel::Make(*s, TwoDeployments(), 1);
  ASSERT_OK(n);
  EXPECT_EQ(n->Call(0, kStart, 300, 100, 600'000).outcome, Outcome::kOk);
  EXPECT_EQ(n->Call(0, kStart + 1, 600, 100, 600'000).retry_after_ms, 60'000);
}

// rpm and tpm together: a call rejected by tpm does not use up the minute's
// rpm, and bad values are rejected by the parser.
TEST(ProviderModel, TpmWithRpmAndParsing) {
  auto s = Scenario::Parse("defaults:\n  failure: \"0\"\n  rpm: 2\n  tpm: 100\n", "t.yaml", kStart);
  ASSERT_OK(s);
  auto m = ProviderModel::Make(*s, TwoDeployments(), 1);
  ASSERT_OK(m);
  EXPECT_EQ(m->Call(1, kStart, 90, 0, 600'000).outcome, Outcome::kOk);
  auto t = m->Call(1, kStart + 1, 20, 0, 600'000);
  EXPECT_EQ(t.outcome, Outcome::kRateLimited);
  EXPECT_STREQ(t.error, "rate limit exceeded (tpm)");
  EXPECT_EQ(m->Call(1, kStart + 2, 10, 0, 600'000).outcome, Outcome::kOk);  // 2nd of rpm 2
  auto r = m->Call(1, kStart + 3, 0, 0, 600'000);
  EXPECT_STREQ(r.error, "rate limit exceeded (rpm)");
  EXPECT_FALSE(Scenario::Parse("defaults:\n  tpm: -1\n", "t.yaml", kStart).ok());
  EXPECT_FALSE(Scenario::Parse("defaults:\n  tpm: lots\n", "t.yaml", kStart).ok());
}

// A fitted table replaces the scenario's log-normal for the deployments it
// holds, unless the scenario names the deployment (or its group) with a
// latency; draws stay inside the recorded range.
TEST(ProviderModel, FittedLatencyTableUnlessTheScenarioNamesTheDeployment) {
  std::vector<int64_t> recorded;
  for (int64_t ms = 2000; ms <= 4000; ++ms) recorded.push_back(ms * 1000);  // uniform 2..4 s
  FittedLatencies fitted;
  fitted["opus-1"] = {QuantileTable(recorded), recorded.size()};
  fitted["flash-1"] = {QuantileTable(recorded), recorded.size()};
  EXPECT_GE(fitted["opus-1"].points_micros.front(), 2'000'000);
  EXPECT_LT(fitted["opus-1"].points_micros.front(), 2'002'000);
  EXPECT_LE(fitted["opus-1"].points_micros.back(), 4'000'000);
  EXPECT_GT(fitted["opus-1"].points_micros.back(), 3'998'000);
  EXPECT_EQ(fitted["opus-1"].points_micros[ProviderModel::kLatencyPoints / 2], 3'000'000);
  auto s = Scenario::Parse(kScenario, "t.yaml", kStart);  // names flash-1 with a latency
  ASSERT_OK(s);
  auto m = ProviderModel::Make(*s, TwoDeployments(), 5, &fitted);
  ASSERT_OK(m);
  std::vector<int64_t> opus, flash;
  for (int i = 0; i < 4000; ++i) {
    // Spread over hours so opus's rpm 3 does not bite.
    auto a = m->Call(0, kStart + 4 * 60 * kMinute + i * kMinute, 10, 5, 600'000);
    ASSERT_EQ(a.outcome, Outcome::kOk);
    opus.push_back(a.latency_micros);
    flash.push_back(m->Call(1, kStart + i, 10, 5, 600'000).latency_micros);
  }
  std::sort(opus.begin(), opus.end());
  std::sort(flash.begin(), flash.end());
  EXPECT_GE(opus.front(), 2'000'000);
  EXPECT_LE(opus.back(), 4'000'000);
  EXPECT_NEAR(opus[opus.size() / 2], 3'000'000, 60'000);
  EXPECT_NEAR(flash[flash.size() / 2], 200'000, 20'000);  // the scenario's, not the fit
  EXPECT_NE(m->Describe(TwoDeployments()).find("latency fitted from 2001 recorded"),
            std::string::npos);
  // A malformed table is an error, not a silent fallback.
  FittedLatencies bad;
  bad["opus-1"] = {{1, 2, 3}, 3};
  EXPECT_FALSE(ProviderModel::Make(*s, TwoDeployments(), 5, &bad).ok());
}

// The reservoir keeps at most kSamplesMax per deployment, deterministically.
TEST(LatencyFitter, BoundedDeterministicReservoir) {
  LatencyFitter a(3), b(3);
  for (int64_t i = 0; i < 100'000; ++i) {
    a.Add("d", 1000 + i);
    b.Add("d", 1000 + i);
  }
  a.Add("e", 7);
  FittedLatencies fa = a.Fit(), fb = b.Fit();
  ASSERT_EQ(fa.size(), 2u);
  EXPECT_EQ(fa["d"].samples, 100'000u);
  EXPECT_EQ(fa["d"].points_micros, fb["d"].points_micros);
  // A uniform 1000..100999: the sample's median is near the true one.
  EXPECT_NEAR(fa["d"].points_micros[ProviderModel::kLatencyPoints / 2], 51'000, 2'500);
  EXPECT_EQ(fa["e"].points_micros.front(), 7);
  EXPECT_EQ(fa["e"].points_micros.back(), 7);
}

}  // namespace
}  // namespace ukairo::sim
