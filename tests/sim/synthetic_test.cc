// Goal: the synthetic traffic source is a seeded non-homogeneous Poisson
// process whose counts follow its rate (profiles, bursts), and token lengths
// fitted from the shared Azure trace reproduce that trace. Method: draw
// arrivals straight from SyntheticSource and compare counts with the rate's
// integral (within a few Poisson standard deviations); fit the Azure
// conversation trace and sample both token models; run `ukairo simulate
// --synthetic` for a month end to end.
#include "sim/synthetic.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "ledger/period.h"
#include "sim/token_fit.h"
#include "tests/util/test_util.h"

namespace ukairo::sim {
namespace {

using ukairo::testing::DataPath;
using ukairo::testing::SourcePath;

constexpr int64_t kHour = 3'600'000'000LL;
constexpr int64_t kDay = 24 * kHour;

int64_t Nov1() { return *ParseIso8601("2026-11-01"); }  // a Sunday

std::unique_ptr<SyntheticSource> Make(const SyntheticOptions& o) {
  auto s = SyntheticSource::Make(o, nullptr, nullptr);
  EXPECT_OK(s);
  return s.ok() ? std::move(*s) : nullptr;
}

std::vector<int64_t> Times(SyntheticSource& s, size_t max = SIZE_MAX) {
  std::vector<int64_t> out;
  TraceRecord r;
  while (out.size() < max) {
    auto more = s.Next(&r);
    EXPECT_OK(more);
    if (!more.ok() || !*more) break;
    out.push_back(r.time_micros);
  }
  return out;
}

SyntheticOptions Flat(const char* rate, int64_t days) {
  SyntheticOptions o;
  o.start_micros = Nov1();
  o.days = days;
  EXPECT_OK(ParseRate(rate, &o));
  o.hourly_permille.fill(1000);
  o.weekly_permille.fill(1000);
  return o;
}

TEST(Synthetic, SameSeedSameRecordsOtherSeedOthers) {
  SyntheticOptions o;
  o.start_micros = Nov1();
  o.days = 3;
  ASSERT_OK(ParseRate("2.5", &o));
  o.seed = 42;
  auto a = Make(o), b = Make(o);
  TraceRecord ra, rb;
  for (int i = 0; i < 2000; ++i) {
    ASSERT_TRUE(*a->Next(&ra));
    ASSERT_TRUE(*b->Next(&rb));
    ASSERT_EQ(ra.time_micros, rb.time_micros) << i;
    ASSERT_EQ(ra.input_tokens, rb.input_tokens) << i;
    ASSERT_EQ(ra.output_tokens, rb.output_tokens) << i;
  }
  o.seed = 42;
  auto d = Make(o);
  o.seed = 43;
  auto e = Make(o);
  EXPECT_NE(Times(*d, 100), Times(*e, 100));
}

TEST(Synthetic, ArrivalsAreOrderedInsideTheRun) {
  SyntheticOptions o;
  o.start_micros = Nov1() + 5 * kHour + 123;  // not on a day boundary
  o.days = 8;
  ASSERT_OK(ParseRate("1/4", &o));
  auto s = Make(o);
  std::vector<int64_t> t = Times(*s);
  ASSERT_GT(t.size(), 1000u);
  EXPECT_TRUE(std::is_sorted(t.begin(), t.end()));
  EXPECT_GE(t.front(), o.start_micros);
  EXPECT_LT(t.back(), o.start_micros + o.days * kDay);
  EXPECT_EQ(s->arrivals(), t.size());
  EXPECT_GT(s->records_read(), t.size());  // the default profile thins
}

// A month at the default profile with a burst: the count is Poisson with
// mean ∫λ, so it lands within 4 standard deviations (fails ~1 in 16,000
// seeds; the seed is fixed, so it is deterministic).
TEST(Synthetic, CountMatchesTheIntegralOfTheRate) {
  SyntheticOptions o;
  o.start_micros = Nov1();
  o.days = 30;
  ASSERT_OK(ParseRate("0.5", &o));
  auto burst = ParseBurst("100:90:4");
  ASSERT_OK(burst);
  o.bursts.push_back(*burst);
  o.seed = 7;
  const double expected = o.ExpectedArrivals();
  // Hand check of the integral: November 2026 (from a Sunday) under the
  // default profile is 434,055.6 requests at 0.5/s, plus the burst's extra:
  // Thursday 04:00-05:30 (hourly 3 % then 5 %) at ×4 adds
  // 3 × 0.5 × (0.03 × 3,600 s + 0.05 × 1,800 s).
  EXPECT_NEAR(expected, 434055.6 + 297.0, 0.01);
  auto s = Make(o);
  const double n = static_cast<double>(Times(*s).size());
  const double sigma = std::sqrt(expected);
  EXPECT_NEAR(n, expected, 4 * sigma) << "expected " << expected;
}

TEST(Synthetic, HourlyProfileShapesArrivals) {
  SyntheticOptions o = Flat("1", 14);
  o.hourly_permille.fill(100);   // 10 % everywhere...
  o.hourly_permille[10] = 1000;  // ...but 10:00-11:00 UTC at 100 %
  o.seed = 3;
  auto s = Make(o);
  std::array<int64_t, 24> by_hour{};
  for (int64_t t : Times(*s)) ++by_hour[(t % kDay) / kHour];
  const double busy = static_cast<double>(by_hour[10]);
  const double quiet = static_cast<double>(by_hour[3]);
  EXPECT_NEAR(busy, 14 * 3600, 4 * std::sqrt(14 * 3600.0));
  EXPECT_NEAR(quiet, 14 * 360, 4 * std::sqrt(14 * 360.0));
  EXPECT_GT(busy, 5 * quiet);
}

TEST(Synthetic, WeeklyProfileSilencesADay) {
  SyntheticOptions o = Flat("0.2", 14);
  o.weekly_permille[6] = 0;  // no traffic on Sundays
  auto s = Make(o);
  int64_t sunday = 0, monday = 0;
  for (int64_t t : Times(*s)) {
    int weekday = static_cast<int>(((t / kDay) + 3) % 7);
    sunday += weekday == 6;
    monday += weekday == 0;
  }
  EXPECT_EQ(sunday, 0);
  EXPECT_NEAR(static_cast<double>(monday), 2 * 0.2 * 86400, 4 * std::sqrt(2 * 0.2 * 86400));
}

TEST(Synthetic, BurstRaisesTheRateInItsWindow) {
  SyntheticOptions o = Flat("2", 3);
  auto burst = ParseBurst("36:60:5");  // day 2, 12:00-13:00, ×5
  ASSERT_OK(burst);
  EXPECT_EQ(burst->start_offset_micros, 36 * kHour);
  EXPECT_EQ(burst->duration_micros, kHour);
  EXPECT_EQ(burst->multiplier_milli, 5000u);
  o.bursts.push_back(*burst);
  auto s = Make(o);
  int64_t in_burst = 0, same_hour_day_before = 0;
  for (int64_t t : Times(*s)) {
    int64_t off = t - o.start_micros;
    in_burst += off >= 36 * kHour && off < 37 * kHour;
    same_hour_day_before += off >= 12 * kHour && off < 13 * kHour;
  }
  EXPECT_NEAR(static_cast<double>(in_burst), 36000, 4 * std::sqrt(36000.0));
  EXPECT_NEAR(static_cast<double>(same_hour_day_before), 7200, 4 * std::sqrt(7200.0));
  EXPECT_NEAR(o.RatePerSecondAt(o.start_micros + 36 * kHour + 1), 10.0, 1e-9);
  EXPECT_NEAR(o.RatePerSecondAt(o.start_micros + 37 * kHour), 2.0, 1e-9);
}

TEST(Synthetic, FlagsAreParsedExactlyAndCheckedAgainstLimits) {
  SyntheticOptions o;
  ASSERT_OK(ParseRate("2.5", &o));
  EXPECT_EQ(o.rate_numerator, 2'500'000u);
  EXPECT_EQ(o.rate_denominator, 1'000'000u);
  ASSERT_OK(ParseRate("5/2", &o));
  EXPECT_EQ(o.rate_numerator, 5u);
  EXPECT_EQ(o.rate_denominator, 2u);
  EXPECT_FALSE(ParseRate("0", &o).ok());
  EXPECT_FALSE(ParseRate("-1", &o).ok());
  ASSERT_OK(ParseRate("1e-3", &o));  // the decimal parser's exponent form
  EXPECT_EQ(o.rate_numerator, 1000u);
  EXPECT_FALSE(ParseRate("1000000", &o).ok() && o.Validate().ok());
  EXPECT_FALSE(ParseRate("x/2", &o).ok());

  ASSERT_OK(ParseWeeklyProfile("100,100,100,100,90,25,20.5", &o));
  EXPECT_EQ(o.weekly_permille[6], 205u);
  EXPECT_FALSE(ParseWeeklyProfile("100,100", &o).ok());
  EXPECT_FALSE(ParseHourlyProfile("100", &o).ok());
  EXPECT_FALSE(ParseWeeklyProfile("100,100,100,100,90,25,x", &o).ok());
  EXPECT_FALSE(ParseBurst("1:2").ok());
  EXPECT_FALSE(ParseBurst("1:0:2").ok());
  EXPECT_FALSE(ParseBurst("1:5:2000").ok());

  SyntheticOptions overlap = Flat("1", 2);
  overlap.bursts = {*ParseBurst("1:120:2"), *ParseBurst("2:30:3")};
  EXPECT_FALSE(overlap.Validate().ok());
  SyntheticOptions outside = Flat("1", 2);
  outside.bursts = {*ParseBurst("48:30:2")};
  EXPECT_FALSE(outside.Validate().ok());
  SyntheticOptions silent = Flat("1", 2);
  silent.hourly_permille.fill(0);
  EXPECT_FALSE(silent.Validate().ok());
}

// ---- token fits on the shared Azure conversation trace ----

Result<TokenFit> FitConv(const TokenFitOptions& options) {
  TraceReaderOptions ropts;  // azure
  UKAIRO_ASSIGN_OR_RETURN(
      auto reader,
      TraceReader::Open(DataPath("traces/azure-llm-2023/AzureLLMInferenceTrace_conv.csv"),
                        ropts));
  auto source = MakeReplaySource(std::move(reader));
  return FitTokens(*source, options);
}

int64_t Median(std::vector<int64_t> v) {
  std::nth_element(v.begin(), v.begin() + v.size() / 2, v.end());
  return v[v.size() / 2];
}

TEST(TokenFit, AzureConversationFitMatchesTheData) {
  auto fit = FitConv(TokenFitOptions{});
  ASSERT_OK(fit);
  // The shared data README: 19,366 requests, input p50 1,020, output p50 129.
  EXPECT_EQ(fit->records, 19366u);
  EXPECT_EQ(fit->reservoir.size(), 19366u);  // all of them: the medians are exact
  EXPECT_EQ(fit->median_tokens[0], 1020);
  EXPECT_EQ(fit->median_tokens[1], 129);
  const LogNormalParams& p = fit->lognormal;
  // Maximum likelihood: e^mean(ln) is 760 / 151 on this trace (its input is
  // skewed left in log space), so the fitted median is near, not equal.
  const double input_median = std::exp(p.mean_log[0]);
  const double output_median = std::exp(p.mean_log[1]);
  EXPECT_NEAR(input_median, 1020, 0.3 * 1020);
  EXPECT_NEAR(output_median, 129, 0.3 * 129);
  EXPECT_NEAR(input_median, 760.0, 1.0);
  EXPECT_NEAR(output_median, 151.26, 0.1);
  EXPECT_NEAR(p.stddev_log[0], 0.98515, 1e-4);
  EXPECT_NEAR(p.stddev_log[1], 0.85901, 1e-4);
  EXPECT_NEAR(p.correlation, 0.0875, 1e-3);
  EXPECT_EQ(p.tokens_min[0], 2);
  EXPECT_EQ(p.tokens_max[0], 14050);
  EXPECT_EQ(p.tokens_max[1], 1000);
  EXPECT_NEAR(fit->last_time_micros - fit->first_time_micros, 58.4 * 60e6, 60e6);
  // The built-in default is this fit.
  LogNormalParams d = LogNormalParams::AzureConversationDefault();
  EXPECT_NEAR(d.mean_log[0], p.mean_log[0], 1e-9);
  EXPECT_NEAR(d.mean_log[1], p.mean_log[1], 1e-9);

  // Sampling the log-normal model gives back its median, and the trace's
  // mean tokens (what cost follows) within 10 %.
  auto model = MakeTokenModel(TokenModelKind::kLogNormal, *fit);
  ASSERT_OK(model);
  Rng rng(11);
  std::vector<int64_t> in, out;
  double in_sum = 0, out_sum = 0;
  for (int i = 0; i < 40001; ++i) {
    TokenPair t = (*model)->Draw(rng);
    ASSERT_GE(t.input_tokens, 2);
    ASSERT_LE(t.input_tokens, 14050);
    ASSERT_GE(t.output_tokens, 7);
    ASSERT_LE(t.output_tokens, 1000);
    in.push_back(t.input_tokens);
    out.push_back(t.output_tokens);
    in_sum += t.input_tokens;
    out_sum += t.output_tokens;
  }
  EXPECT_NEAR(Median(in), input_median, 0.03 * input_median);
  EXPECT_NEAR(Median(out), output_median, 0.03 * output_median);
  EXPECT_NEAR(in_sum / 40001, fit->mean_tokens[0], 0.1 * fit->mean_tokens[0]);
  EXPECT_NEAR(out_sum / 40001, fit->mean_tokens[1], 0.1 * fit->mean_tokens[1]);
}

TEST(TokenFit, EmpiricalDrawsStayInTheObservedRangeAndFollowTheData) {
  auto fit = FitConv(TokenFitOptions{});
  ASSERT_OK(fit);
  auto model = MakeTokenModel(TokenModelKind::kEmpirical, *fit);
  ASSERT_OK(model);
  Rng rng(5);
  std::vector<int64_t> in, out;
  for (int i = 0; i < 20001; ++i) {
    TokenPair t = (*model)->Draw(rng);
    ASSERT_GE(t.input_tokens, fit->lognormal.tokens_min[0]);
    ASSERT_LE(t.input_tokens, fit->lognormal.tokens_max[0]);
    ASSERT_GE(t.output_tokens, fit->lognormal.tokens_min[1]);
    ASSERT_LE(t.output_tokens, fit->lognormal.tokens_max[1]);
    in.push_back(t.input_tokens);
    out.push_back(t.output_tokens);
  }
  EXPECT_NEAR(Median(in), 1020, 0.05 * 1020);
  EXPECT_NEAR(Median(out), 129, 0.05 * 129);
}

TEST(TokenFit, ReservoirIsBoundedAndSeeded) {
  TokenFitOptions small;
  small.reservoir_pairs_max = 500;
  small.seed = 9;
  auto a = FitConv(small), b = FitConv(small);
  ASSERT_OK(a);
  ASSERT_OK(b);
  ASSERT_EQ(a->reservoir.size(), 500u);
  EXPECT_EQ(a->records, 19366u);
  bool same = true;
  for (size_t i = 0; i < 500; ++i) {
    same &= a->reservoir[i].input_tokens == b->reservoir[i].input_tokens;
  }
  EXPECT_TRUE(same);
  // A 500-pair sample's median is near the full data's (1,020).
  EXPECT_NEAR(a->median_tokens[0], 1020, 150);
  small.seed = 10;
  auto c = FitConv(small);
  ASSERT_OK(c);
  bool differs = false;
  for (size_t i = 0; i < 500; ++i) {
    differs |= a->reservoir[i].input_tokens != c->reservoir[i].input_tokens;
  }
  EXPECT_TRUE(differs);
}

TEST(TokenFit, SyntheticSourceUsesTheFittedModel) {
  auto fit = FitConv(TokenFitOptions{});
  ASSERT_OK(fit);
  auto model = MakeTokenModel(TokenModelKind::kEmpirical, *fit);
  ASSERT_OK(model);
  SyntheticOptions o = Flat("5", 1);
  auto s = SyntheticSource::Make(o, std::move(*model), nullptr);
  ASSERT_OK(s);
  TraceRecord r;
  std::vector<int64_t> in;
  while (*(*s)->Next(&r)) in.push_back(r.input_tokens);
  EXPECT_NEAR(static_cast<double>(in.size()), 5 * 86400, 4 * std::sqrt(5 * 86400.0));
  EXPECT_NEAR(Median(in), 1020, 0.05 * 1020);
  EXPECT_EQ((*s)->reader()->skipped_lines(), 0u);
}

// ---- the CLI ----

// `ukairo ARGS 2>&1` and a file's text (tests/util).
ukairo::testing::CommandOutcome Sh(const std::string& args) {
  return ukairo::testing::RunUkairo(args);
}
std::string Slurp(const std::string& path) { return ukairo::testing::ReadFileText(path); }

TEST(CmdSimulateSynthetic, HelpDocumentsTheFlags) {
  auto o = Sh("simulate --help");
  EXPECT_EQ(o.exit_code, 0) << o.output;
  for (const char* flag : {"--synthetic", "--rate", "--hourly-profile", "--weekly-profile",
                           "--burst", "--fit-tokens", "--fit-format", "--token-model"}) {
    EXPECT_NE(o.output.find(flag), std::string::npos) << flag;
  }
}

TEST(CmdSimulateSynthetic, AMonthRunsEndToEndAndRepeats) {
  ukairo::testing::TempDir dir;
  const std::string args =
      "simulate --synthetic --rate 0.1 --days 30 --seed 5 --burst 200:120:8 "
      "--tag-mix Spec=0.2,Build=0.5,Fix=0.3 --token-model empirical --fit-tokens " +
      DataPath("traces/azure-llm-2023/AzureLLMInferenceTrace_conv.csv") + " --config " +
      SourcePath("data/litellm_config.yaml") + " -q --out ";
  auto a = Sh(args + dir.Sub("a.json"));
  ASSERT_EQ(a.exit_code, 0) << a.output;
  auto b = Sh(args + dir.Sub("b.json"));
  ASSERT_EQ(b.exit_code, 0) << b.output;
  const std::string ja = Slurp(dir.Sub("a.json"));
  EXPECT_EQ(ja, Slurp(dir.Sub("b.json")));
  nlohmann::json j = nlohmann::json::parse(ja);
  SyntheticOptions o;
  o.start_micros = Nov1();
  ASSERT_OK(ParseRate("0.1", &o));
  o.bursts.push_back(*ParseBurst("200:120:8"));
  const double expected = o.ExpectedArrivals();
  const double total = j["requests_total"].get<double>();
  EXPECT_NEAR(total, expected, 4 * std::sqrt(expected)) << ja.substr(0, 400);
  EXPECT_EQ(j["run"]["trace_format"], "synthetic");
  EXPECT_EQ(j["run"]["days"], 30);
  EXPECT_EQ(j["run"]["end"], "2026-12-01T00:00:00Z");
  EXPECT_TRUE(j["cost_usd_by_tag"].contains("Build")) << j["cost_usd_by_tag"].dump();
  EXPECT_NE(j["cost_usd_total"], "0");
}

// `tune --synthetic` runs each candidate on the traffic `simulate` would
// draw from the same flags: a one-value grid that leaves the config as it
// is costs exactly what simulate reports, and the table does not depend on
// the thread count.
TEST(CmdTuneSynthetic, CandidatesSeeTheTrafficSimulateSees) {
  ukairo::testing::TempDir dir;
  const std::string traffic =
      " --synthetic --rate 0.1 --days 7 --seed 5 --burst 30:60:5 --tag-mix "
      "Spec=0.2,Build=0.5,Fix=0.3 --fit-tokens " +
      DataPath("traces/azure-llm-2023/AzureLLMInferenceTrace_conv.csv") + " --config " +
      SourcePath("data/litellm_config.yaml") + " -q";
  auto sim = Sh("simulate" + traffic + " --out " + dir.Sub("sim.json"));
  ASSERT_EQ(sim.exit_code, 0) << sim.output;
  nlohmann::json j = nlohmann::json::parse(Slurp(dir.Sub("sim.json")));
  const std::string grid = " --grid cooldown.cooldown_time_s=60,5 --grid budgets.model.glm=5";
  auto one = Sh("tune" + traffic + grid + " --threads 1 --out-table " + dir.Sub("t1.csv"));
  auto two = Sh("tune" + traffic + grid + " --threads 2 --out-table " + dir.Sub("t2.csv"));
  ASSERT_EQ(one.exit_code, 0) << one.output;
  ASSERT_EQ(two.exit_code, 0) << two.output;
  const std::string table = Slurp(dir.Sub("t1.csv"));
  EXPECT_EQ(table, Slurp(dir.Sub("t2.csv")));
  // Row 1 is the shipped config's own values (cooldown 60 s, glm budget 5).
  std::istringstream rows(table);
  std::string header, row1;
  std::getline(rows, header);
  std::getline(rows, row1);
  const std::string want = "1,60,5," + j["cost_usd_total"].get<std::string>() + "," +
                           std::to_string(j["requests_total"].get<uint64_t>()) + ",";
  EXPECT_EQ(row1.substr(0, want.size()), want) << table;
  EXPECT_GT(j["requests_total"].get<uint64_t>(), 10000u);
}

// "An hour of real trace into a month": without --rate the fitted trace's
// own mean rate is the base, shaped by the default profile.
TEST(CmdSimulateSynthetic, WithoutRateTheFittedTraceSetsTheRate) {
  ukairo::testing::TempDir dir;
  auto o =
      Sh("simulate --synthetic --days 1 --start 2026-11-02 --fit-tokens " +
         DataPath("traces/azure-llm-2023/AzureLLMInferenceTrace_conv.csv") + " --config " +
         SourcePath("data/litellm_config.yaml") + " -q --out " + dir.Sub("s.json"));
  ASSERT_EQ(o.exit_code, 0) << o.output;
  auto fit = FitConv(TokenFitOptions{});
  ASSERT_OK(fit);
  SyntheticOptions expect;
  expect.start_micros = *ParseIso8601("2026-11-02");  // a Monday: weekly 100 %
  expect.days = 1;
  expect.rate_numerator = (fit->records - 1) * 1'000'000;
  expect.rate_denominator = static_cast<uint64_t>(fit->last_time_micros - fit->first_time_micros);
  EXPECT_NEAR(expect.rate_per_s(), 5.53, 0.01);  // the shared data README's mean rate
  const double mean = expect.ExpectedArrivals();
  nlohmann::json j = nlohmann::json::parse(Slurp(dir.Sub("s.json")));
  EXPECT_NEAR(j["requests_total"].get<double>(), mean, 4 * std::sqrt(mean));
}

// The shipped example (data/scenarios/synthetic_month.yaml, its header's
// command): faults and budgets act on synthetic traffic.
TEST(CmdSimulateSynthetic, ExampleScenarioRuns) {
  ukairo::testing::TempDir dir;
  auto o = Sh("simulate --config " + SourcePath("data/litellm_config.yaml") + " --scenario " +
              SourcePath("data/scenarios/synthetic_month.yaml") +
              " --synthetic --rate 0.05 --burst 59:90:4 --fit-tokens " +
              DataPath("traces/azure-llm-2023/AzureLLMInferenceTrace_code.csv") +
              " --token-model empirical -q --out " + dir.Sub("s.json"));
  ASSERT_EQ(o.exit_code, 0) << o.output;
  nlohmann::json j = nlohmann::json::parse(Slurp(dir.Sub("s.json")));
  EXPECT_EQ(j["run"]["scenario"], "synthetic_month");
  const double total = j["requests_total"].get<double>();
  EXPECT_NEAR(total, 44162, 4 * std::sqrt(44162.0));  // ∫λ, printed on stderr without -q
  EXPECT_GT(j["fallbacks_by_reason"]["rate_limit"].get<int>(), 0);  // opus bursts and rpm
  EXPECT_TRUE(j["cost_usd_by_tag"].contains("Verify"));             // the scenario's tag mix
}

TEST(CmdSimulateSynthetic, BadFlagsAreUsageErrors) {
  const std::string config = " --config " + SourcePath("data/litellm_config.yaml") + " -q";
  EXPECT_EQ(Sh("simulate --synthetic --rate 0" + config).exit_code, 2);
  EXPECT_EQ(Sh("simulate --synthetic --rate 1 --days 0" + config).exit_code, 2);
  EXPECT_EQ(Sh("simulate --synthetic --rate 1 --hourly-profile 1,2,3" + config).exit_code, 2);
  EXPECT_EQ(Sh("simulate --synthetic --rate 1 --token-model empirical" + config).exit_code, 2);
  EXPECT_EQ(Sh("simulate --rate 1" + config).exit_code, 2);  // neither --trace nor --synthetic
}

}  // namespace
}  // namespace ukairo::sim
