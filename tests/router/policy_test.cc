// V-2201..V-2204 against data/policy/part22.yaml: a config that follows the
// seed passes every check, and configs that each break one rule fail the
// right check and name where. Configs are built in code so the test pins the
// checks, not the YAML loader (ReachableChains is pinned to the core's index
// over the shipped config, which the loader reads).
#include "router/config/verifier.h"

#include <algorithm>
#include <memory>
#include <optional>

#include "router/config/loader.h"
#include "router/core/core.h"
#include "router/core/internal/core_index.h"
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
  // A client naming a model walks the model's own fallbacks (as in
  // data/litellm_config.yaml), and V-2203 checks those chains too.
  c.fallbacks = {
      {"claude-opus", {"claude-sonnet", "gemini-3-pro", "gemini-flash", "glm", "local"}},
      {"gpt-5.2", {"claude-sonnet", "gemini-3-pro", "gemini-flash", "glm", "local"}},
      {"claude-sonnet", {"gemini-3-pro", "gemini-flash", "glm", "local"}},
      {"gemini-3-pro", {"gemini-flash", "glm", "local"}},
      {"gemini-flash", {"glm", "local"}},
      {"glm", {"local"}},
  };
  c.context_window_fallbacks = {{"gpt-5.2", {"gemini-3-pro"}}};
  c.default_fallbacks = {"local"};
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

// V-2203 alone, by value (Find's reference would outlive VerifyConfig's result).
CheckResult FallbackOrder(const Config& c) { return Find(VerifyConfig(c, Part22()), "V-2203"); }

// The message of the finding at exactly `where` ("" when there is none).
std::string MessageAt(const CheckResult& r, const std::string& where) {
  for (const Finding& f : r.findings) {
    if (f.where == where) return f.message;
  }
  return "";
}

// Everything V-2203 found, for failure messages.
std::string Findings(const CheckResult& r) {
  std::string out;
  for (const Finding& f : r.findings) out += f.where + ": " + f.message + "\n";
  return out;
}

std::vector<std::vector<std::string>> Names(const CoreIndex& index,
                                            const std::vector<std::vector<uint32_t>>& chains) {
  std::vector<std::vector<std::string>> out;
  for (const auto& chain : chains) {
    out.emplace_back();
    for (uint32_t g : chain) out.back().push_back(index.group_names[g]);
  }
  return out;
}

