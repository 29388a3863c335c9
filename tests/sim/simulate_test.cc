// Goal: a simulation through the real router core is deterministic (same
// seed → byte-identical summary JSON), gives known answers on a tiny config
// (a one-tier budget runs out → budget fallbacks, 80/90/100 % alerts in order,
// spend inside the limit), and its summary equals the fold of the ledger it
// wrote. Method: in-process runs over the shipped sample trace, one day.
#include <set>

#include "ledger/ledger.h"
#include "ledger/period.h"
#include "router/config/loader.h"
#include "sim/ledger_sink.h"
#include "sim/simulator.h"
#include "tests/util/test_util.h"

namespace ukairo::sim {
namespace {

using ukairo::testing::SourcePath;
using ukairo::testing::TempDir;

const int64_t kStart = MicrosFromCivil(2026, 11, 2);  // a Monday

struct Run {
  std::string json;
  SummaryBuilder summary;
  SimulationStats stats;
};

std::shared_ptr<const router::Config> LoadConfig(const std::string& text) {
  router::LoadOptions o;
  o.price_table_path = SourcePath("data/prices/model_prices.json");
  auto c = router::ParseConfig(text, "test.yaml", o);
  EXPECT_OK(c);
  return c.ok() ? *c : nullptr;
}

std::unique_ptr<Run> Simulate(std::shared_ptr<const router::Config> config,
                              const Scenario& scenario, uint64_t seed, int64_t days,
                              const std::string& tag_mix, EventSink* sink = nullptr) {
  auto run = std::make_unique<Run>();
  auto reader = TraceReader::Open(SourcePath("data/traces/azure_code_sample.csv"), {});
  EXPECT_OK(reader);
  StretchOptions so;
  so.start_micros = kStart;
  so.days = days;
  so.seed = DeriveSeed(seed, kSeedStreamTraffic);
  auto source = MakeStretchedSource(std::move(*reader), so);
  EXPECT_OK(source);
  auto tags = TagAssigner::Make("", tag_mix, DeriveSeed(seed, kSeedStreamTags));
  EXPECT_OK(tags);
  auto providers = ProviderModel::Make(scenario, *config, DeriveSeed(seed, kSeedStreamProviders));
  EXPECT_OK(providers);
  SimulationOptions opts;
  opts.seed = seed;
  opts.start_micros = kStart;
  auto stats = RunSimulation(config, *providers, **source, *tags, opts, run->summary, sink);
  EXPECT_OK(stats);
  run->stats = *stats;
  RunInfo info;
  info.seed = seed;
  info.start_micros = kStart;
  info.end_micros = kStart + days * 86'400'000'000LL;
  info.days = days;
  info.trace_records_read = (*source)->records_read();
  run->json = run->summary.ToJson(info);
  return run;
}

TEST(Simulate, SameSeedGivesByteIdenticalSummary) {
  auto config = router::LoadConfigFile(SourcePath("data/litellm_config.yaml"));
  ASSERT_OK(config);
  auto scenario = Scenario::Load(SourcePath("data/scenarios/fault_month.yaml"), kStart);
  ASSERT_OK(scenario);
  // A heavier fault load than the month's, so retries and fallbacks happen.
  scenario->defaults.failure = Ratio{1, 50};
  const std::string mix = "Spec=1,Design=1,Review=1,Build=5,Fix=1,Verify=1";
  auto a = Simulate(*config, *scenario, 7, 1, mix);
  auto b = Simulate(*config, *scenario, 7, 1, mix);
  auto c = Simulate(*config, *scenario, 8, 1, mix);
  EXPECT_GT(a->summary.requests_total(), 10000u);
  EXPECT_GT(a->summary.retries(), 0u);
  // ~2 % of requests retry after a 2 s backoff: the p99 of added latency shows it.
  EXPECT_GE(a->summary.LatencyAddedMsPercentile(99), 2000) << a->json;
  EXPECT_EQ(a->summary.LatencyAddedMsPercentile(50), 0);
  EXPECT_EQ(a->json, b->json);
  EXPECT_NE(a->json, c->json) << "a different seed changes the run";
  EXPECT_EQ(a->summary.requests_total(), a->stats.arrivals) << "every request completed";
}

const char* kTinyBudget = R"(
model_list:
  - model_name: gpt-5.2
    litellm_params: {model: openai/gpt-5.2}
    model_info: {id: gpt-5.2-1}
  - model_name: local
    litellm_params: {model: ollama/llama3, api_base: "http://127.0.0.1:11434"}
    model_info: {id: local-1}
ukairo:
  default_tag: Build
  default_max_output_tokens: 256   # small reservations, so spend can fill the limit
  tiers:
    - name: build
      tags: [Build]
      chain: [gpt-5.2, local]
  budgets:
    model: {gpt-5.2: 0.5}
  alerts:
    - {threshold_pct: 80, action: notify}
    - {threshold_pct: 90, action: warn}
    - {threshold_pct: 100, action: stop_and_fallback}
)";

TEST(Simulate, TinyBudgetFallsBackAndAlertsOnce) {
  auto config = LoadConfig(kTinyBudget);
  ASSERT_NE(config, nullptr);
  auto run = Simulate(config, Scenario::Healthy(), 3, 1, "Build=1");
  const SummaryBuilder& s = run->summary;
  EXPECT_EQ(s.requests_failed(), 0u) << run->json;
  ASSERT_EQ(s.served_by().size(), 2u) << run->json;
  EXPECT_EQ(s.served_by().at("gpt-5.2-1") + s.served_by().at("local-1"), s.requests_total());
  EXPECT_GT(s.served_by().at("local-1"), s.served_by().at("gpt-5.2-1"));
  ASSERT_TRUE(s.fallbacks_by_reason().count("budget")) << run->json;
  // Spend reaches the limit's last 10 % but never passes it (reservations).
  const NanoUsd limit = 500'000'000;
  NanoUsd spent = s.cost_by_model().at("gpt-5.2");
  EXPECT_LE(spent, limit);
  EXPECT_GE(spent, limit * 9 / 10);
  EXPECT_EQ(s.cost_total_nanos(), spent) << "local is free";
  // 80, 90, 100 % of the model scope, once each, in time order.
  std::vector<uint32_t> model_alerts;
  int64_t prev = 0;
  for (const auto& a : s.alerts()) {
    if (a.scope != "model") continue;
    EXPECT_EQ(a.key, "gpt-5.2");
    EXPECT_GE(a.time_micros, prev);
    prev = a.time_micros;
    model_alerts.push_back(a.threshold_pct);
  }
  EXPECT_EQ(model_alerts, (std::vector<uint32_t>{80, 90, 100})) << run->json;
  ASSERT_TRUE(s.budget_exhausted_at().count("model:gpt-5.2")) << run->json;
  EXPECT_EQ(s.budget_exhausted_at().at("model:gpt-5.2"), prev);
}

TEST(Simulate, SummaryEqualsFoldOfTheLedgerItWrote) {
  auto config = LoadConfig(kTinyBudget);
  ASSERT_NE(config, nullptr);
  TempDir dir;
  auto ledger = ledger::Ledger::Open(dir.Sub("ledger"), {});
  ASSERT_OK(ledger);
  LedgerSink sink(ledger->get());
  auto run = Simulate(config, Scenario::Healthy(), 3, 1, "Build=1", &sink);
  EXPECT_EQ((*ledger)->LastSeq(), run->summary.events());
  SummaryBuilder refold;
  auto it = (*ledger)->Scan({});
  for (it->SeekToFirst(); it->Valid(); it->Next()) refold.Add(it->event());
  ASSERT_OK(it->status());
  RunInfo info;
  EXPECT_EQ(refold.ToJson(info), run->summary.ToJson(info));
}

}  // namespace
}  // namespace ukairo::sim

