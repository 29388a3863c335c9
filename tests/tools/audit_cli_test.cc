// `ukairo audit` on a ledger written by `ukairo simulate --ledger`: one
// request's life is complete and ordered, filters select what they name,
// spend per model adds up to the simulator's own total, bad input exits 2.
#include <nlohmann/json.hpp>

#include <sstream>

#include "base/money.h"
#include "tests/util/test_util.h"

namespace ukairo {
namespace {

using testing::RunCommand;
using testing::SourcePath;
using testing::UkairoBinary;
using Json = nlohmann::json;

class AuditCli : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new testing::TempDir();
    std::string out;
    int rc = RunCommand(UkairoBinary() + " simulate --config " +
                            SourcePath("data/litellm_config.yaml") + " --trace " +
                            SourcePath("data/traces/azure_code_sample.csv") +
                            " --format azure --scenario " +
                            SourcePath("data/scenarios/fault_month.yaml") +
                            " --days 4 --seed 3 --out " + dir_->Sub("summary.json") +
                            " --ledger " + dir_->Sub("ledger") + " 2>&1",
                        &out);
    ASSERT_EQ(rc, 0) << out;
  }
  static void TearDownTestSuite() { delete dir_; }

  static std::vector<Json> JsonLines(const std::string& args, int* rc = nullptr) {
    std::string out;
    int code = RunCommand(UkairoBinary() + " audit " + args + " --ledger " + dir_->Sub("ledger") +
                              " --json",
                          &out);
    if (rc) *rc = code;
    std::vector<Json> lines;
    std::istringstream in(out);
    for (std::string line; std::getline(in, line);) lines.push_back(Json::parse(line));
    return lines;
  }
  static testing::TempDir* dir_;
};
testing::TempDir* AuditCli::dir_ = nullptr;

TEST_F(AuditCli, RequestLifeIsCompleteAndOrdered) {
  auto fallbacks = JsonLines("fallbacks --reason rate_limit --limit 1");
  ASSERT_EQ(fallbacks.size(), 1u) << "the fault scenario rate-limits someone";
  const std::string rid = fallbacks[0]["request_id"];
  std::string out;
  ASSERT_EQ(RunCommand(UkairoBinary() + " audit request " + rid + " --ledger " +
                           dir_->Sub("ledger") + " --json",
                       &out),
            0);
  std::vector<Json> life;
  std::istringstream in(out);
  for (std::string line; std::getline(in, line);) life.push_back(Json::parse(line));
  ASSERT_GE(life.size(), 5u);
  EXPECT_EQ(life.front()["kind"], "request_accepted");
  EXPECT_EQ(life.back()["kind"], "request_completed");
  uint64_t last_seq = 0;
  for (const Json& e : life) {
    EXPECT_EQ(e["request_id"], rid);
    EXPECT_GT(e["seq"].get<uint64_t>(), last_seq);
    last_seq = e["seq"];
  }
}

// "Why did request X go there?": a budget fallback names the scope that
// refused, its use against its limit, and whether it was stopped; the human
// line says the same.
TEST(AuditCliBudget, BudgetFallbacksNameTheScopeThatRefused) {
  testing::TempDir dir;
  std::string out;
  ASSERT_EQ(RunCommand(UkairoBinary() + " simulate -q --config " +
                           SourcePath("data/litellm_config.yaml") + " --trace " +
                           SourcePath("data/traces/azure_code_sample.csv") + " --scenario " +
                           SourcePath("data/scenarios/fault_month.yaml") +
                           " --days 14 --out /dev/null --ledger " + dir.Sub("ledger") + " 2>&1",
                       &out),
            0)
      << out;
  ASSERT_EQ(RunCommand(UkairoBinary() + " audit fallbacks --reason budget --limit 20 --json" +
                           " --ledger " + dir.Sub("ledger"),
                       &out),
            0);
  std::vector<Json> budget;
  std::istringstream lines(out);
  for (std::string line; std::getline(lines, line);) budget.push_back(Json::parse(line));
  ASSERT_FALSE(budget.empty()) << "the shipped budgets run out within two weeks";
  for (const Json& f : budget) {
    ASSERT_TRUE(f.contains("budget_scope_kind")) << f.dump();
    const std::string kind = f["budget_scope_kind"];
    EXPECT_TRUE(kind == "model" || kind == "tag" || kind == "tier" || kind == "global") << kind;
    EXPECT_GT(f["budget_limit_nanos"].get<int64_t>(), 0) << f.dump();
    if (!f["budget_scope_stopped"].get<bool>()) {
      // Too full: what it would have reserved does not fit.
      EXPECT_GT(f["budget_used_nanos"].get<int64_t>() + f["reserve_nanos"].get<int64_t>(),
                f["budget_limit_nanos"].get<int64_t>())
          << f.dump();
    }
  }
  ASSERT_EQ(RunCommand(UkairoBinary() + " audit request " +
                           budget[0]["request_id"].get<std::string>() + " --ledger " +
                           dir.Sub("ledger"),
                       &out),
            0);
  const std::string scope = budget[0]["budget_scope_kind"].get<std::string>() + ":" +
                            budget[0]["budget_scope_key"].get<std::string>();
  EXPECT_NE(out.find("fallback (budget: " + scope), std::string::npos) << out;
}