// ReachableChains must list exactly what BuildCoreIndex lets requests walk.
void ExpectChainsOfTheCore(const std::shared_ptr<const Config>& config) {
  auto index = BuildCoreIndex(config, RouterCore::kChainGroupsMax);
  std::vector<std::vector<std::string>> tiers, groups, contexts;
  for (const ReachableChain& chain : ReachableChains(*config)) {
    switch (chain.kind) {
      case ReachableChain::Kind::kTier:
        tiers.push_back(chain.groups);
        break;
      case ReachableChain::Kind::kGroup:
        groups.push_back(chain.groups);
        break;
      case ReachableChain::Kind::kContextWindow:
        contexts.push_back(chain.groups);
        break;
    }
  }
  EXPECT_EQ(tiers, Names(*index, index->tier_chain));
  EXPECT_EQ(groups, Names(*index, index->group_chain));
  std::vector<std::vector<std::string>> core_contexts;
  for (const auto& chain : Names(*index, index->context_chain)) {
    if (!chain.empty()) core_contexts.push_back(chain);  // empty: never entered
  }
  EXPECT_EQ(contexts, core_contexts);
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

TEST(Policy, ReachableChainsAreTheChainsOfTheCore) {
  LoadOptions options;
  options.env = [](const std::string&) -> std::optional<std::string> { return std::nullopt; };
  auto shipped = LoadConfigFile(testing::SourcePath("data/litellm_config.yaml"), options);
  ASSERT_OK(shipped);
  ExpectChainsOfTheCore(*shipped);
  // Repeats dropped, default_fallbacks for a group without its own, empty
  // context chains left out: as the core builds them.
  Config c = SeedConfig();
  c.fallbacks["glm"] = {"local", "glm", "local"};
  c.fallbacks.erase("gemini-flash");
  c.context_window_fallbacks["glm"] = {};
  ExpectChainsOfTheCore(std::make_shared<const Config>(c));
}

TEST(Policy, ReversedGroupFallbacksFailNamingTheElement) {
  Config c = SeedConfig();
  auto& opus = c.fallbacks["claude-opus"];
  std::reverse(opus.begin(), opus.end());  // claude-opus → local → glm → ...
  auto results = VerifyConfig(c, Part22());
  const CheckResult& r = Find(results, "V-2203");
  EXPECT_FALSE(r.passed());
  ASSERT_EQ(r.findings.size(), 1u) << Findings(r);  // the tier chains still pass
  EXPECT_EQ(r.findings[0].where, "fallbacks[claude-opus][0]");
  EXPECT_NE(r.findings[0].message.find("a request for model 'claude-opus' walks"),
            std::string::npos)
      << r.findings[0].message;
  EXPECT_NE(r.findings[0].message.find("'local' (local) cannot follow 'claude-opus'"),
            std::string::npos)
      << r.findings[0].message;
  EXPECT_NE(r.findings[0].message.find("allows sonnet there"), std::string::npos)
      << r.findings[0].message;
  EXPECT_TRUE(Find(results, "V-2201").passed());
}

TEST(Policy, LaterGroupMustFollowThePolicySuffixFromWhereItsTierHasIt) {
  // gemini-3-pro stands after opus → sonnet in high-precision (and after
  // gpt-5.2 → sonnet in build): going back to sonnet from it breaks both.
  Config c = SeedConfig();
  c.fallbacks["gemini-3-pro"] = {"claude-sonnet", "gemini-flash", "local"};
  const CheckResult r = FallbackOrder(c);
  EXPECT_FALSE(r.passed());
  const std::string message = MessageAt(r, "fallbacks[gemini-3-pro][0]");
  EXPECT_NE(message.find("cannot follow 'gemini-3-pro' in tier high-precision's policy"),
            std::string::npos)
      << Findings(r);
  EXPECT_NE(message.find("(tier build rejects it too)"), std::string::npos) << message;

  // Skipping ahead along the order is a suffix: flash → local fits every
  // tier that holds gemini-flash.
  Config skip = SeedConfig();
  skip.fallbacks["gemini-flash"] = {"local"};
  EXPECT_TRUE(FallbackOrder(skip).passed());
}

TEST(Policy, BadContextWindowChainFails) {
  // A request too long for gpt-5.2 would escalate to opus: build's order
  // allows only sonnet or pro after codex.
  Config c = SeedConfig();
  c.context_window_fallbacks["gpt-5.2"] = {"claude-opus"};
  const CheckResult r = FallbackOrder(c);
  EXPECT_FALSE(r.passed());
  ASSERT_EQ(r.findings.size(), 1u) << Findings(r);
  EXPECT_EQ(r.findings[0].where, "context_window_fallbacks[gpt-5.2][0]");
  EXPECT_NE(r.findings[0].message.find("a request too long for gpt-5.2's context window"),
            std::string::npos)
      << r.findings[0].message;
  EXPECT_NE(r.findings[0].message.find("'claude-opus' (opus) cannot follow 'gpt-5.2'"),
            std::string::npos)
      << r.findings[0].message;

  // Stopping early is fine (the last resort follows); leaving the order is not.
  Config early = SeedConfig();
  early.context_window_fallbacks["gpt-5.2"] = {"claude-sonnet", "gemini-3-pro"};
  EXPECT_TRUE(FallbackOrder(early).passed());
  Config back = SeedConfig();
  back.context_window_fallbacks["claude-sonnet"] = {"gemini-flash", "gemini-3-pro"};
  const CheckResult rb = FallbackOrder(back);
  EXPECT_FALSE(MessageAt(rb, "context_window_fallbacks[claude-sonnet][1]").empty()) << Findings(rb);
}

TEST(Policy, BadDefaultFallbackChainFails) {
  // glm has no fallbacks of its own, so it walks default_fallbacks, which
  // would send a glm request to opus; so would a request for local.
  Config c = SeedConfig();
  c.fallbacks.erase("glm");
  c.default_fallbacks = {"claude-opus", "local"};
  const CheckResult r = FallbackOrder(c);
  EXPECT_FALSE(r.passed());
  ASSERT_EQ(r.findings.size(), 2u) << Findings(r);
  for (const Finding& f : r.findings) {
    EXPECT_EQ(f.where, "default_fallbacks[0]");
    EXPECT_NE(f.message.find("(no fallbacks of its own)"), std::string::npos) << f.message;
    EXPECT_NE(f.message.find("'claude-opus' (opus) cannot follow"), std::string::npos) << f.message;
  }
  EXPECT_NE(r.findings[0].message.find("a request for model 'glm'"), std::string::npos);
  EXPECT_NE(r.findings[1].message.find("a request for model 'local'"), std::string::npos);
}

TEST(Policy, GroupWithoutAnyFallbackStopsTooEarly) {
  Config c = SeedConfig();
  c.fallbacks.erase("claude-sonnet");
  c.default_fallbacks.clear();
  const CheckResult r = FallbackOrder(c);
  const std::string message = MessageAt(r, "fallbacks[claude-sonnet]");
  EXPECT_NE(message.find("(no fallbacks configured) walks claude-sonnet (sonnet): it stops "
                         "after 'claude-sonnet'"),
            std::string::npos)
      << Findings(r);
  EXPECT_NE(message.find("still requires pro or flash_glm"), std::string::npos) << message;
}

TEST(Policy, EmptyTierChainSaysSo) {
  Config c = SeedConfig();
  c.tiers[2].chain.clear();
  const CheckResult r = FallbackOrder(c);
  EXPECT_NE(MessageAt(r, "tiers[economy].chain").find("it is empty but tier economy's policy"),
            std::string::npos)
      << Findings(r);
}

TEST(Policy, GroupInNoTierMustBeATailOfSomePolicyChain) {
  Config c = SeedConfig();
  AddGroup(&c, "claude-opus-eu", "anthropic/claude-opus-4-8", false);
  c.fallbacks["claude-opus-eu"] = {"claude-sonnet", "gemini-flash", "local"};
  EXPECT_TRUE(FallbackOrder(c).passed());
  c.fallbacks["claude-opus-eu"] = {"local"};
  const CheckResult r = FallbackOrder(c);
  EXPECT_NE(MessageAt(r, "fallbacks[claude-opus-eu][0]").find("no tier's policy fits"),
            std::string::npos)
      << Findings(r);
}

TEST(Policy, TierThePolicyDoesNotNameMustMatchSomeTierPattern) {
  Config c = SeedConfig();
  c.tiers.push_back({"research", {"Research"}, {"gemini-flash", "local"}});
  EXPECT_TRUE(FallbackOrder(c).passed());
  c.tiers.back().chain = {"glm", "claude-opus"};
  const CheckResult r = FallbackOrder(c);
  EXPECT_FALSE(MessageAt(r, "tiers[research].chain[1]").empty()) << Findings(r);
}

TEST(Policy, BrokenTierChainIsReportedOnceNotPerGroup) {
  Config c = SeedConfig();
  std::swap(c.tiers[0].chain[1], c.tiers[0].chain[2]);  // opus → pro → sonnet
  const CheckResult r = FallbackOrder(c);
  ASSERT_EQ(r.findings.size(), 1u) << Findings(r);
  EXPECT_EQ(r.findings[0].where, "tiers[high-precision].chain[1]");
  EXPECT_NE(r.findings[0].message.find("'gemini-3-pro' (pro) cannot follow 'claude-opus'"),
            std::string::npos)
      << r.findings[0].message;
}

TEST(Policy, FindingsNameTheSectionTheFallbacksAreWrittenIn) {
  Config c = SeedConfig();
  auto& opus = c.fallbacks["claude-opus"];
  std::reverse(opus.begin(), opus.end());
  c.text =
      "litellm_settings:\n"
      "  fallbacks:\n"
      "    - claude-opus: [local, glm, gemini-flash, gemini-3-pro, claude-sonnet]\n"
      "router_settings:\n"
      "  default_fallbacks: [local]\n";
  const CheckResult r = FallbackOrder(c);
  EXPECT_FALSE(MessageAt(r, "litellm_settings.fallbacks[claude-opus][0]").empty()) << Findings(r);
  const std::string md = RenderCheckMarkdown(r, c, Part22(), "t");
  EXPECT_NE(md.find("- router_settings.default_fallbacks for local: local (local)"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("## Rule"), std::string::npos) << md;

  c.text = "router:\n  - model: claude-opus\n    fallback: [local]\n";
  const CheckResult short_layout = FallbackOrder(c);
  EXPECT_TRUE(Mentions(short_layout, "router[0].fallback[0]")) << Findings(short_layout);
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

  // A tier budget on every tier that reaches the model bounds its spend too.
  Config tier_bounded = no_budget;
  tier_bounded.budgets.push_back({ScopeKind::kTier, "high-precision", 50 * kNanoPerUsd});
  auto bounded = VerifyConfig(tier_bounded, Part22());
  EXPECT_TRUE(Find(bounded, "V-2202").passed());

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
