// V-2201..V-2204 against data/policy/part22.yaml: a config that follows the
// seed passes every check, and configs that each break one rule fail the
// right check and name where. Configs are built in code so the test pins the
// checks, not the YAML loader.
#include "router/policy.h"

#include "tests/util/test_util.h"

namespace ukairo::router {
namespace {

void AddGroup(Config* c, const std::string& name, const std::string& provider, bool local) {
  Deployment d;
  d.id = name + "#0";
  d.model_group = name;
  d.provider_model = provider;
  d.price_known = true;
  if (!local) d.price = TokenPrice{1'000'000, 5'000'000, 0};
  c->groups[name].name = name;
  c->groups[name].deployments.push_back(c->deployments.size());
  c->deployments.push_back(d);
}

Config SeedConfig() {
  Config c;
  AddGroup(&c, "claude-opus", "anthropic/claude-opus-4-8", false);
  AddGroup(&c, "claude-sonnet", "anthropic/claude-sonnet-4-6", false);
  AddGroup(&c, "gpt-5.2", "openai/gpt-5.2", false);
  AddGroup(&c, "gemini-3-pro", "gemini/gemini-3-pro-preview", false);
  AddGroup(&c, "gemini-flash", "gemini/gemini-2.5-flash", false);
  AddGroup(&c, "glm", "zai/glm-4.7", false);
  AddGroup(&c, "local", "ollama/llama3", true);
  c.tiers = {
      {"high-precision", {"Spec", "Design", "Review"},
       {"claude-opus", "claude-sonnet", "gemini-3-pro", "gemini-flash", "glm", "local"}},
      {"build", {"Build"},
       {"gpt-5.2", "claude-sonnet", "gemini-3-pro", "gemini-flash", "glm", "local"}},
      {"economy", {"Fix", "Verify", "Release", "Operate"}, {"gemini-flash", "glm", "local"}},
  };
  for (const Tier& t : c.tiers) {
    for (const std::string& tag : t.tags) c.tag_to_tier[tag] = t.name;
  }
  for (const char* m : {"claude-opus", "claude-sonnet", "gpt-5.2", "gemini-3-pro",
                        "gemini-flash", "glm"}) {
    c.budgets.push_back({ScopeKind::kModel, m, 10 * kNanoPerUsd});
  }
  for (const char* t : {"Spec", "Design", "Review", "Build"}) {
    c.budgets.push_back({ScopeKind::kTag, t, 5 * kNanoPerUsd});
  }
  c.alerts = {{80, AlertAction::kNotify}, {90, AlertAction::kWarn},
              {100, AlertAction::kStopAndFallback}};
  c.source = "test-config";
  return c;
}

Policy Part22() {
  Result<Policy> policy = LoadPolicy(testing::SourcePath("data/policy/part22.yaml"));
  if (!policy.ok()) {
    ADD_FAILURE() << policy.status().ToString();
    return Policy{};
  }
  return *policy;
}

const CheckResult& Find(const std::vector<CheckResult>& results, const std::string& id) {
  for (const auto& r : results) {
    if (r.id == id) return r;
  }
  ADD_FAILURE() << "no check " << id;
  return results.front();
}

bool Mentions(const CheckResult& r, const std::string& where) {
  for (const Finding& f : r.findings) {
    if (f.where.find(where) != std::string::npos) return true;
  }
  return false;
}

TEST(Policy, SeedConfigPassesEveryCheck) {
  Policy policy = Part22();
  auto results = VerifyConfig(SeedConfig(), policy);
  ASSERT_EQ(results.size(), 4u);
  for (const auto& r : results) {
    EXPECT_TRUE(r.passed()) << r.id << "\n" << RenderCheckMarkdown(r, SeedConfig(), policy, "t");
    EXPECT_TRUE(r.findings.empty()) << r.id;
  }
}

TEST(Policy, ClassesComeFromNamesAndZeroCost) {
  Policy policy = Part22();
  Config c = SeedConfig();
  EXPECT_EQ(ClassOfGroup(policy, c, "claude-opus"), "opus");
  EXPECT_EQ(ClassOfGroup(policy, c, "gpt-5.2"), "codex");
  EXPECT_EQ(ClassOfGroup(policy, c, "glm"), "flash_glm");
  EXPECT_EQ(ClassOfGroup(policy, c, "local"), "local");
}

TEST(Policy, ReorderedChainFailsFallbackOrder) {
  Config c = SeedConfig();
  std::swap(c.tiers[0].chain[1], c.tiers[0].chain[2]);  // opus → pro → sonnet
  auto results = VerifyConfig(c, Part22());
  EXPECT_FALSE(Find(results, "V-2203").passed());
  EXPECT_TRUE(Mentions(Find(results, "V-2203"), "tiers[high-precision].chain"));
  EXPECT_TRUE(Find(results, "V-2201").passed());
}

TEST(Policy, MissingLocalLastResortFails) {
  Config c = SeedConfig();
  c.tiers[1].chain.pop_back();
  EXPECT_FALSE(Find(VerifyConfig(c, Part22()), "V-2203").passed());
}

TEST(Policy, HighPrecisionPrimaryForChoresFails) {
  Config c = SeedConfig();
  c.tiers[2].chain = {"claude-opus", "gemini-flash", "local"};
  auto results = VerifyConfig(c, Part22());
  EXPECT_FALSE(Find(results, "V-2201").passed());
  EXPECT_TRUE(Mentions(Find(results, "V-2201"), "tiers[economy].chain[0]"));
}

TEST(Policy, TagOnWrongTierFails) {
  Config c = SeedConfig();
  c.tag_to_tier["Spec"] = "economy";
  EXPECT_FALSE(Find(VerifyConfig(c, Part22()), "V-2201").passed());
}

TEST(Policy, MissingBudgetOrAlertOrGateFails) {
  Config no_budget = SeedConfig();
  no_budget.budgets.erase(no_budget.budgets.begin());  // claude-opus
  auto results = VerifyConfig(no_budget, Part22());
  const CheckResult& r1 = Find(results, "V-2202");
  EXPECT_FALSE(r1.passed());
  EXPECT_TRUE(Mentions(r1, "budgets.model.claude-opus"));

  Config weak_stop = SeedConfig();
  weak_stop.alerts[2].action = AlertAction::kWarn;
  EXPECT_FALSE(Find(VerifyConfig(weak_stop, Part22()), "V-2202").passed());

  Config no_gate = SeedConfig();
  no_gate.gate.enabled = false;
  EXPECT_FALSE(Find(VerifyConfig(no_gate, Part22()), "V-2202").passed());
}

TEST(Policy, DisabledRecoveryIsOnlyAWarning) {
  Config c = SeedConfig();
  c.health.enabled = false;
  auto results = VerifyConfig(c, Part22());
  const CheckResult& r = Find(results, "V-2204");
  EXPECT_TRUE(r.passed());
  ASSERT_EQ(r.findings.size(), 1u);
  EXPECT_FALSE(r.findings[0].is_error);
}

TEST(Policy, BadPolicyFileNamesTheLine) {
  Result<Policy> bad = ParsePolicy(
      "model_classes: {opus: [opus]}\ntiers:\n  t:\n    chain: [opus, nosuch]\n", "p.yaml");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("p.yaml:4"), std::string::npos)
      << bad.status().ToString();
  EXPECT_NE(bad.status().message().find("nosuch"), std::string::npos);
}

}  // namespace
}  // namespace ukairo::router
