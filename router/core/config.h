// The validated internal configuration every part of ukairo runs on.
//
// Three YAML layouts map onto it (router/config/loader.h): LiteLLM's proxy
// config (model_list, router_settings, litellm_settings, general_settings),
// the seed's short layout (router:, budget:, tag_budget:, alerts:), and
// ukairo's own `ukairo:` section (tiers, tag→tier, budgets per scope, alert
// rules, retry schedule, health checks, gate, notifications).
//
// A Config is a value: immutable once loaded, cheap to share by
// shared_ptr<const Config>. Money is nano-USD, prices pico-USD per token.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ledger/event.h"
#include "base/money.h"
#include "ledger/period.h"

namespace ukairo::router {

using ledger::AlertAction;
using ledger::ScopeKind;

enum class RoutingStrategy : uint8_t { kSimpleShuffle = 0, kLeastBusy };

// One upstream endpoint (a LiteLLM "deployment").
struct Deployment {
  std::string id;              // unique; model_info.id or "<group>#<index>"
  std::string model_group;     // model_name: deployments sharing it form a group
  std::string provider_model;  // litellm_params.model, e.g. "openai/gpt-5.2"
  std::string api_base;        // "" = the provider's default
  std::string api_key_env;     // the *name* of the env var; the key never lives here
  int64_t rpm = 0;             // requests per minute, 0 = unlimited
  int64_t tpm = 0;             // tokens per minute, 0 = unlimited
  TokenPrice price;            // zero for local models
  bool price_known = false;    // false: no price found (cost counted as 0, warned)
  int64_t max_input_tokens = 0;   // 0 = unknown
  int64_t max_output_tokens = 0;  // 0 = unknown
  int64_t timeout_ms = 600'000;
  int64_t weight = 1;
  // Zero cost with a known price: a local model (ollama, lm_studio, vllm on
  // localhost) or one priced at zero. An unpriced model is *not* local.
  bool is_local() const {
    return price_known && price.input_pico == 0 && price.output_pico == 0;
  }
  // Called with Anthropic's Messages API (and its OpenAI-compatible layer
  // for OpenAI-style requests).
  bool speaks_anthropic() const { return provider_model.rfind("anthropic/", 0) == 0; }
};

struct ModelGroup {
  std::string name;
  std::vector<size_t> deployments;  // indexes into Config::deployments
};

// R-2201: a tier maps process tags to a chain of model groups.
struct Tier {
  std::string name;                 // "high-precision", "build", "economy"
  std::vector<std::string> tags;    // process tags routed here
  std::vector<std::string> chain;   // model groups, primary first; never reordered
};

struct BudgetLimit {
  ScopeKind kind = ScopeKind::kGlobal;
  std::string key;                  // "" for global
  NanoUsd limit_nanos = 0;
};

struct AlertRule {
  uint32_t threshold_pct = 0;       // 80, 90, 100
  AlertAction action = AlertAction::kNotify;
};

struct RetryPolicy {
  uint32_t num_retries = 3;                          // retries after the first try
  std::vector<int64_t> backoff_ms = {2000, 4000, 8000};  // one per retry; last repeats
  uint32_t jitter_pct = 0;                           // ± seeded jitter, 0 = none
  int64_t retry_after_max_ms = 60'000;               // cap on honoured Retry-After
  int64_t retry_after_min_ms = 0;                    // LiteLLM retry_after: least wait
};

struct CooldownPolicy {
  uint32_t allowed_fails = 3;        // failures within cooldown_time_ms → cooling_down
  int64_t cooldown_time_ms = 60'000;
};

struct HealthCheck {
  bool enabled = true;
  int64_t interval_ms = 300'000;     // R-2205: every 5 minutes
  std::string mode = "models";       // "models" (GET /models) or "completion"
};

struct GateSettings {
  bool enabled = true;               // R-2206: a stop waits for a human
};

struct NotifySettings {
  std::string webhook_url;           // Slack-compatible; may come from env
  std::string webhook_url_env;       // name of the env var holding it
  uint32_t retries = 3;
  std::string email_to;              // optional, recorded only
};

struct Config {
  std::vector<Deployment> deployments;
  std::map<std::string, ModelGroup> groups;           // by model_name
  std::vector<Tier> tiers;
  std::map<std::string, std::string> tag_to_tier;     // process tag → tier name
  std::string default_tag = "Build";                  // R-2201: missing/unknown tag
  std::vector<std::string> known_tags;                // Spec, Design, Build, ...
  // Model-group fallbacks as LiteLLM writes them (group → next groups).
  std::map<std::string, std::vector<std::string>> fallbacks;
  std::map<std::string, std::vector<std::string>> context_window_fallbacks;
  std::vector<std::string> default_fallbacks;
  std::vector<BudgetLimit> budgets;
  std::vector<AlertRule> alerts;                      // ascending threshold
  PeriodKind budget_period = PeriodKind::kMonth;
  int64_t default_max_output_tokens = 4096;           // reservation cap without max_tokens
  RoutingStrategy routing_strategy = RoutingStrategy::kSimpleShuffle;
  RetryPolicy retry;
  CooldownPolicy cooldown;
  HealthCheck health;
  GateSettings gate;
  NotifySettings notify;
  std::string master_key_env;                         // general_settings.master_key env name
  std::string master_key;                             // resolved; never logged or stored
  bool auth_required = false;                         // ukairo.auth.required: keys even without one
  int64_t request_timeout_ms = 600'000;
  size_t max_request_body_bytes = 4 << 20;

  // Provenance.
  std::string source;                                 // file path
  std::string text;                                   // the YAML as read
  std::string sha256_hex;                             // of `text`
  std::string price_table_source;                     // path of the price table, "" = none
  std::vector<std::string> warnings;                  // unknown keys etc., with line:col

  // Lookups. nullptr when absent.
  const Deployment* FindDeployment(const std::string& id) const;
  const ModelGroup* FindGroup(const std::string& name) const;
  const Tier* FindTier(const std::string& name) const;
  // The tier a tag routes to, after defaulting unknown/missing tags.
  const Tier* TierForTag(const std::string& tag) const;
  std::optional<NanoUsd> Limit(ScopeKind kind, const std::string& key) const;
};

}  // namespace ukairo::router
