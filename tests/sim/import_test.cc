// Goal: a LiteLLM spend-log export becomes a valid ukairo ledger of recorded
// requests, with spend read exactly from its decimal text, events in time
// order although the export is in endTime order, and bad rows named by
// file:line without leaving a partial ledger; replaying the imported ledger
// under the config it ran with reproduces its spend per model exactly, and a
// smaller budget moves traffic down the fallback chain. Method: spend logs
// written by the test (JSONL and CSV, LiteLLM's column names), the real
// `ukairo import` / `ukairo replay` binaries and a real RocksDB in a temp
// dir.
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "ledger/ledger.h"
#include "base/money.h"
#include "ledger/period.h"
#include "ledger/projection.h"
#include "router/config/loader.h"
#include "sim/spend_log.h"
#include "sim/spend_log_import.h"
#include "tests/util/test_util.h"

namespace ukairo::sim {
namespace {

using Outcome = ukairo::testing::CommandOutcome;
using ukairo::testing::TempDir;

Outcome Sh(const std::string& args) { return ukairo::testing::RunUkairo(args); }
using ukairo::testing::ReadFileText;
using ukairo::testing::ReadLedgerEvents;

const char* kConfig = R"(model_list:
  - model_name: premium
    litellm_params: {model: openai/premium-model}
    model_info: {id: premium-dep, input_cost_per_token: "0.00001", output_cost_per_token: "0.00003"}
  - model_name: cheap
    litellm_params: {model: openai/cheap-model}
    model_info: {id: cheap-dep, input_cost_per_token: "0.0000002", output_cost_per_token: "0.0000006"}
router_settings:
  num_retries: 0
  fallbacks: [{premium: [cheap]}]
ukairo:
  default_tag: Build
  tiers:
    - {name: high, tags: [Spec], chain: [premium, cheap]}
    - {name: build, tags: [Build], chain: [cheap]}
)";

std::string Iso(int64_t micros) { return FormatIso8601(micros); }

TEST(SpendLogReader, ReadsLiteLlmJsonlAndCsvExactly) {
  TempDir dir;
  const std::string jsonl = dir.Sub("log.jsonl");
  std::ofstream(jsonl)
      << R"({"request_id":"a1","call_type":"acompletion","spend":0.000123456789012,"prompt_tokens":10,"completion_tokens":5,"startTime":"2026-10-05T10:00:00.250000+00:00","endTime":"2026-10-05T10:00:01.750000+00:00","model":"openai/premium-model","model_id":"premium-dep","model_group":"premium","api_base":"https://api.example","request_tags":["Spec","team-a"],"metadata":{"nested":{"spend":99}},"status":"success","api_key":"88dc28d0f030c55ed4ab77ed8faf098196cb1c05df778539800c9f1243fe6b4b"})"
      << "\n\n"
      << R"({"request_id":"a2","spend":2,"prompt_tokens":0,"completion_tokens":0,"startTime":"2026-10-05 10:00:02.5","endTime":"2026-10-05 10:00:02.5","model_group":null,"model":"cheap","request_tags":[],"status":"failure"})"
      << "\n";
  auto r = SpendLogReader::Open(jsonl, SpendLogFormat::kJsonl);
  ASSERT_OK(r);
  SpendLogRow row;
  auto more = (*r)->Next(&row);
  ASSERT_OK(more);
  ASSERT_TRUE(*more);
  EXPECT_EQ(row.request_id, "a1");
  EXPECT_EQ(row.spend_nanos, 123'457);  // 123456.789012 nano-USD, rounded up
  EXPECT_EQ(row.start_micros, MicrosFromCivil(2026, 10, 5, 10) + 250'000);
  EXPECT_EQ(row.end_micros - row.start_micros, 1'500'000);
  EXPECT_EQ(row.model_group, "premium");
  EXPECT_EQ(row.model_id, "premium-dep");
  EXPECT_EQ(row.tag, "Spec");
  EXPECT_EQ(row.prompt_tokens, 10);
  EXPECT_EQ(row.completion_tokens, 5);
  more = (*r)->Next(&row);  // the blank line is skipped
  ASSERT_OK(more);
  ASSERT_TRUE(*more);
  EXPECT_EQ(row.line, 3u);
  EXPECT_EQ(row.spend_nanos, 2'000'000'000);
  EXPECT_EQ(row.model_group, "cheap");  // model_group null: the model
  EXPECT_EQ(row.tag, "");
  EXPECT_EQ(row.status, "failure");
  more = (*r)->Next(&row);
  ASSERT_OK(more);
  EXPECT_FALSE(*more);
  EXPECT_EQ((*r)->rows_spend_rounded(), 1u);

  // Imported: the failure is a failed attempt and a 502; of the api_key only
  // a prefix of its hash is kept.
  {
    auto again = SpendLogReader::Open(jsonl, SpendLogFormat::kJsonl);
    ASSERT_OK(again);
    auto l = ledger::Ledger::Open(dir.Sub("ledger"), ledger::LedgerOptions{});
    ASSERT_OK(l);
    ImportStats stats;
    ASSERT_OK(ImportSpendLog(**again, l->get(), ImportOptions{}, &stats));
    EXPECT_EQ(stats.rows, 2u);
    EXPECT_EQ(stats.rows_failed, 1u);
    EXPECT_EQ(stats.spend_nanos, 2'000'123'457);
  }
  int completed = 0;
  for (const auto& e : ReadLedgerEvents(dir.Sub("ledger"))) {
    if (const auto* a = std::get_if<ledger::RequestAccepted>(&e.body)) {
      EXPECT_EQ(a->client_key_id, a->request_id == "a1" ? "88dc28d0f030" : "");
    } else if (const auto* f = std::get_if<ledger::AttemptFinished>(&e.body)) {
      EXPECT_EQ(f->outcome, f->request_id == "a1" ? ledger::Outcome::kOk
                                                  : ledger::Outcome::kServerError);
    } else if (const auto* c = std::get_if<ledger::RequestCompleted>(&e.body)) {
      ++completed;
      EXPECT_EQ(c->http_status, c->request_id == "a1" ? 200u : 502u);
    }
  }
  EXPECT_EQ(completed, 2);

  const std::string csv = dir.Sub("log.csv");
  std::ofstream(csv) << "request_id,startTime,endTime,model_group,model_id,prompt_tokens,"
                        "completion_tokens,spend,request_tags,status\n"
                     << "c1,2026-10-05 11:00:00,2026-10-05 11:00:03,cheap,cheap-dep,100,20,"
                        "0.000032,\"[\"\"Build\"\"]\",success\n";
  auto c = SpendLogReader::Open(csv, SpendLogFormat::kCsv);
  ASSERT_OK(c);
  more = (*c)->Next(&row);
  ASSERT_OK(more);
  ASSERT_TRUE(*more);
  EXPECT_EQ(row.spend_nanos, 32'000);
  EXPECT_EQ(row.tag, "Build");
  EXPECT_EQ(row.model_id, "cheap-dep");
}

TEST(SpendLogReader, BadRowsNameFileLineAndField) {
  TempDir dir;
  const std::string path = dir.Sub("bad.jsonl");
  const std::map<std::string, std::string> cases = {
      {R"({"startTime":"2026-10-05T10:00:00Z","prompt_tokens":1,"completion_tokens":1,"spend":0,"model_group":"m"})",
       "missing endTime"},
      {R"({"startTime":"2026-10-05T10:00:02Z","endTime":"2026-10-05T10:00:01Z","prompt_tokens":1,"completion_tokens":1,"spend":0,"model_group":"m"})",
       "endTime is before startTime"},
      {R"({"startTime":"2026-10-05T10:00:00Z","endTime":"2026-10-05T10:00:01Z","prompt_tokens":1,"completion_tokens":1,"spend":-0.5,"model_group":"m"})",
       "spend: negative amount"},
      {R"({"startTime":"2026-10-05T10:00:00Z","endTime":"2026-10-05T10:00:01Z","prompt_tokens":"x","completion_tokens":1,"spend":0,"model_group":"m"})",
       "prompt_tokens: 'x' is not a token count"},
      {R"({"startTime":"2026-10-05T10:00:00Z","endTime":"2026-10-05T10:00:01Z","prompt_tokens":1,"completion_tokens":1,"spend":0,"model_group":"m","status":"maybe"})",
       "status 'maybe'"},
      {R"({"startTime":"2026-10-05T10:00:00Z", "endTime")", "not JSON"},
  };
  for (const auto& [line, want] : cases) {
    std::ofstream(path) << "\n" << line << "\n";
    auto r = SpendLogReader::Open(path, SpendLogFormat::kJsonl);
    ASSERT_OK(r);
    SpendLogRow row;
    auto more = (*r)->Next(&row);
    ASSERT_FALSE(more.ok()) << line;
    EXPECT_NE(more.status().message().find(path + ":2: "), std::string::npos)
        << more.status().message();
    EXPECT_NE(more.status().message().find(want), std::string::npos) << more.status().message();
  }
}

// A spend log of `rows` successful requests on 2026-10-05 written in
// endTime order (as LiteLLM inserts them), with spend at the config's prices.
struct Log {
  std::string path;
  std::map<std::string, NanoUsd> spend_by_group;
  uint64_t rows = 0;
};

Log WriteLog(const TempDir& dir, const router::Config& config, int rows) {
  struct Row {
    int64_t start, end;
    std::string line;
  };
  std::vector<Row> out;
  Log log;
  log.path = dir.Sub("spend.jsonl");
  const int64_t day = MicrosFromCivil(2026, 10, 5, 9);
  for (int i = 0; i < rows; ++i) {
    const bool spec = i % 3 != 0;
    const std::string group = spec ? "premium" : "cheap";
    const router::Deployment& dep = config.deployments[spec ? 0 : 1];
    const int64_t in = 200 + 37 * (i % 17), out_tokens = 40 + 11 * (i % 13);
    const NanoUsd spend = CostNanos(dep.price, in, out_tokens);
    log.spend_by_group[group] += spend;
    const int64_t start = day + int64_t{i} * 45'000'000;  // every 45 s
    const int64_t end = start + 1'000'000 + (i * 7919 % 30) * 1'000'000;  // 1..30 s
    nlohmann::json j = {{"request_id", "req-" + std::to_string(i)},
                        {"startTime", Iso(start)},
                        {"endTime", Iso(end)},
                        {"model_group", group},
                        {"model_id", dep.id},
                        {"prompt_tokens", in},
                        {"completion_tokens", out_tokens},
                        {"request_tags", {spec ? "Spec" : "Build"}},
                        {"status", "success"}};
    std::string text = j.dump();
    // The spend as LiteLLM writes it: a decimal number, exact here.
    text.insert(text.size() - 1, ",\"spend\":" + FormatNanosAsUsd(spend));
    out.push_back({start, end, text});
  }
  std::stable_sort(out.begin(), out.end(), [](const Row& a, const Row& b) { return a.end < b.end; });
  std::ofstream f(log.path);
  for (const Row& r : out) f << r.line << "\n";
  log.rows = static_cast<uint64_t>(rows);
  return log;
}

std::shared_ptr<const router::Config> LoadConfig(const TempDir& dir, const std::string& name,
                                                 const std::string& yaml) {
  std::ofstream(dir.Sub(name)) << yaml;
  auto c = router::LoadConfigFile(dir.Sub(name));
  EXPECT_OK(c);
  return c.ok() ? *c : nullptr;
}

TEST(Import, EndTimeOrderedExportBecomesAnOrderedVerifiedLedger) {
  TempDir dir;
  auto config = LoadConfig(dir, "config.yaml", kConfig);
  ASSERT_NE(config, nullptr);
  Log log = WriteLog(dir, *config, 300);
  auto out = Sh("import --from " + log.path + " --ledger " + dir.Sub("ledger") + " --config " +
                dir.Sub("config.yaml"));
  ASSERT_EQ(out.exit_code, 0) << out.output;
  EXPECT_NE(out.output.find("300 requests (0 failed), 1200 events"), std::string::npos)
      << out.output;
  EXPECT_EQ(Sh("ledger verify --ledger " + dir.Sub("ledger")).exit_code, 0);

  const std::vector<ledger::Event> events = ReadLedgerEvents(dir.Sub("ledger"));
  ASSERT_EQ(events.size(), 1200u);
  ledger::Projection p(config->budget_period);
  std::map<std::string, int> accepted_by_tier;
  for (size_t k = 0; k < events.size(); ++k) {
    if (k > 0) {
      ASSERT_GE(events[k].time_micros, events[k - 1].time_micros) << k;
    }
    p.Apply(events[k]);
    if (const auto* a = std::get_if<ledger::RequestAccepted>(&events[k].body)) {
      ++accepted_by_tier[a->tier];
    }
  }
  EXPECT_EQ(accepted_by_tier["high"], 200);
  EXPECT_EQ(accepted_by_tier["build"], 100);
  const int32_t period = PeriodOf(MicrosFromCivil(2026, 10, 5), config->budget_period);
  EXPECT_EQ(p.Spent(ledger::ScopeId::Model("premium"), period), log.spend_by_group["premium"]);
  EXPECT_EQ(p.Spent(ledger::ScopeId::Model("cheap"), period), log.spend_by_group["cheap"]);
  EXPECT_EQ(p.open_reservation_count(), 0u);
  // audit works on it: one request's life.
  auto life = Sh("audit request req-7 --ledger " + dir.Sub("ledger"));
  EXPECT_EQ(life.exit_code, 0) << life.output;
  EXPECT_NE(life.output.find("premium-dep"), std::string::npos) << life.output;
}

// A row further back than the reorder window, or a malformed one, is named
// and nothing is written (the first pass only checks).
TEST(Import, BadInputIsNamedAndWritesNothing) {
  TempDir dir;
  const std::string path = dir.Sub("late.jsonl");
  std::ofstream(path)
      << R"({"startTime":"2026-10-05T10:30:00Z","endTime":"2026-10-05T10:30:01Z","prompt_tokens":1,"completion_tokens":1,"spend":0.001,"model_group":"m"})"
      << "\n"
      << R"({"startTime":"2026-10-05T10:00:00Z","endTime":"2026-10-05T10:00:01Z","prompt_tokens":1,"completion_tokens":1,"spend":0.001,"model_group":"m"})"
      << "\n";
  auto late = Sh("import --from " + path + " --ledger " + dir.Sub("a"));
  EXPECT_EQ(late.exit_code, 2) << late.output;
  EXPECT_NE(late.output.find("line 2: startTime 2026-10-05T10:00:00Z"), std::string::npos)
      << late.output;
  EXPECT_TRUE(ReadLedgerEvents(dir.Sub("a")).empty());
  // A wider window takes it.
  auto wide = Sh("import --from " + path + " --ledger " + dir.Sub("b") + " --reorder-window-s 3600");
  EXPECT_EQ(wide.exit_code, 0) << wide.output;
  EXPECT_EQ(ReadLedgerEvents(dir.Sub("b")).size(), 8u);
  // Not into a ledger that has events.
  auto again = Sh("import --from " + path + " --ledger " + dir.Sub("b") + " --reorder-window-s 3600");
  EXPECT_EQ(again.exit_code, 2) << again.output;
  EXPECT_NE(again.output.find("is not empty"), std::string::npos) << again.output;
  EXPECT_EQ(ReadLedgerEvents(dir.Sub("b")).size(), 8u);

  std::ofstream(path) << R"({"startTime":"2026-10-05T10:30:00Z","endTime":"2026-10-05T10:30:01Z","prompt_tokens":1,"completion_tokens":1,"spend":0.001,"model_group":"m"})"
                      << "\n{\"startTime\": \"2026-10-05T10:31:00Z\"}\n";
  auto bad = Sh("import --from " + path + " --ledger " + dir.Sub("c"));
  EXPECT_EQ(bad.exit_code, 2) << bad.output;
  EXPECT_NE(bad.output.find(path + ":2: missing endTime"), std::string::npos) << bad.output;
  EXPECT_TRUE(ReadLedgerEvents(dir.Sub("c")).empty());
  EXPECT_EQ(Sh("import --from " + path + " --ledger " + dir.Sub("d") + " --format xml").exit_code,
            2);
}

// "What would last month have cost under this config?" for LiteLLM traffic:
// the same config replays to the recorded spend exactly (every attempt
// found in the recording); a premium budget sends the rest to cheap.
TEST(Import, ReplayOfImportedTrafficReproducesSpendAndAnswersWhatIf) {
  TempDir dir;
  auto config = LoadConfig(dir, "config.yaml", kConfig);
  ASSERT_NE(config, nullptr);
  Log log = WriteLog(dir, *config, 300);
  ASSERT_EQ(Sh("import -q --from " + log.path + " --ledger " + dir.Sub("ledger") + " --config " +
               dir.Sub("config.yaml"))
                .exit_code,
            0);
  auto same = Sh("replay -q --ledger " + dir.Sub("ledger") + " --config " +
                 dir.Sub("config.yaml") + " --out " + dir.Sub("same.json"));
  ASSERT_EQ(same.exit_code, 0) << same.output;
  nlohmann::json j = nlohmann::json::parse(ReadFileText(dir.Sub("same.json")));
  EXPECT_EQ(j["requests_total"], 300);
  EXPECT_EQ(j["replay"]["calls_modelled"], 0);
  EXPECT_EQ(j["cost_usd_by_model"]["premium"], FormatNanosAsUsd(log.spend_by_group["premium"]));
  EXPECT_EQ(j["cost_usd_by_model"]["cheap"], FormatNanosAsUsd(log.spend_by_group["cheap"]));

  // A premium budget of a fifth of what premium cost: premium stops within
  // it, the rest of the high-precision traffic falls back to cheap.
  const NanoUsd limit = log.spend_by_group["premium"] / 5;
  const std::string budgeted = std::string(kConfig) + "  budgets:\n    model: {premium: \"" +
                               FormatNanosAsUsd(limit) + "\"}\n";
  ASSERT_NE(LoadConfig(dir, "budget.yaml", budgeted), nullptr);
  auto what_if = Sh("replay -q --ledger " + dir.Sub("ledger") + " --config " +
                    dir.Sub("budget.yaml") + " --out " + dir.Sub("budget.json") + " --html " +
                    dir.Sub("budget.html"));
  ASSERT_EQ(what_if.exit_code, 0) << what_if.output;
  const std::string html = ReadFileText(dir.Sub("budget.html"));
  EXPECT_NE(html.find("<svg"), std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos);  // self-contained, no scripts
  nlohmann::json b = nlohmann::json::parse(ReadFileText(dir.Sub("budget.json")));
  EXPECT_EQ(b["requests_failed"], 0);
  auto usd = [](const nlohmann::json& v) { return *ParseUsd(v.get<std::string>()); };
  EXPECT_LE(usd(b["cost_usd_by_model"]["premium"]), limit);
  EXPECT_GT(usd(b["cost_usd_by_model"]["cheap"]), log.spend_by_group["cheap"]);
  EXPECT_GT(b["replay"]["calls_modelled"].get<int>(), 0);
  EXPECT_GT(b["fallbacks_by_reason"]["budget"].get<int>(), 0);
}

}  // namespace
}  // namespace ukairo::sim