namespace ukairo::sim {
namespace {

// The month of scripts/run.sh: checks the safety properties a simulation must
// keep whatever the faults — every request ends, no budget scope settles
// more than its limit (reservations make the bound exact), and each alert
// threshold fires at most once per scope.
TEST(Simulate, FaultMonthKeepsBudgetsAndEndsEveryRequest) {
  auto config = router::LoadConfigFile(SourcePath("data/litellm_config.yaml"));
  ASSERT_OK(config);
  const int64_t start = MicrosFromCivil(2026, 11, 1);
  auto scenario = Scenario::Load(SourcePath("data/scenarios/fault_month.yaml"), start);
  ASSERT_OK(scenario);
  auto reader = TraceReader::Open(SourcePath("data/traces/azure_code_sample.csv"), {});
  ASSERT_OK(reader);
  StretchOptions so;
  so.start_micros = start;
  so.days = 30;
  so.profile = *scenario->profile;
  auto source = MakeStretchedSource(std::move(*reader), so);
  ASSERT_OK(source);
  auto tags = TagAssigner::Make("", scenario->tag_mix, 11);
  ASSERT_OK(tags);
  auto providers = ProviderModel::Make(*scenario, **config, 12);
  ASSERT_OK(providers);
  SimulationOptions opts;
  opts.seed = 13;
  opts.start_micros = start;
  SummaryBuilder s;
  auto stats = RunSimulation(*config, *providers, **source, *tags, opts, s, nullptr);
  ASSERT_OK(stats);
  EXPECT_GT(stats->arrivals, 20000u);
  EXPECT_EQ(s.requests_total(), stats->arrivals);
  EXPECT_EQ(s.requests_failed(), 0u) << "the local last resort serves everything";
  EXPECT_GT(s.fallbacks_by_reason()["rate_limit"], 0u);
  EXPECT_GT(s.fallbacks_by_reason()["budget"], 0u);
  for (const auto& limit : (*config)->budgets) {
    const std::map<std::string, NanoUsd>* spent =
        limit.kind == ledger::ScopeKind::kModel  ? &s.cost_by_model()
        : limit.kind == ledger::ScopeKind::kTag  ? &s.cost_by_tag()
        : limit.kind == ledger::ScopeKind::kTier ? &s.cost_by_tier()
                                                 : nullptr;
    if (spent == nullptr) {
      EXPECT_LE(s.cost_total_nanos(), limit.limit_nanos);
      continue;
    }
    auto it = spent->find(limit.key);
    if (it != spent->end()) {
      EXPECT_LE(it->second, limit.limit_nanos) << limit.key;
    }
  }
  std::set<std::tuple<std::string, std::string, uint32_t>> fired;
  for (const auto& a : s.alerts()) {
    EXPECT_TRUE(fired.insert({a.scope, a.key, a.threshold_pct}).second)
        << a.scope << ":" << a.key << " " << a.threshold_pct << "% twice";
  }
  EXPECT_FALSE(s.budget_exhausted_at().empty());
}

}  // namespace
}  // namespace ukairo::sim
