// Goal: the HTML report and --compare keep their contract: the same seed
// gives byte-identical HTML with an <svg> per chart, the 80/90/100 % budget
// lines, and no network references; --compare writes {a, b, diff} with
// diff = b − a exactly; the forecast lands in the summary; the flags are in
// --help; the report's per-day series add up to the summary. Method: runs
// the built binary on the shipped data in a TempDir, one in-process
// simulation with the series as its sink, and direct checks of the SVG
// helpers.
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "base/money.h"
#include "ledger/period.h"
#include "router/config/loader.h"
#include "sim/report_series.h"
#include "sim/report_svg.h"
#include "sim/scenario.h"
#include "sim/simulator.h"
#include "tests/util/test_util.h"

namespace ukairo::sim {
namespace {

using Json = nlohmann::ordered_json;
using ukairo::testing::SourcePath;
using ukairo::testing::TempDir;

int Ukairo(const std::string& args, std::string* out) {
  return ukairo::testing::RunCommand(ukairo::testing::UkairoBinary() + " " + args + " 2>&1", out);
}

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

size_t Count(const std::string& text, const std::string& needle) {
  size_t n = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

std::string Common(const std::string& config) {
  return "simulate -q --config " + config + " --scenario " +
         SourcePath("data/scenarios/fault_month.yaml") + " --trace " +
         SourcePath("data/traces/azure_code_sample.csv") + " --days 4 --seed 11";
}

// data/litellm_config.yaml with a much smaller claude-opus budget (so runs
// differ), its price table made absolute (the copy lives elsewhere).
std::string WriteTightConfig(const TempDir& dir) {
  std::string text = Slurp(SourcePath("data/litellm_config.yaml"));
  auto replace = [&](const std::string& from, const std::string& to) {
    size_t at = text.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    if (at != std::string::npos) text.replace(at, from.size(), to);
  };
  replace("price_table: prices/model_prices.json",
          "price_table: " + SourcePath("data/prices/model_prices.json"));
  replace("      claude-opus: 50\n", "      claude-opus: 1\n");
  std::string path = dir.Sub("tight.yaml");
  std::ofstream(path) << text;
  return path;
}

TEST(Report, HtmlIsDeterministicOfflineAndHasEveryChart) {
  TempDir dir;
  std::string out;
  const std::string config = SourcePath("data/litellm_config.yaml");
  ASSERT_EQ(
      Ukairo(Common(config) + " --out " + dir.Sub("s.json") + " --html " + dir.Sub("a.html"), &out),
      0)
      << out;
  ASSERT_EQ(Ukairo(Common(config) + " --out " + dir.Sub("s2.json") + " --html " +
                       dir.Sub("b.html") + " --ledger " + dir.Sub("ledger"),
                   &out),
            0)
      << out;
  const std::string html = Slurp(dir.Sub("a.html"));
  EXPECT_EQ(html, Slurp(dir.Sub("b.html"))) << "same seed, same bytes (a --ledger tee too)";
  EXPECT_EQ(Slurp(dir.Sub("s.json")), Slurp(dir.Sub("s2.json")));
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  // Spend per scope: global, 3 tiers, 5+ models, 8 tags budgeted; plus the
  // served-by and fallback charts.
  EXPECT_GE(Count(html, "<svg "), 1u + 3 + 5 + 8 + 2);
  EXPECT_NE(html.find("aria-label=\"cumulative spend of model:claude-opus\""), std::string::npos);
  EXPECT_NE(html.find("aria-label=\"cumulative spend of tag:Build\""), std::string::npos);
  EXPECT_NE(html.find("requests per day by serving model"), std::string::npos);
  EXPECT_NE(html.find("fallbacks per day by reason"), std::string::npos);
  // The 80/90/100 % lines of every budgeted scope (labels may be dropped
  // when lines crowd; the lines and their tooltips never are).
  for (const char* pct :
       {"<title>80 % of the budget", "<title>90 % of the budget", "<title>100 % of the budget"}) {
    EXPECT_GE(Count(html, pct), 3u + 5 + 8) << pct;
  }
  EXPECT_GE(Count(html, ">100%<"), 3u + 5 + 8);
  EXPECT_NE(html.find("<title>forecast for day 30: $"), std::string::npos);
  EXPECT_GT(Count(html, "stroke-dasharray"), 30u);
  EXPECT_EQ(html.find("http://"), std::string::npos);
  EXPECT_EQ(html.find("https://"), std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("<link"), std::string::npos);
  // Run parameters and the summary's numbers.
  Json summary = Json::parse(Slurp(dir.Sub("s.json")));
  EXPECT_NE(html.find(summary["run"]["config_sha256"].get<std::string>()), std::string::npos);
  EXPECT_NE(html.find("<code>11</code>"), std::string::npos) << "the seed";
  EXPECT_NE(html.find("$" + summary["cost_usd_total"].get<std::string>() + "<"), std::string::npos);
  EXPECT_NE(html.find("Month-end forecast"), std::string::npos);
  EXPECT_NE(html.find("<h2>Alerts</h2>"), std::string::npos);
}

TEST(Report, SummaryCarriesTheForecast) {
  TempDir dir;
  std::string out;
  ASSERT_EQ(Ukairo(Common(SourcePath("data/litellm_config.yaml")) +
                       " --forecast-from-day 3 --out " + dir.Sub("s.json"),
                   &out),
            0)
      << out;
  Json j = Json::parse(Slurp(dir.Sub("s.json")));
  ASSERT_TRUE(j.contains("forecast")) << j.dump(2);
  const Json& f = j["forecast"];
  EXPECT_EQ(f["month"], "2026-11");
  EXPECT_EQ(f["first_day"], 1);
  EXPECT_EQ(f["from_days"], 3);
  EXPECT_EQ(f["month_days"], 30);
  const Json& g = f["by_scope"]["global"];
  auto nanos = [](const Json& v) { return *ParseUsd(v.get<std::string>()); };
  EXPECT_LE(nanos(g["low_usd"]), nanos(g["month_end_usd"]));
  EXPECT_LE(nanos(g["month_end_usd"]), nanos(g["high_usd"]));
  EXPECT_GT(nanos(g["month_end_usd"]), 0);
  EXPECT_FALSE(g.contains("actual_usd")) << "4 days do not cover the month";
  EXPECT_EQ(Ukairo(Common(SourcePath("data/litellm_config.yaml")) + " --forecast-from-day 2", &out),
            2)
      << out;
}

TEST(Report, CompareWritesBothSummariesAndTheirExactDiff) {
  TempDir dir;
  std::string out;
  const std::string a_config = SourcePath("data/litellm_config.yaml");
  const std::string b_config = WriteTightConfig(dir);
  ASSERT_EQ(Ukairo(Common(a_config) + " --compare " + b_config + " --out " + dir.Sub("c.json") +
                       " --html " + dir.Sub("c.html"),
                   &out),
            0)
      << out;
  Json j = Json::parse(Slurp(dir.Sub("c.json")));
  EXPECT_EQ(j["schema"], "ukairo.simulate.compare/1");
  ASSERT_TRUE(j.contains("a") && j.contains("b") && j.contains("diff"));
  const Json &a = j["a"], &b = j["b"], &d = j["diff"];
  EXPECT_EQ(a["run"]["config"], a_config);
  EXPECT_EQ(b["run"]["config"], b_config);
  EXPECT_EQ(a["run"]["seed"], b["run"]["seed"]);
  EXPECT_EQ(a["run"]["trace_records_read"], b["run"]["trace_records_read"]) << "same traffic";
  for (const char* k : {"requests_total", "requests_failed", "requests_last_resort", "retries",
                        "attempts", "latency_added_ms_p99", "probes", "recoveries"}) {
    EXPECT_EQ(d[k].get<int64_t>(), b[k].get<int64_t>() - a[k].get<int64_t>()) << k;
  }
  auto nanos = [](const Json& m, const std::string& k) -> NanoUsd {
    return m.contains(k) ? *ParseUsd(m[k].get<std::string>()) : 0;
  };
  auto signed_nanos = [](const Json& v) -> NanoUsd {
    std::string s = v.get<std::string>();
    return s[0] == '-' ? -*ParseUsd(s.substr(1)) : *ParseUsd(s);
  };
  EXPECT_EQ(signed_nanos(d["cost_usd_total"]),
            nanos(b, "cost_usd_total") - nanos(a, "cost_usd_total"));
  for (const auto& [model, v] : d["cost_usd_by_model"].items()) {
    EXPECT_EQ(signed_nanos(v),
              nanos(b["cost_usd_by_model"], model) - nanos(a["cost_usd_by_model"], model))
        << model;
  }
  for (const auto& [dep, v] : d["served_by"].items()) {
    int64_t in_a = a["served_by"].contains(dep) ? a["served_by"][dep].get<int64_t>() : 0;
    int64_t in_b = b["served_by"].contains(dep) ? b["served_by"][dep].get<int64_t>() : 0;
    EXPECT_EQ(v.get<int64_t>(), in_b - in_a) << dep;
  }
  EXPECT_EQ(d["alerts"].get<int64_t>(),
            static_cast<int64_t>(b["alerts"].size()) - static_cast<int64_t>(a["alerts"].size()));
  // The tight opus budget changes the outcome: b spends less on opus (at
  // most its 1 USD) and falls back for budget more.
  EXPECT_LE(nanos(b["cost_usd_by_model"], "claude-opus"), kNanoPerUsd);
  EXPECT_LT(signed_nanos(d["cost_usd_by_model"]["claude-opus"]), 0);
  EXPECT_GT(d["fallbacks_by_reason"]["budget"].get<int64_t>(), 0);
  // The HTML shows both columns and the diff.
  const std::string html = Slurp(dir.Sub("c.html"));
  EXPECT_NE(html.find("<th>b − a</th>"), std::string::npos);
  EXPECT_NE(html.find("aria-label=\"cumulative spend of a: model:claude-opus\""),
            std::string::npos);
  EXPECT_NE(html.find("aria-label=\"cumulative spend of b: model:claude-opus\""),
            std::string::npos);
  EXPECT_EQ(html.find("http://"), std::string::npos);
  // --compare and --ledger together are refused.
  EXPECT_EQ(Ukairo(Common(a_config) + " --compare " + b_config + " --ledger " + dir.Sub("l"), &out),
            2);
}

TEST(Report, HelpListsTheReportFlags) {
  std::string out;
  ASSERT_EQ(Ukairo("simulate --help", &out), 0) << out;
  for (const char* flag : {"--html", "--compare", "--forecast-from-day"}) {
    EXPECT_NE(out.find(flag), std::string::npos) << flag;
  }
}

// The report's series are another fold of the same events: their sums over
// the days equal the summary's totals.
TEST(ReportSeries, DailySeriesAddUpToTheSummary) {
  auto config = router::LoadConfigFile(SourcePath("data/litellm_config.yaml"));
  ASSERT_OK(config);
  const int64_t start = MicrosFromCivil(2026, 11, 1);
  auto scenario = Scenario::Load(SourcePath("data/scenarios/fault_month.yaml"), start);
  ASSERT_OK(scenario);
  auto reader = TraceReader::Open(SourcePath("data/traces/azure_code_sample.csv"), {});
  ASSERT_OK(reader);
  StretchOptions so;
  so.start_micros = start;
  so.days = 12;  // past the day budgets run out
  so.seed = DeriveSeed(3, kSeedStreamTraffic);
  if (scenario->profile) so.profile = *scenario->profile;
  auto source = MakeStretchedSource(std::move(*reader), so);
  ASSERT_OK(source);
  auto tags = TagAssigner::Make("", scenario->tag_mix, DeriveSeed(3, kSeedStreamTags));
  ASSERT_OK(tags);
  auto providers = ProviderModel::Make(*scenario, **config, DeriveSeed(3, kSeedStreamProviders));
  ASSERT_OK(providers);
  SimulationOptions opts;
  opts.seed = 3;
  opts.start_micros = start;
  SummaryBuilder summary;
  ReportSeries series(*config);
  ASSERT_OK(RunSimulation(*config, *providers, **source, *tags, opts, summary, &series));

  EXPECT_GE(series.days(), 12);
  EXPECT_EQ(series.origin_micros(), start);
  auto total = [](const std::vector<NanoUsd>& v) {
    NanoUsd sum = 0;
    for (NanoUsd x : v) sum += x;
    return sum;
  };
  EXPECT_EQ(total(series.scopes().at("global").spend_by_day), summary.cost_total_nanos());
  for (const auto& [model, nanos] : summary.cost_by_model()) {
    EXPECT_EQ(total(series.scopes().at("model:" + model).spend_by_day), nanos) << model;
  }
  for (const auto& [tag, nanos] : summary.cost_by_tag()) {
    EXPECT_EQ(total(series.scopes().at("tag:" + tag).spend_by_day), nanos) << tag;
  }
  for (const auto& [tier, nanos] : summary.cost_by_tier()) {
    EXPECT_EQ(total(series.scopes().at("tier:" + tier).spend_by_day), nanos) << tier;
  }
  uint64_t served = 0, failed = 0, fallbacks = 0, marks = 0;
  for (const auto& [model, by_day] : series.served_by_model()) {
    for (uint64_t n : by_day) served += n;
  }
  for (uint64_t n : series.failed_by_day()) failed += n;
  for (const auto& day : series.fallbacks_by_day()) {
    for (uint64_t n : day) fallbacks += n;
  }
  for (const auto& [name, scope] : series.scopes()) marks += scope.marks.size();
  EXPECT_EQ(served + failed, summary.requests_total());
  EXPECT_EQ(failed, summary.requests_failed());
  uint64_t summary_fallbacks = 0;
  for (const auto& [reason, n] : summary.fallbacks_by_reason()) summary_fallbacks += n;
  EXPECT_EQ(fallbacks, summary_fallbacks);
  EXPECT_GT(summary.alerts().size(), 0u);
  EXPECT_EQ(marks, summary.alerts().size() + summary.budget_exhausted_at().size());
}

TEST(ReportSvg, SpendChartDrawsTheThreeBudgetLinesInIntegerPixels) {
  SpendChartInput in;
  in.title = "model:x";
  in.days = 3;
  in.cumulative = {kNanoPerUsd, 5 * kNanoPerUsd, 9 * kNanoPerUsd};
  in.period_starts = {true, false, false};
  in.limit_nanos = 10 * kNanoPerUsd;
  in.marks.push_back({kMicrosPerDay * 2, 80, false});
  std::string svg = SpendChartSvg(in);
  EXPECT_EQ(Count(svg, "stroke-dasharray"), 3u);
  for (const char* pct : {">80%<", ">90%<", ">100%<"}) EXPECT_EQ(Count(svg, pct), 1u) << pct;
  EXPECT_NE(svg.find("spent $9 of $10"), std::string::npos);
  EXPECT_EQ(svg.find('.'), std::string::npos) << "no fractional coordinates: " << svg;
  EXPECT_EQ(Count(svg, "<circle"), 1u);
  // A projection: a dotted line to the month end with its interval, the
  // axis stretched to hold it.
  in.projection = SpendChartInput::Projection{
      3, 9 * kNanoPerUsd, 30, 90 * kNanoPerUsd, 80 * kNanoPerUsd, 100 * kNanoPerUsd};
  std::string projected = SpendChartSvg(in);
  EXPECT_EQ(Count(projected, "stroke-dasharray=\"2 3\""), 1u);
  EXPECT_NE(projected.find("forecast for day 30: $90 ($80 – $100)"), std::string::npos);
  EXPECT_NE(projected.find(">$100<"), std::string::npos) << "y axis holds the high end";
  EXPECT_NE(projected.find(">01-31<"), std::string::npos) << "x axis reaches day 30";
  in.projection.reset();
  // No budget: no lines.
  in.limit_nanos.reset();
  EXPECT_EQ(Count(SpendChartSvg(in), "stroke-dasharray"), 0u);
}

TEST(ReportSvg, NiceStepsAndEscaping) {
  EXPECT_EQ(NiceStep(9, 5), 2);
  EXPECT_EQ(NiceStep(10, 5), 2);
  EXPECT_EQ(NiceStep(11, 5), 5);
  EXPECT_EQ(NiceStep(50 * kNanoPerUsd, 5), 10 * kNanoPerUsd);
  EXPECT_EQ(HtmlEscape("<a href=\"x\">&'"), "&lt;a href=&quot;x&quot;&gt;&amp;&#39;");
}

}  // namespace
}  // namespace ukairo::sim