TEST_F(AuditCli, FiltersSelectWhatTheyName) {
  for (const Json& e : JsonLines("--kind attempt_finished --model claude-opus --limit 50")) {
    EXPECT_EQ(e["kind"], "attempt_finished");
    EXPECT_EQ(e["model_group"], "claude-opus");
  }
  for (const Json& e : JsonLines("--tag Build --limit 50")) EXPECT_EQ(e["tag"], "Build");
  for (const Json& e : JsonLines("alerts")) {
    EXPECT_TRUE(e["kind"] == "budget_alert" || e["kind"] == "budget_stopped");
  }
  auto recent = JsonLines("--since 1h --kind request_completed");
  ASSERT_FALSE(recent.empty());
  auto all = JsonLines("--kind request_completed");
  EXPECT_LT(recent.size(), all.size());
}

TEST_F(AuditCli, SpendByModelAddsUpToTheSimulatorTotal) {
  std::string summary_text;
  RunCommand("cat " + dir_->Sub("summary.json"), &summary_text);
  Json summary = Json::parse(summary_text);
  NanoUsd total = 0;
  for (const Json& row : JsonLines("spend --by model --period 2026-11")) {
    total += row["spend_nanos"].get<int64_t>();
    if (summary["cost_usd_by_model"].contains(row["key"])) {
      EXPECT_EQ(row["spend_usd"], summary["cost_usd_by_model"][row["key"].get<std::string>()]);
    }
  }
  EXPECT_EQ(FormatNanosAsUsd(total), summary["cost_usd_total"].get<std::string>());
}

// The audit options go before the subcommand's name or after it: both
// orders print the same, and one the subcommand does not take is a usage
// error in either place.
TEST_F(AuditCli, OptionsBeforeOrAfterTheSubcommandName) {
  const std::string ledger = " --ledger " + dir_->Sub("ledger") + " ";
  auto fallbacks = JsonLines("fallbacks --limit 1");
  ASSERT_EQ(fallbacks.size(), 1u);
  const std::string rid = fallbacks[0]["request_id"];
  const std::vector<std::string> subs = {"request " + rid,
                                         "fallbacks --reason rate_limit --limit 3",
                                         "spend --by tag --period 2026-11"};
  for (const std::string& sub : subs) {
    const auto before = testing::RunUkairo("audit" + ledger + "--json " + sub);
    const auto after = testing::RunUkairo("audit " + sub + ledger + "--json");
    EXPECT_EQ(before.exit_code, 0) << sub << ": " << before.output;
    EXPECT_EQ(after.exit_code, 0) << sub << ": " << after.output;
    EXPECT_FALSE(after.output.empty()) << sub;
    EXPECT_EQ(before.output, after.output) << sub;
  }
  // Human output too, and a filter between the name and the ledger.
  EXPECT_EQ(testing::RunUkairo("audit" + ledger + "--limit 2 alerts").output,
            testing::RunUkairo("audit alerts --limit 2" + ledger).output);

  auto misplaced = testing::RunUkairo("audit" + ledger + "--kind attempt_finished fallbacks");
  EXPECT_EQ(misplaced.exit_code, 2) << misplaced.output;
  EXPECT_NE(misplaced.output.find("--kind is not an option of 'audit fallbacks'"),
            std::string::npos)
      << misplaced.output;
  EXPECT_EQ(testing::RunUkairo("audit fallbacks --kind attempt_finished" + ledger).exit_code, 2);
  // A subcommand's option without the subcommand is not silently dropped.
  auto alone = testing::RunUkairo("audit" + ledger + "--period 2026-11");
  EXPECT_EQ(alone.exit_code, 2) << alone.output;
  EXPECT_NE(alone.output.find("'audit spend'"), std::string::npos) << alone.output;
  // Still required, wherever it could have been given.
  auto no_ledger = testing::RunUkairo("audit --json request " + rid);
  EXPECT_EQ(no_ledger.exit_code, 2) << no_ledger.output;
  EXPECT_NE(no_ledger.output.find("--ledger is required"), std::string::npos) << no_ledger.output;
}

TEST_F(AuditCli, BadInputIsAUsageError) {
  int rc = 0;
  JsonLines("--since yesterday", &rc);
  EXPECT_EQ(rc, 2);
  JsonLines("spend --by color --period 2026-11", &rc);
  EXPECT_EQ(rc, 2);
  std::string out;
  EXPECT_EQ(RunCommand(UkairoBinary() + " audit --ledger /nonexistent/ledger 2>&1", &out), 2);
}

}  // namespace
}  // namespace ukairo
