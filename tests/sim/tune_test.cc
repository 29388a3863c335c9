// Goal: `tune`'s grid search finds a known best candidate, filters by its
// constraints, is deterministic whatever the thread count, and writes configs
// that carry exactly the grid's values. Method: a three-group config (an
// expensive premium with a budget, a cheap model, a free local one) on one
// stretched day of the shipped Azure sample, where a smaller premium budget
// must cost less and a budget that runs out breaks "no exhaustion before day 2".
#include "sim/tune.h"

#include <algorithm>
#include <fstream>

#include "ledger/period.h"
#include "router/config/loader.h"
#include "sim/simulator.h"
#include "tests/util/test_util.h"

namespace ukairo::sim {
namespace {

using ukairo::testing::SourcePath;
using ukairo::testing::TempDir;

const char* kBase = R"(model_list:
  - model_name: premium
    litellm_params: {model: openai/premium-model}
    model_info: {id: premium-1, input_cost_per_token: "0.00001", output_cost_per_token: "0.00005"}
  - model_name: cheap
    litellm_params: {model: openai/cheap-model}
    model_info: {id: cheap-1, input_cost_per_token: "0.0000001", output_cost_per_token: "0.0000004"}
  - model_name: local
    litellm_params: {model: ollama/llama3, api_base: "http://127.0.0.1:11434"}
    model_info: {id: local-1}
ukairo:
  default_tag: Spec
  tiers:
    - {name: high-precision, tags: [Spec], chain: [premium, cheap, local]}
  budgets:
    model: {premium: 1000000}
  alerts:
    - {threshold_pct: 80, action: notify}
    - {threshold_pct: 100, action: stop_and_fallback}
  retry: {num_retries: 1, backoff_ms: [1000]}
  cooldown: {allowed_fails: 3, cooldown_time_s: 60}
)";

class Tune : public ::testing::Test {
 protected:
  void SetUp() override {
    base_path_ = dir_.Sub("base.yaml");
    std::ofstream(base_path_) << kBase;
    // One stretched day of the shipped sample, a fresh source per candidate.
    traffic_.open_source = [this]() -> Result<std::unique_ptr<TrafficSource>> {
      UKAIRO_ASSIGN_OR_RETURN(
          auto reader, TraceReader::Open(SourcePath("data/traces/azure_code_sample.csv"), {}));
      StretchOptions so;
      so.start_micros = traffic_.start_micros;
      so.days = 1;
      so.seed = DeriveSeed(traffic_.seed, kSeedStreamTraffic);
      return MakeStretchedSource(std::move(reader), so);
    };
    traffic_.start_micros = MicrosFromCivil(2026, 11, 2);  // a Monday
    traffic_.seed = 5;
  }

  std::vector<GridAxis> Axes(const std::vector<std::string>& specs) {
    std::vector<GridAxis> axes;
    for (const auto& s : specs) {
      auto a = ParseGridAxis(s);
      EXPECT_OK(a);
      if (a.ok()) axes.push_back(*a);
    }
    return axes;
  }

  TuneResult Grid(const std::vector<GridAxis>& axes, const TuneConstraints& k, unsigned threads) {
    TuneOptions o;
    o.threads = threads;
    auto r = RunGrid(kBase, base_path_, axes, traffic_, k, o);
    EXPECT_OK(r);
    return r.ok() ? *r : TuneResult{};
  }

