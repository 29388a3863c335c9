// Goal: every supported YAML layout loads into the exact Config it means,
// and every bad config fails with the right file:line:col and key path.
// Method: load the shipped example (data/litellm_config.yaml), realistic
// LiteLLM-style configs and malformed ones from data/configs/, plus small
// inline YAML texts; the environment is an injected lookup, never the process's.
#include <cstdio>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <sstream>

#include "router/config/loader.h"
#include "tests/util/test_util.h"

namespace ukairo::router {
namespace {

constexpr NanoUsd kUsd = kNanoPerUsd;

// An environment with fixed values that remembers what was asked.
struct FakeEnv {
  std::map<std::string, std::string> values;
  std::set<std::string> asked;
  LoadOptions Options() {
    LoadOptions options;
    options.env = [this](const std::string& name) -> std::optional<std::string> {
      asked.insert(name);
      auto it = values.find(name);
      if (it == values.end()) return std::nullopt;
      return it->second;
    };
    return options;
  }
};

// LiteLLM's whole price table from data/prices/. A table that does not load
// fails every test that uses it, with the reason (and an empty table, so the
// test reports its own expectations too instead of aborting).
const PriceTable& FullPrices() {
  static Result<PriceTable> table =
      PriceTable::LoadFile(testing::DataPath("prices/model_prices_and_context_window.json"));
  static const PriceTable empty;
  if (!table.ok()) {
    ADD_FAILURE() << "full price table: " << table.status().ToString();
    return empty;
  }
  return *table;
}

bool HasWarning(const Config& c, const std::string& needle) {
  for (const auto& w : c.warnings) {
    if (w.find(needle) != std::string::npos) return true;
  }
  return false;
}

std::shared_ptr<const Config> MustParse(const std::string& yaml, FakeEnv* env = nullptr) {
  FakeEnv local;
  LoadOptions options = (env ? env : &local)->Options();
  options.prices = &FullPrices();
  auto config = ParseConfig(yaml, "inline.yaml", options);
  EXPECT_OK(config);
  return config.ok() ? *config : nullptr;
}

std::string ParseError(const std::string& yaml) {
  FakeEnv env;
  LoadOptions options = env.Options();
  options.prices = &FullPrices();
  auto config = ParseConfig(yaml, "inline.yaml", options);
  EXPECT_FALSE(config.ok());
  if (config.ok()) return "";
  EXPECT_TRUE(config.status().IsInvalidArgument());
  return config.status().message();
}

const char kOneModel[] =
    "model_list:\n"
    "  - model_name: gpt-4o\n"
    "    litellm_params:\n"
    "      model: openai/gpt-4o\n";

TEST(ConfigExample, DeploymentsAndPrices) {
  FakeEnv env;
  env.values["UKAIRO_MASTER_KEY"] = "sk-master";
  env.values["UKAIRO_SLACK_WEBHOOK_URL"] = "https://hooks.example/T1";
  auto config = LoadConfigFile(testing::SourcePath("data/litellm_config.yaml"), env.Options());
  ASSERT_OK(config);
  const Config& c = **config;
  std::vector<std::string> ids;
  for (const auto& d : c.deployments) ids.push_back(d.id);
  EXPECT_EQ(
      ids, (std::vector<std::string>{"claude-opus-1", "claude-sonnet-1", "gpt-5.2-1",
                                     "gemini-3-pro-1", "gemini-flash-1", "glm-1", "local-llama3"}));
  EXPECT_EQ(c.groups.size(), 7u);
  const Deployment* opus = c.FindDeployment("claude-opus-1");
  ASSERT_NE(opus, nullptr);
  EXPECT_EQ(opus->model_group, "claude-opus");
  EXPECT_EQ(opus->provider_model, "anthropic/claude-opus-4-8");
  EXPECT_EQ(opus->api_key_env, "ANTHROPIC_API_KEY");
  EXPECT_EQ(opus->rpm, 100);
  EXPECT_EQ(opus->price, (TokenPrice{5'000'000, 25'000'000, 500'000, 6'250'000}));
  EXPECT_TRUE(opus->price_known);
  EXPECT_FALSE(opus->is_local());
  EXPECT_EQ(opus->max_input_tokens, 1'000'000);
  EXPECT_EQ(c.FindDeployment("gpt-5.2-1")->price, (TokenPrice{1'750'000, 14'000'000, 175'000}));
  EXPECT_EQ(c.FindDeployment("gpt-5.2-1")->tpm, 2'000'000);
  EXPECT_EQ(c.FindDeployment("gemini-flash-1")->price, (TokenPrice{300'000, 2'500'000, 30'000}));
  EXPECT_EQ(c.FindDeployment("glm-1")->price, (TokenPrice{600'000, 2'200'000, 110'000}));
  const Deployment* local = c.FindDeployment("local-llama3");
  EXPECT_TRUE(local->is_local());
  EXPECT_EQ(local->api_base, "http://127.0.0.1:11434");
  EXPECT_EQ(local->timeout_ms, 300'000);
  // The API keys were never looked up, only named.
  EXPECT_EQ(env.asked.count("ANTHROPIC_API_KEY"), 0u);
  EXPECT_EQ(c.master_key_env, "UKAIRO_MASTER_KEY");
  EXPECT_EQ(c.master_key, "sk-master");
  EXPECT_EQ(c.notify.webhook_url_env, "UKAIRO_SLACK_WEBHOOK_URL");
  EXPECT_EQ(c.notify.webhook_url, "https://hooks.example/T1");
  EXPECT_TRUE(c.warnings.empty()) << c.warnings.front();
  EXPECT_EQ(c.sha256_hex, Sha256Hex(c.text));
  EXPECT_NE(c.price_table_source.find("data/prices/model_prices.json"), std::string::npos);
}

TEST(ConfigExample, TiersChainsBudgetsAlerts) {
  FakeEnv env;
  auto config = LoadConfigFile(testing::SourcePath("data/litellm_config.yaml"), env.Options());
  ASSERT_OK(config);
  const Config& c = **config;
  const std::vector<std::string> tail = {"claude-sonnet", "gemini-3-pro", "gemini-flash", "glm",
                                         "local"};
  std::vector<std::string> high = {"claude-opus"}, build = {"gpt-5.2"};
  high.insert(high.end(), tail.begin(), tail.end());
  build.insert(build.end(), tail.begin(), tail.end());
  ASSERT_EQ(c.tiers.size(), 3u);
  EXPECT_EQ(c.FindTier("high-precision")->chain, high);
  EXPECT_EQ(c.FindTier("build")->chain, build);  // derived from primary + fallbacks
  EXPECT_EQ(c.FindTier("economy")->chain,
            (std::vector<std::string>{"gemini-flash", "glm", "local"}));
  for (const char* tag : {"Spec", "Design", "Review"}) {
    EXPECT_EQ(c.TierForTag(tag)->name, "high-precision") << tag;
  }
  for (const char* tag : {"Fix", "Verify", "Release", "Operate", "Chore"}) {
    EXPECT_EQ(c.TierForTag(tag)->name, "economy") << tag;
  }
  EXPECT_EQ(c.TierForTag("Build")->name, "build");
  EXPECT_EQ(c.TierForTag("")->name, "build");  // default tag
  EXPECT_EQ(c.TierForTag("NoSuchTag")->name, "build");

  EXPECT_EQ(c.Limit(ScopeKind::kModel, "claude-opus"), 50 * kUsd);
  EXPECT_EQ(c.Limit(ScopeKind::kModel, "gpt-5.2"), 30 * kUsd);
  EXPECT_EQ(c.Limit(ScopeKind::kModel, "gemini-3-pro"), 20 * kUsd);
  EXPECT_EQ(c.Limit(ScopeKind::kModel, "gemini-flash"), 10 * kUsd);
  EXPECT_EQ(c.Limit(ScopeKind::kModel, "glm"), 5 * kUsd);
  EXPECT_EQ(c.Limit(ScopeKind::kModel, "local"), std::nullopt);
  std::map<std::string, int64_t> tags = {{"Spec", 15},   {"Design", 15}, {"Build", 20},
                                         {"Review", 10}, {"Fix", 5},     {"Verify", 5},
                                         {"Release", 5}, {"Operate", 5}};
  for (const auto& [tag, usd] : tags) EXPECT_EQ(c.Limit(ScopeKind::kTag, tag), usd * kUsd) << tag;
  EXPECT_EQ(c.Limit(ScopeKind::kTier, "high-precision"), 50 * kUsd);
  EXPECT_EQ(c.Limit(ScopeKind::kTier, "build"), 30 * kUsd);
  EXPECT_EQ(c.Limit(ScopeKind::kTier, "economy"), 10 * kUsd);
  EXPECT_EQ(c.budgets.size(), 16u);
  EXPECT_EQ(c.budget_period, PeriodKind::kMonth);

  ASSERT_EQ(c.alerts.size(), 3u);
  EXPECT_EQ(c.alerts[0].threshold_pct, 80u);
  EXPECT_EQ(c.alerts[0].action, AlertAction::kNotify);
  EXPECT_EQ(c.alerts[1].threshold_pct, 90u);
  EXPECT_EQ(c.alerts[1].action, AlertAction::kWarn);
  EXPECT_EQ(c.alerts[2].threshold_pct, 100u);
  EXPECT_EQ(c.alerts[2].action, AlertAction::kStopAndFallback);

  EXPECT_EQ(c.retry.num_retries, 3u);
  EXPECT_EQ(c.retry.backoff_ms, (std::vector<int64_t>{2000, 4000, 8000}));
  EXPECT_EQ(c.cooldown.allowed_fails, 3u);
  EXPECT_EQ(c.cooldown.cooldown_time_ms, 60'000);
  EXPECT_TRUE(c.health.enabled);
  EXPECT_EQ(c.health.interval_ms, 300'000);
  EXPECT_TRUE(c.gate.enabled);
  EXPECT_EQ(c.default_max_output_tokens, 4096);
  EXPECT_EQ(c.context_window_fallbacks.at("gpt-5.2"), (std::vector<std::string>{"gemini-3-pro"}));
  EXPECT_EQ(c.default_fallbacks, (std::vector<std::string>{"local"}));
  // Unset secrets are warnings, not errors, so `config check` works anywhere.
  EXPECT_EQ(c.warnings.size(), 2u);
  EXPECT_TRUE(HasWarning(c, "UKAIRO_MASTER_KEY is not set"));
}

TEST(ConfigRealistic, LoadBalancingGroup) {
  FakeEnv env;
  LoadOptions options = env.Options();
  options.prices = &FullPrices();
  auto config =
      LoadConfigFile(testing::SourcePath("data/configs/litellm_load_balancing.yaml"), options);
  ASSERT_OK(config);
  const Config& c = **config;
  ASSERT_EQ(c.groups.at("gpt-4o").deployments.size(), 3u);
  const Deployment& eu = c.deployments[0];
  EXPECT_EQ(eu.id, "gpt-4o#0");
  EXPECT_EQ(c.deployments[2].id, "gpt-4o#2");
  EXPECT_EQ(c.deployments[3].id, "gpt-4o-mini#0");
  EXPECT_EQ(eu.tpm, 80'000);  // YAML 1.1 "80_000"
  EXPECT_EQ(eu.rpm, 480);     // beside litellm_params
  EXPECT_EQ(eu.api_key_env, "AZURE_API_KEY_EU");
  EXPECT_EQ(eu.price.input_pico, 2'500'000);  // priced by model_info.base_model
  EXPECT_EQ(c.deployments[2].tpm, 1'000'000);
  EXPECT_EQ(c.deployments[2].weight, 2);
  EXPECT_EQ(c.deployments[3].price, (TokenPrice{150'000, 600'000, 75'000}));
  EXPECT_EQ(c.retry.num_retries, 2u);
  EXPECT_EQ(c.request_timeout_ms, 30'000);
  EXPECT_TRUE(HasWarning(c, ":40:21: router_settings.routing_strategy: 'usage-based-routing-v2'"));
  EXPECT_EQ(c.warnings.size(), 1u);
}

TEST(ConfigRealistic, JsonFlowFallbacksAndRetries) {
  FakeEnv env;
  env.values["LITELLM_MASTER_KEY"] = "sk-1234";
  LoadOptions options = env.Options();
  options.prices = &FullPrices();
  auto config = LoadConfigFile(testing::SourcePath("data/configs/litellm_fallbacks.yaml"), options);
  ASSERT_OK(config);
  const Config& c = **config;
  EXPECT_EQ(c.fallbacks.at("claude-sonnet"),
            (std::vector<std::string>{"bedrock-sonnet", "gemini-pro"}));
  EXPECT_EQ(c.fallbacks.at("claude-haiku"), (std::vector<std::string>{"gemini-pro"}));
  EXPECT_EQ(c.context_window_fallbacks.at("claude-haiku"),
            (std::vector<std::string>{"gemini-pro"}));
  EXPECT_EQ(c.default_fallbacks, (std::vector<std::string>{"claude-haiku"}));
  EXPECT_EQ(c.retry.num_retries, 3u);
  EXPECT_EQ(c.retry.retry_after_min_ms, 5'000);
  EXPECT_EQ(c.cooldown.allowed_fails, 1u);
  EXPECT_EQ(c.cooldown.cooldown_time_ms, 30'000);
  EXPECT_EQ(c.request_timeout_ms, 120'000);
  EXPECT_EQ(c.master_key, "sk-1234");
  const Deployment* sonnet = c.FindDeployment("claude-sonnet#0");
  ASSERT_NE(sonnet, nullptr);
  EXPECT_EQ(sonnet->api_key_env, "ANTHROPIC_API_KEY");  // quoted os.environ/ too
  EXPECT_EQ(sonnet->max_output_tokens, 8192);  // litellm_params.max_tokens caps the table's 64000
  EXPECT_EQ(c.FindDeployment("bedrock-sonnet#0")->price.output_pico, 15'000'000);
  const Deployment* ft = c.FindDeployment("ft-acme-1");
  ASSERT_NE(ft, nullptr);
  EXPECT_EQ(ft->price, (TokenPrice{300'000, 1'200'000, 0}));  // model_info overrides
  EXPECT_TRUE(ft->price_known);
  EXPECT_TRUE(c.warnings.empty()) << c.warnings.front();
}

TEST(ConfigRealistic, LocalModelsAndProxyBudget) {
  FakeEnv env;
  LoadOptions options = env.Options();
  options.prices = &FullPrices();
  auto config =
      LoadConfigFile(testing::SourcePath("data/configs/litellm_local_budget.yaml"), options);
  ASSERT_OK(config);
  const Config& c = **config;
  EXPECT_TRUE(c.FindDeployment("llama3#0")->is_local());
  const Deployment* qwen = c.FindDeployment("qwen-coder#0");
  EXPECT_TRUE(qwen->is_local());  // hosted_vllm on 127.0.0.1, not in the table
  EXPECT_TRUE(qwen->price_known);
  EXPECT_EQ(c.FindDeployment("groq-llama#0")->price, (TokenPrice{590'000, 790'000, 0}));
  EXPECT_EQ(c.Limit(ScopeKind::kGlobal, ""), 100'500'000'000);  // "100.50" exactly
  EXPECT_EQ(c.routing_strategy, RoutingStrategy::kLeastBusy);
  EXPECT_EQ(c.fallbacks.at("qwen-coder"), (std::vector<std::string>{"deepseek", "mistral-large"}));
  EXPECT_EQ(c.health.interval_ms, 300'000);
  EXPECT_EQ(c.retry.num_retries, 2u);
}

TEST(ConfigSeedLayout, SeedSnippetsLoadWithImplicitDeployments) {
  FakeEnv env;
  LoadOptions options = env.Options();
  options.prices = &FullPrices();
  auto config = LoadConfigFile(testing::SourcePath("data/configs/seed_short_layout.yaml"), options);
  ASSERT_OK(config);
  const Config& c = **config;
  EXPECT_EQ(c.groups.size(), 7u);  // 6 names + local/llama3
  EXPECT_TRUE(c.FindDeployment("local/llama3#0")->is_local());
  EXPECT_EQ(c.FindDeployment("local/llama3#0")->provider_model, "ollama/llama3");
  EXPECT_EQ(c.FindDeployment("local/llama3#0")->api_base, "http://127.0.0.1:11434");
  EXPECT_EQ(c.FindDeployment("claude-opus#0")->rpm, 100);
  EXPECT_EQ(c.FindDeployment("gemini-flash#0")->rpm, 1000);
  EXPECT_EQ(c.fallbacks.at("gemini-flash"), (std::vector<std::string>{"local/llama3"}));
  EXPECT_EQ(c.Limit(ScopeKind::kModel, "claude-opus"), 50 * kUsd);
  EXPECT_EQ(c.Limit(ScopeKind::kModel, "glm"), 5 * kUsd);
  EXPECT_EQ(c.Limit(ScopeKind::kTag, "Build"), 20 * kUsd);
  ASSERT_EQ(c.alerts.size(), 3u);
  EXPECT_EQ(c.alerts[2].action, AlertAction::kStopAndFallback);
  // gpt-5.2 is a real table entry; "claude-opus" is not a model name.
  EXPECT_TRUE(c.FindDeployment("gpt-5.2#0")->price_known);
  EXPECT_FALSE(c.FindDeployment("claude-opus#0")->price_known);
  EXPECT_FALSE(c.FindDeployment("claude-opus#0")->is_local());
  EXPECT_TRUE(HasWarning(c, "no price for 'claude-opus'"));
}

struct BadCase {
  const char* file;
  const char* message;  // expected, after "data/configs/<file>:"
};

class ConfigMalformed : public ::testing::TestWithParam<BadCase> {};

TEST_P(ConfigMalformed, NamesFileLineColumnAndKey) {
  const BadCase& bad = GetParam();
  FakeEnv env;
  LoadOptions options = env.Options();
  options.prices = &FullPrices();
  const std::string path = testing::SourcePath(std::string("data/configs/") + bad.file);
  auto config = LoadConfigFile(path, options);
  ASSERT_FALSE(config.ok());
  EXPECT_TRUE(config.status().IsInvalidArgument());
  EXPECT_EQ(config.status().message(), path + ":" + bad.message);
}

INSTANTIATE_TEST_SUITE_P(
    DataConfigs, ConfigMalformed,
    ::testing::Values(
        BadCase{"bad_indentation.yaml", "6:6: YAML syntax error: end of map not found"},
        BadCase{"bad_type_rpm.yaml",
                "12:12: model_list[2].litellm_params.rpm: expected an integer, got 'fast'"},
        BadCase{"bad_unknown_chain_model.yaml",
                "14:21: ukairo.tiers[0].chain[1]: unknown model group 'sonnet' (model_list has: "
                "local, opus)"},
        BadCase{"bad_unknown_fallback.yaml",
                "10:37: router_settings.fallbacks[0].gpt-4o[1]: unknown model group 'gemini' "
                "(model_list has: claude, gpt-4o)"},
        BadCase{"bad_threshold_order.yaml",
                "10:22: ukairo.alerts[1].threshold_pct: thresholds must ascend: 80 after 90"},
        BadCase{"bad_threshold_range.yaml",
                "9:16: alerts[1].threshold: value 150 is outside 1..100"},
        BadCase{"bad_negative_budget.yaml",
                "7:11: budget.gpt-4o: negative amount '-5' (budgets must be >= 0)"},
        BadCase{"bad_tag_two_tiers.yaml",
                "15:22: ukairo.tiers[1].tags[1]: tag 'Fix' is mapped to two tiers ('build' and "
                "'economy')"},
        BadCase{"bad_empty_chain.yaml", "10:14: ukairo.tiers[0].chain: empty chain"}));

TEST(ConfigMalformed, DuplicateDeploymentId) {
  FakeEnv env;
  const std::string path = testing::SourcePath("data/configs/bad_duplicate_id.yaml");
  auto config = LoadConfigFile(path, env.Options());
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().message(),
            path +
                ":13:11: model_list[1].model_info.id: duplicate deployment id 'primary' "
                "(first at " +
                path + ":3:5)");
}

TEST(ConfigMalformed, MoreShapes) {
  // Duplicate YAML key.
  EXPECT_EQ(ParseError(std::string(kOneModel) + "budget:\n  gpt-4o: 1\n  gpt-4o: 2\n"),
            "inline.yaml:7:3: budget.gpt-4o: duplicate key");
  // A list where a map belongs.
  EXPECT_EQ(ParseError(std::string(kOneModel) + "router_settings: [1, 2]\n"),
            "inline.yaml:5:18: router_settings: expected a map, got a list");
  // Missing model.
  EXPECT_EQ(ParseError("model_list:\n  - model_name: x\n    litellm_params:\n      rpm: 1\n"),
            "inline.yaml:4:7: model_list[0].litellm_params: missing required key 'model'");
  // Not an integer, though a number.
  EXPECT_EQ(ParseError(std::string(kOneModel) + "      tpm: 8e4\n"),
            "inline.yaml:5:12: model_list[0].litellm_params.tpm: expected an integer, got '8e4'");
  // A budget finer than a nano-USD cannot be kept exactly.
  EXPECT_NE(ParseError(std::string(kOneModel) + "budget:\n  gpt-4o: 0.0000000001\n")
                .find("inline.yaml:6:11: budget.gpt-4o: expected a USD amount"),
            std::string::npos);
  // Tier with both chain and primary; unknown tier in budgets; unrouted default tag.
  const std::string tiers = std::string(kOneModel) +
                            "ukairo:\n  tiers:\n    - name: build\n"
                            "      tags: [Build]\n";
  EXPECT_EQ(ParseError(tiers + "      chain: [gpt-4o]\n      primary: gpt-4o\n"),
            "inline.yaml:7:7: ukairo.tiers[0]: a tier needs exactly one of 'chain' or 'primary'");
  EXPECT_EQ(ParseError(tiers + "      chain: [gpt-4o]\n  budgets:\n    tier:\n      gold: 5\n"),
            "inline.yaml:12:7: ukairo.budgets.tier.gold: unknown tier 'gold'");
  EXPECT_EQ(ParseError(tiers + "      chain: [gpt-4o, gpt-4o]\n"),
            "inline.yaml:9:23: ukairo.tiers[0].chain[1]: 'gpt-4o' appears twice in the chain");
  EXPECT_EQ(ParseError(tiers + "      chain: [gpt-4o]\n  default_tag: Chore\n"),
            "inline.yaml:10:16: ukairo.default_tag: default tag 'Chore' is not routed by any tier");
  EXPECT_EQ(ParseError(std::string(kOneModel) + "ukairo:\n  alerts:\n    - threshold_pct: 0\n"
                                                "      action: notify\n"),
            "inline.yaml:7:22: ukairo.alerts[0].threshold_pct: value 0 is outside 1..100");
  EXPECT_EQ(ParseError(std::string(kOneModel) + "alerts:\n  - threshold: 50\n    action: page\n"),
            "inline.yaml:7:13: alerts[0].action: unknown action 'page' (notify, warn, "
            "stop_and_fallback)");
  EXPECT_EQ(ParseError(std::string(kOneModel) + std::string(kConfigBytesMax, '#')),
            "inline.yaml: config larger than 1048576 bytes");
  EXPECT_EQ(ParseError("- just\n- a list\n"),
            "inline.yaml:1:1: expected a YAML map at the top level");
}

TEST(ConfigWarnings, UnknownKeysWarnWithPosition) {
  auto c = MustParse(std::string(kOneModel) + "      rmp: 5\nrouter_setings:\n  num_retries: 1\n");
  ASSERT_NE(c, nullptr);
  EXPECT_TRUE(HasWarning(*c, "inline.yaml:5:7: unknown key 'rmp' at model_list[0].litellm_params"));
  EXPECT_TRUE(HasWarning(*c, "inline.yaml:6:1: unknown key 'router_setings' (ignored)"));
  EXPECT_EQ(c->retry.num_retries, 3u);  // the misspelt section did not apply
  auto included = MustParse(std::string(kOneModel) + "include:\n  - more_models.yaml\n");
  ASSERT_NE(included, nullptr);
  EXPECT_TRUE(HasWarning(*included, "inline.yaml:6:3: include: is not supported"));
}

TEST(ConfigEnv, OsEnvironResolvesValuesButOnlyNamesKeys) {
  FakeEnv env;
  env.values["MY_BASE"] = "https://llm.internal.example/v1";
  env.values["MY_RPM"] = "1_200";
  env.values["OPENAI_API_KEY"] = "sk-secret";
  auto c = MustParse(
      "model_list:\n"
      "  - model_name: gpt-4o\n"
      "    litellm_params:\n"
      "      model: openai/gpt-4o\n"
      "      api_base: os.environ/MY_BASE\n"
      "      api_key: os.environ/OPENAI_API_KEY\n"
      "      rpm: os.environ/MY_RPM\n"
      "      timeout: os.environ/FILE_TIMEOUT\n"
      "environment_variables:\n"
      "  FILE_TIMEOUT: \"2.5\"\n",
      &env);
  ASSERT_NE(c, nullptr);
  const Deployment& d = c->deployments[0];
  EXPECT_EQ(d.api_base, "https://llm.internal.example/v1");
  EXPECT_EQ(d.rpm, 1200);
  EXPECT_EQ(d.timeout_ms, 2500);  // from the file's environment_variables
  EXPECT_EQ(d.api_key_env, "OPENAI_API_KEY");
  EXPECT_EQ(env.asked.count("OPENAI_API_KEY"), 0u);  // never read
  EXPECT_EQ(c->text.find("sk-secret"), std::string::npos);

  EXPECT_EQ(ParseError(std::string(kOneModel) + "      api_base: os.environ/NOT_SET\n"),
            "inline.yaml:5:17: model_list[0].litellm_params.api_base: environment variable "
            "NOT_SET is not set");
}

TEST(ConfigValues, IntegersUsdAndFallbackStyles) {
  const std::string two =
      "model_list:\n"
      "  - model_name: a\n"
      "    litellm_params: {model: openai/gpt-4o, tpm: 80_000, rpm: 1_000_000}\n"
      "  - model_name: b\n"
      "    litellm_params: {model: openai/gpt-4o-mini}\n";
  auto flow = MustParse(two + "router_settings:\n  fallbacks: [{\"a\": [\"b\"]}]\n");
  auto block = MustParse(two + "router_settings:\n  fallbacks:\n    - a:\n        - b\n");
  ASSERT_NE(flow, nullptr);
  ASSERT_NE(block, nullptr);
  EXPECT_EQ(flow->fallbacks, block->fallbacks);
  EXPECT_EQ(flow->fallbacks.at("a"), (std::vector<std::string>{"b"}));
  EXPECT_EQ(flow->deployments[0].tpm, 80'000);
  EXPECT_EQ(flow->deployments[0].rpm, 1'000'000);

  auto money = MustParse(two +
                         "ukairo:\n  budgets:\n    global: 0.1\n    model: {a: 19.99, b: 1e-9}\n"
                         "    tag: {Build: \"7\"}\n");
  ASSERT_NE(money, nullptr);
  EXPECT_EQ(money->Limit(ScopeKind::kGlobal, ""), 100'000'000);
  EXPECT_EQ(money->Limit(ScopeKind::kModel, "a"), 19'990'000'000);
  EXPECT_EQ(money->Limit(ScopeKind::kModel, "b"), 1);
  EXPECT_EQ(money->Limit(ScopeKind::kTag, "Build"), 7 * kUsd);
}

TEST(ConfigValues, LaterLayoutsWinAndPricesFallBackToUnknown) {
  auto c = MustParse(std::string(kOneModel) +
                     "litellm_settings: {num_retries: 1, max_budget: 10}\n"
                     "router_settings: {num_retries: 2}\n"
                     "budget: {gpt-4o: 3}\n"
                     "ukairo:\n  retry: {num_retries: 4}\n  budgets: {model: {gpt-4o: 4}}\n");
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->retry.num_retries, 4u);
  EXPECT_EQ(c->Limit(ScopeKind::kModel, "gpt-4o"), 4 * kUsd);
  EXPECT_EQ(c->Limit(ScopeKind::kGlobal, ""), 10 * kUsd);

  // No price table at all: the remote model is unpriced (not "local").
  FakeEnv env;
  auto bare = ParseConfig(kOneModel, "/nonexistent/dir/x.yaml", env.Options());
  ASSERT_OK(bare);
  EXPECT_FALSE((*bare)->deployments[0].price_known);
  EXPECT_FALSE((*bare)->deployments[0].is_local());
  EXPECT_TRUE(HasWarning(**bare, "no price for 'openai/gpt-4o' in (no price table)"));
}

TEST(ConfigProvenance, Sha256OfTheText) {
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  auto c = MustParse(kOneModel);
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->text, kOneModel);
  EXPECT_EQ(c->source, "inline.yaml");
  EXPECT_EQ(c->sha256_hex, Sha256Hex(kOneModel));
}

// Seeded mutation fuzz: damaged copies of the example must load or fail
// with a located InvalidArgument, never crash or throw.
TEST(ConfigFuzz, MutatedExampleNeverCrashes) {
  std::ifstream in(testing::SourcePath("data/litellm_config.yaml"));
  std::stringstream buffer;
  buffer << in.rdbuf();
  const std::string original = buffer.str();
  ASSERT_FALSE(original.empty());
  const std::string alphabet = " \n:-[]{},#&*!|>'\"%@`_0123456789eE.x";
  std::mt19937 rng(20261127);  // fixed seed: failures reproduce
  FakeEnv env;
  LoadOptions options = env.Options();
  options.prices = &FullPrices();
  int loaded = 0, rejected = 0;
  for (int round = 0; round < 1000; ++round) {
    std::string text = original;
    int edits = 1 + static_cast<int>(rng() % 4);
    for (int e = 0; e < edits && !text.empty(); ++e) {
      size_t at = rng() % text.size();
      switch (rng() % 3) {
        case 0:
          text.erase(at, 1 + rng() % 8);
          break;
        case 1:
          text.insert(at, 1, alphabet[rng() % alphabet.size()]);
          break;
        default:
          text[at] = alphabet[rng() % alphabet.size()];
          break;
      }
    }
    auto config = ParseConfig(text, "fuzz.yaml", options);
    if (config.ok()) {
      ++loaded;
      EXPECT_FALSE((*config)->deployments.empty());
    } else {
      ++rejected;
      ASSERT_TRUE(config.status().IsInvalidArgument()) << config.status().ToString();
      ASSERT_EQ(config.status().message().rfind("fuzz.yaml", 0), 0u) << config.status().message();
    }
  }
  // Both outcomes happen: comments and values absorb many edits.
  EXPECT_GT(loaded, 100) << rejected;
  std::printf("fuzz: %d loaded, %d rejected\n", loaded, rejected);
  EXPECT_GT(rejected, 100) << loaded;
}

// `ukairo config check`, run as a user would.
int RunCli(const std::string& args, std::string* out) {
  return testing::RunCommand(testing::UkairoBinary() + " " + args + " 2>&1", out);
}

TEST(ConfigCheckCli, PrintsNormalizedConfigOrError) {
  if (FILE* f = fopen(testing::UkairoBinary().c_str(), "r")) {
    fclose(f);
  } else {
    GTEST_SKIP() << "build the ukairo target first";
  }
  std::string out;
  EXPECT_EQ(RunCli("config check " + testing::SourcePath("data/litellm_config.yaml"), &out), 0);
  EXPECT_NE(out.find("high-precision [Spec, Design, Review]: claude-opus -> claude-sonnet -> "
                     "gemini-3-pro -> gemini-flash -> glm -> local"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("$1.75 in / $14 out / $0.175 cached per M tokens"), std::string::npos);
  EXPECT_NE(out.find("alerts: 80% notify 90% warn 100% stop_and_fallback"), std::string::npos);

  out.clear();
  EXPECT_EQ(RunCli("config check --json " + testing::SourcePath("data/litellm_config.yaml"), &out),
            0);
  auto j = nlohmann::json::parse(out.substr(out.find('{')));
  EXPECT_EQ(j["ok"], true);
  EXPECT_EQ(j["tiers"][1]["chain"][0], "gpt-5.2");
  EXPECT_EQ(j["deployments"][0]["input_usd_per_mtok"], "5");
  EXPECT_EQ(j["deployments"][0]["input_pico_per_token"], 5'000'000);

  out.clear();
  const std::string bad = testing::SourcePath("data/configs/bad_type_rpm.yaml");
  EXPECT_EQ(RunCli("config check " + bad, &out), 2);
  EXPECT_NE(out.find(bad + ":12:12: model_list[2].litellm_params.rpm"), std::string::npos) << out;
}

}  // namespace
}  // namespace ukairo::router