  TempDir dir_;
  std::string base_path_;
  TuneTraffic traffic_;
};

TEST_F(Tune, SmallestBudgetIsCheapestAndConstraintsFilterIt) {
  auto axes = Axes({"budgets.model.premium=3,20,1000000"});
  TuneResult r = Grid(axes, TuneConstraints{}, 2);
  ASSERT_EQ(r.candidates.size(), 3u);
  for (const auto& c : r.candidates) {
    EXPECT_EQ(c.error, "");
    EXPECT_GT(c.requests, 10000u);
    EXPECT_EQ(c.failed, 0u);
  }
  // Premium costs far more than cheap: the less premium may spend, the less
  // the day costs; the two small budgets run out on day 1, the big one never.
  EXPECT_LT(r.candidates[0].cost_nanos, r.candidates[1].cost_nanos);
  EXPECT_LT(r.candidates[1].cost_nanos, r.candidates[2].cost_nanos);
  EXPECT_EQ(r.candidates[0].exhausted_day, std::optional<int64_t>(1));
  EXPECT_EQ(r.candidates[2].exhausted_day, std::nullopt);
  ASSERT_TRUE(r.best.has_value());
  EXPECT_EQ(*r.best, 0u);

  // No budget may run out on day 1: only the big budget is feasible.
  TuneConstraints no_exhaust;
  no_exhaust.no_exhaust_before_day = 2;
  TuneResult f = Grid(axes, no_exhaust, 2);
  EXPECT_FALSE(f.candidates[0].feasible);
  EXPECT_FALSE(f.candidates[1].feasible);
  EXPECT_TRUE(f.candidates[2].feasible);
  EXPECT_EQ(f.best, std::optional<size_t>(2));

  // A cheap model that runs out sends high-precision work to local, the third
  // group: cheapest, but below a 90 % first-two floor.
  auto cheap_axes = Axes({"budgets.model.premium=3", "budgets.model.cheap=0.5,1000000"});
  TuneResult free = Grid(cheap_axes, TuneConstraints{}, 2);
  EXPECT_EQ(free.best, std::optional<size_t>(0));
  EXPECT_LT(free.candidates[0].high_precision_first_two * 100,
            90 * free.candidates[0].high_precision_requests);
  EXPECT_EQ(free.candidates[1].high_precision_first_two,
            free.candidates[1].high_precision_requests);
  TuneConstraints share;
  share.min_high_precision_first_two_pct = 90;
  share.max_failed = 0;
  TuneResult s = Grid(cheap_axes, share, 2);
  EXPECT_FALSE(s.candidates[0].feasible);
  EXPECT_TRUE(s.candidates[1].feasible);
  EXPECT_EQ(s.best, std::optional<size_t>(1));
  // No candidate fits an impossible cap: no recommendation.
  TuneConstraints none;
  none.min_high_precision_first_two_pct = 101;
  EXPECT_EQ(Grid(cheap_axes, none, 2).best, std::nullopt);
}

TEST_F(Tune, TableIsTheSameTwiceAndWhateverTheThreads) {
  auto axes = Axes({"budgets.model.premium=1,50", "cooldown.cooldown_time_s=30,60"});
  TuneConstraints k;
  k.max_failed = 0;
  const std::string a = CandidatesCsv(axes, Grid(axes, k, 2));
  const std::string b = CandidatesCsv(axes, Grid(axes, k, 2));
  const std::string c = CandidatesCsv(axes, Grid(axes, k, 1));
  EXPECT_EQ(a, b);
  EXPECT_EQ(a, c);
  EXPECT_EQ(std::count(a.begin(), a.end(), '\n'), 5);  // header + 4 candidates
  EXPECT_EQ(a.rfind("candidate,budgets.model.premium,cooldown.cooldown_time_s,cost_usd", 0), 0u)
      << a;
}

TEST_F(Tune, AppliedValuesLandInTheLoadedConfig) {
  auto axes = Axes({"budgets.model.premium=12.5", "cooldown.allowed_fails=7",
                    "retry.backoff_ms=100/200/400", "health_check.interval_s=45",
                    "router_settings.routing_strategy=least-busy"});
  auto yaml = ApplyGridValues(kBase, axes, {0, 0, 0, 0, 0});
  ASSERT_OK(yaml);
  auto config = router::ParseConfig(*yaml, base_path_);
  ASSERT_OK(config);
  EXPECT_EQ((*config)->Limit(ledger::ScopeKind::kModel, "premium"),
            std::optional<NanoUsd>(12'500'000'000));
  EXPECT_EQ((*config)->cooldown.allowed_fails, 7u);
  EXPECT_EQ((*config)->cooldown.cooldown_time_ms, 60'000);  // untouched
  EXPECT_EQ((*config)->retry.backoff_ms, (std::vector<int64_t>{100, 200, 400}));
  EXPECT_EQ((*config)->health.interval_ms, 45'000);
  EXPECT_EQ((*config)->routing_strategy, router::RoutingStrategy::kLeastBusy);
  EXPECT_EQ((*config)->deployments.size(), 3u);

  EXPECT_FALSE(ParseGridAxis("nothing").ok());
  EXPECT_FALSE(ParseGridAxis("a..b=1").ok());
  EXPECT_FALSE(ParseGridAxis("retry.num_retries=1,,2").ok());
  // Keys holding dots go in brackets: model groups such as gpt-5.2.
  auto dotted = ParseGridAxis("budgets.model[gpt-5.2]=1,2");
  ASSERT_OK(dotted);
  EXPECT_EQ(dotted->path, (std::vector<std::string>{"ukairo", "budgets", "model", "gpt-5.2"}));
  auto nested = ParseGridAxis("router_settings[a.b].c=1");
  ASSERT_OK(nested);
  EXPECT_EQ(nested->path, (std::vector<std::string>{"router_settings", "a.b", "c"}));
  for (const char* bad_path : {"budgets.model[gpt-5.2=1", "budgets.model[]=1", "a[b]c=1",
                               "a]b=1", "a.=1", "[x].=1"}) {
    EXPECT_FALSE(ParseGridAxis(bad_path).ok()) << bad_path;
  }
  // A path through a scalar is that candidate's error, not a crash.
  auto bad = ApplyGridValues(kBase, Axes({"default_tag.x=1"}), {0});
  EXPECT_FALSE(bad.ok());
}

// The CLI end to end: exit codes, the recommended config it writes loads and
// carries the chosen value, the table lists every candidate.
TEST_F(Tune, CliWritesTheRecommendedConfigAndTheTable) {
  const std::string base = "'" + ukairo::testing::UkairoBinary() + "' tune --config '" +
                           base_path_ + "' --trace '" +
                           SourcePath("data/traces/azure_code_sample.csv") +
                           "' --days 1 --start 2026-11-02 --seed 5 -q"
                           " --grid budgets.model.premium=3,1000000 --grid retry.num_retries=1,2";
  const std::string tuned = dir_.Sub("tuned.yaml"), table = dir_.Sub("candidates.csv");
  std::string out;
  ASSERT_EQ(ukairo::testing::RunCommand(base + " --no-exhaust-before-day 2 --out-config '" + tuned +
                                            "' --out-table '" + table + "' 2>&1",
                                        &out),
            0)
      << out;
  auto config = router::LoadConfigFile(tuned);
  ASSERT_OK(config);
  EXPECT_EQ((*config)->Limit(ledger::ScopeKind::kModel, "premium"),
            std::optional<NanoUsd>(1'000'000'000'000'000));
  std::ifstream in(table);
  std::string csv((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 5) << csv;
  // Nothing feasible: exit 1, the table still on stdout.
  out.clear();
  EXPECT_EQ(ukairo::testing::RunCommand(base + " --min-high-precision-first-two-pct 101", &out), 1);
  EXPECT_NE(out.find("candidate,budgets.model.premium,retry.num_retries"), std::string::npos);
  EXPECT_EQ(ukairo::testing::RunCommand(base + " --grid nonsense 2>/dev/null", &out), 2);

  // A base that names its price table relatively: the tuned config, written
  // elsewhere, still finds it.
  const std::string shipped = dir_.Sub("shipped-tuned.yaml");
  ASSERT_EQ(ukairo::testing::RunCommand(
                "'" + ukairo::testing::UkairoBinary() + "' tune -q --config '" +
                    SourcePath("data/litellm_config.yaml") + "' --trace '" +
                    SourcePath("data/traces/azure_code_sample.csv") +
                    "' --days 1 --grid budgets.model.claude-opus=40 --out-table /dev/null"
                    " --out-config '" +
                    shipped + "' 2>&1",
                &out),
            0)
      << out;
  auto tuned_shipped = router::LoadConfigFile(shipped);
  ASSERT_OK(tuned_shipped);
  EXPECT_TRUE((*tuned_shipped)->FindDeployment("claude-opus-1")->price_known);
  EXPECT_EQ((*tuned_shipped)->Limit(ledger::ScopeKind::kModel, "claude-opus"),
            std::optional<NanoUsd>(40'000'000'000));
}

}  // namespace
}  // namespace ukairo::sim
