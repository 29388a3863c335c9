// LiteLLM proxy-config sections: model_list, litellm_settings,
// router_settings, general_settings. Key names follow LiteLLM's docs
// (docs.litellm.ai/docs/proxy/configs); keys LiteLLM knows but ukairo does
// not use are accepted silently, anything else warns.
#include <algorithm>

#include "router/config/internal.h"

namespace ukairo::router::config_internal {
namespace {

constexpr int64_t kRateMax = 1'000'000'000'000;  // rpm / tpm
constexpr int64_t kTokensMax = 100'000'000;      // context windows
constexpr int64_t kWeightMax = 1'000'000;
constexpr int64_t kRetriesMax = 16;

void ParseLitellmParams(Reader* r, const YAML::Node& node, const std::string& path, Deployment* dep,
                        PriceOverride* ov) {
  // clang-format off
  auto f = r->Map(node, path,
                  {"model", "api_base", "api_key", "api_version", "rpm", "tpm", "timeout",
                   "stream_timeout", "weight", "max_tokens", "max_retries", "num_retries",
                   "organization", "region_name", "aws_access_key_id", "aws_secret_access_key",
                   "aws_region_name", "aws_session_name", "aws_role_name", "aws_profile_name",
                   "vertex_project", "vertex_location", "vertex_credentials",
                   "custom_llm_provider", "input_cost_per_token", "output_cost_per_token",
                   "tags", "order", "temperature", "top_p", "drop_params", "mock_response",
                   "max_parallel_requests", "base_model", "azure_ad_token", "tenant_id",
                   "client_id", "client_secret", "extra_headers", "headers", "seed",
                   "litellm_credential_name", "use_in_pass_through", "api_type",
                   "merge_reasoning_content_in_choices", "reasoning_effort"});
  // clang-format on
  if (!f) return;
  const YAML::Node* model = f->Get("model");
  if (model == nullptr) {
    r->Fail(node, path, "missing required key 'model'");
    return;
  }
  if (auto s = r->String(*model, Child(path, "model"))) dep->provider_model = *s;
  if (const YAML::Node* n = f->Get("api_base")) {
    if (auto s = r->String(*n, Child(path, "api_base"))) dep->api_base = *s;
  }
  if (const YAML::Node* n = f->Get("api_key")) {
    if (auto env = Reader::EnvName(*n)) {
      dep->api_key_env = *env;
    } else {
      r->Warn(*n, Child(path, "api_key") +
                      ": a literal key is not kept; write os.environ/NAME instead");
    }
  }
  if (const YAML::Node* n = f->Get("rpm")) {
    if (auto v = r->Int(*n, Child(path, "rpm"), 0, kRateMax)) dep->rpm = *v;
  }
  if (const YAML::Node* n = f->Get("tpm")) {
    if (auto v = r->Int(*n, Child(path, "tpm"), 0, kRateMax)) dep->tpm = *v;
  }
  if (const YAML::Node* n = f->Get("timeout")) {
    if (auto v = r->SecondsAsMillis(*n, Child(path, "timeout"))) dep->timeout_ms = *v;
  }
  if (const YAML::Node* n = f->Get("weight")) {
    if (auto v = r->Int(*n, Child(path, "weight"), 1, kWeightMax)) dep->weight = *v;
  }
  if (const YAML::Node* n = f->Get("max_tokens")) {
    if (auto v = r->Int(*n, Child(path, "max_tokens"), 1, kTokensMax)) ov->max_tokens_param = *v;
  }
  if (const YAML::Node* n = f->Get("input_cost_per_token")) {
    ov->input_pico = r->PricePerToken(*n, Child(path, "input_cost_per_token"));
  }
  if (const YAML::Node* n = f->Get("output_cost_per_token")) {
    ov->output_pico = r->PricePerToken(*n, Child(path, "output_cost_per_token"));
  }
}

void ParseModelInfo(Reader* r, const YAML::Node& node, const std::string& path, Deployment* dep,
                    PriceOverride* ov) {
  auto f = r->Map(node, path, {});
  if (!f) return;
  for (const Field& field : f->all()) {
    const std::string& k = field.key;
    std::string p = Child(path, k);
    if (k == "id") {
      if (auto s = r->String(field.value, p)) dep->id = *s;
      ov->id_where = field.value;
    } else if (k == "input_cost_per_token") {
      ov->input_pico = r->PricePerToken(field.value, p);
    } else if (k == "output_cost_per_token") {
      ov->output_pico = r->PricePerToken(field.value, p);
    } else if (k == "cache_read_input_token_cost") {
      ov->cache_read_pico = r->PricePerToken(field.value, p);
    } else if (k == "cache_creation_input_token_cost") {
      ov->cache_write_pico = r->PricePerToken(field.value, p);
    } else if (k == "max_input_tokens") {
      if (auto v = r->Int(field.value, p, 0, kTokensMax)) dep->max_input_tokens = *v;
    } else if (k == "max_output_tokens" || k == "max_tokens") {
      if (auto v = r->Int(field.value, p, 0, kTokensMax)) dep->max_output_tokens = *v;
    } else if (k == "base_model") {
      if (auto s = r->String(field.value, p)) ov->base_model = *s;
    } else if (k.rfind("supports_", 0) == 0 || k == "mode" || k == "description" ||
               k == "team_id" || k == "access_groups" || k == "litellm_provider" || k == "tier" ||
               k == "db_model") {
      // LiteLLM metadata ukairo does not use.
    } else {
      r->Warn(field.key_node, "unknown key '" + k + "' at " + path + " (ignored)");
    }
  }
}

void ParseDeployment(Reader* r, const YAML::Node& node, const std::string& path, Draft* d,
                     std::map<std::string, size_t>* group_sizes) {
  auto f = r->Map(node, path, {"model_name", "litellm_params", "model_info", "rpm", "tpm"});
  if (!f) return;
  Deployment dep;
  PriceOverride ov;
  ov.where = node;
  const YAML::Node* name = f->Get("model_name");
  const YAML::Node* params = f->Get("litellm_params");
  if (name == nullptr || params == nullptr) {
    r->Fail(node, path,
            std::string("missing required key '") + (name ? "litellm_params" : "model_name") + "'");
    return;
  }
  if (auto s = r->String(*name, Child(path, "model_name"))) dep.model_group = *s;
  // rpm/tpm may sit beside litellm_params too; litellm_params wins.
  if (const YAML::Node* n = f->Get("rpm")) {
    if (auto v = r->Int(*n, Child(path, "rpm"), 0, kRateMax)) dep.rpm = *v;
  }
  if (const YAML::Node* n = f->Get("tpm")) {
    if (auto v = r->Int(*n, Child(path, "tpm"), 0, kRateMax)) dep.tpm = *v;
  }
  ParseLitellmParams(r, *params, Child(path, "litellm_params"), &dep, &ov);
  const YAML::Node* info = f->Get("model_info");
  if (info != nullptr) ParseModelInfo(r, *info, Child(path, "model_info"), &dep, &ov);
  if (!r->ok()) return;
  size_t index_in_group = (*group_sizes)[dep.model_group]++;
  if (dep.id.empty()) dep.id = dep.model_group + "#" + std::to_string(index_in_group);
  for (size_t i = 0; i < d->config.deployments.size(); ++i) {
    if (d->config.deployments[i].id == dep.id) {
      bool explicit_id = ov.id_where.IsScalar();
      r->Fail(explicit_id ? ov.id_where : node,
              explicit_id ? Child(Child(path, "model_info"), "id") : path,
              "duplicate deployment id '" + dep.id + "' (first at " +
                  r->Where(d->overrides[i].where) + ")");
      return;
    }
  }
  size_t index = d->config.deployments.size();
  d->config.groups[dep.model_group].name = dep.model_group;
  d->config.groups[dep.model_group].deployments.push_back(index);
  d->config.deployments.push_back(std::move(dep));
  d->overrides.push_back(std::move(ov));
}

// Keys both litellm_settings and router_settings may carry.
void ParseRetryAndFallbackKeys(Reader* r, const Fields& f, const std::string& path, Draft* d) {
  Config& c = d->config;
  if (const YAML::Node* n = f.Get("num_retries")) {
    if (auto v = r->Int(*n, Child(path, "num_retries"), 0, kRetriesMax)) {
      c.retry.num_retries = static_cast<uint32_t>(*v);
    }
  }
  if (const YAML::Node* n = f.Get("retry_after")) {
    if (auto v = r->SecondsAsMillis(*n, Child(path, "retry_after")))
      c.retry.retry_after_min_ms = *v;
  }
  if (const YAML::Node* n = f.Get("allowed_fails")) {
    if (auto v = r->Int(*n, Child(path, "allowed_fails"), 0, 1'000'000)) {
      c.cooldown.allowed_fails = static_cast<uint32_t>(*v);
    }
  }
  if (const YAML::Node* n = f.Get("cooldown_time")) {
    if (auto v = r->SecondsAsMillis(*n, Child(path, "cooldown_time"))) {
      c.cooldown.cooldown_time_ms = *v;
    }
  }
  for (const char* key : {"timeout", "request_timeout"}) {
    if (const YAML::Node* n = f.Get(key)) {
      if (auto v = r->SecondsAsMillis(*n, Child(path, key))) c.request_timeout_ms = *v;
    }
  }
  if (const YAML::Node* n = f.Get("fallbacks")) {
    ParseFallbacks(r, *n, Child(path, "fallbacks"), c, &c.fallbacks);
  }
  if (const YAML::Node* n = f.Get("context_window_fallbacks")) {
    ParseFallbacks(r, *n, Child(path, "context_window_fallbacks"), c, &c.context_window_fallbacks);
  }
  if (const YAML::Node* n = f.Get("default_fallbacks")) {
    std::string p = Child(path, "default_fallbacks");
    auto list = r->StringList(*n, p);
    if (!list) return;
    for (const auto& g : *list) {
      if (!RequireGroup(r, c, *n, p, g)) return;
    }
    c.default_fallbacks = *list;
  }
}

}  // namespace

bool RequireGroup(Reader* r, const Config& config, const YAML::Node& at, const std::string& path,
                  const std::string& name) {
  if (config.groups.count(name) != 0) return true;
  std::string known;
  for (const auto& [g, unused] : config.groups) known += (known.empty() ? "" : ", ") + g;
  return r->Fail(at, path, "unknown model group '" + name + "' (model_list has: " + known + ")");
}

void ParseFallbacks(Reader* r, const YAML::Node& node, const std::string& path,
                    const Config& config, std::map<std::string, std::vector<std::string>>* out) {
  auto items = r->Seq(node, path);
  if (!items) return;
  for (size_t i = 0; i < items->size(); ++i) {
    std::string item_path = Index(path, i);
    auto f = r->Map((*items)[i], item_path, {});
    if (!f) return;
    for (const Field& field : f->all()) {
      std::string p = Child(item_path, field.key);
      if (!RequireGroup(r, config, field.key_node, p, field.key)) return;
      auto next = r->StringList(field.value, p);
      if (!next) return;
      if (next->size() > kChainLengthMax) {
        r->Fail(field.value, p, "more than " + std::to_string(kChainLengthMax) + " fallbacks");
        return;
      }
      for (size_t k = 0; k < next->size(); ++k) {
        if (!RequireGroup(r, config, field.value[k], Index(p, k), (*next)[k])) return;
      }
      (*out)[field.key] = std::move(*next);
    }
  }
}

void ParseModelList(Reader* r, const YAML::Node& node, Draft* d) {
  auto items = r->Seq(node, "model_list");
  if (!items) return;
  if (items->size() > kDeploymentsMax) {
    r->Fail(node, "model_list", "more than " + std::to_string(kDeploymentsMax) + " deployments");
    return;
  }
  std::map<std::string, size_t> group_sizes;
  for (size_t i = 0; i < items->size() && r->ok(); ++i) {
    ParseDeployment(r, (*items)[i], Index("model_list", i), d, &group_sizes);
  }
}

void ParseLitellmSettings(Reader* r, const YAML::Node& node, Draft* d) {
  const std::string path = "litellm_settings";
  // clang-format off
  auto f = r->Map(
      node, path,
      {"num_retries", "request_timeout", "timeout", "fallbacks", "context_window_fallbacks",
       "default_fallbacks", "content_policy_fallbacks", "allowed_fails", "cooldown_time",
       "retry_after", "max_budget", "budget_duration", "drop_params", "set_verbose",
       "json_logs", "success_callback", "failure_callback", "callbacks", "service_callback",
       "cache", "cache_params", "turn_off_message_logging", "redact_user_api_key_info",
       "telemetry", "max_internal_user_budget", "internal_user_budget_duration",
       "default_team_settings", "upperbound_key_generate_params",
       "default_key_generate_params", "modify_params", "enable_json_schema_validation",
       "return_response_headers", "max_end_user_budget", "guardrails",
       "disable_end_user_cost_tracking", "force_ipv4", "ssl_verify", "callback_settings",
       "langfuse_default_tags", "add_function_to_prompt", "key_generation_settings",
       "enable_preview_features", "global_disable_no_log_param", "tag_budget_config"});
  // clang-format on
  if (!f) return;
  ParseRetryAndFallbackKeys(r, *f, path, d);
  if (const YAML::Node* n = f->Get("max_budget")) {
    if (auto v = r->Usd(*n, Child(path, "max_budget"))) {
      SetBudget(&d->config, ScopeKind::kGlobal, "", *v);
    }
  }
  if (const YAML::Node* n = f->Get("budget_duration")) {
    auto s = r->String(*n, Child(path, "budget_duration"));
    if (!s) return;
    if (*s == "1d" || *s == "24h") {
      d->config.budget_period = PeriodKind::kDay;
    } else if (*s == "1mo" || *s == "30d") {
      d->config.budget_period = PeriodKind::kMonth;
    } else {
      r->Warn(*n, Child(path, "budget_duration") + ": '" + *s +
                      "' is not a day or a month; using calendar months");
    }
  }
}

void ParseRouterSettings(Reader* r, const YAML::Node& node, Draft* d) {
  const std::string path = "router_settings";
  // clang-format off
  auto f = r->Map(
      node, path,
      {"routing_strategy", "routing_strategy_args", "num_retries", "retry_after",
       "allowed_fails", "cooldown_time", "fallbacks", "context_window_fallbacks",
       "content_policy_fallbacks", "default_fallbacks", "timeout", "stream_timeout",
       "redis_host", "redis_port", "redis_password", "redis_url", "enable_pre_call_checks",
       "model_group_alias", "retry_policy", "allowed_fails_policy", "set_verbose",
       "debug_level", "cache_responses", "cache_kwargs", "default_max_parallel_requests",
       "default_priority", "polling_interval", "provider_budget_config",
       "optional_pre_call_checks", "enable_tag_filtering", "tag_filtering_match_any",
       "disable_cooldowns", "max_fallbacks", "model_group_retry_policy"});
  // clang-format on
  if (!f) return;
  ParseRetryAndFallbackKeys(r, *f, path, d);
  if (const YAML::Node* n = f->Get("routing_strategy")) {
    auto s = r->String(*n, Child(path, "routing_strategy"));
    if (!s) return;
    if (*s == "simple-shuffle") {
      d->config.routing_strategy = RoutingStrategy::kSimpleShuffle;
    } else if (*s == "least-busy") {
      d->config.routing_strategy = RoutingStrategy::kLeastBusy;
    } else {
      r->Warn(*n, Child(path, "routing_strategy") + ": '" + *s +
                      "' is not supported by ukairo; using simple-shuffle");
    }
  }
}

void ParseGeneralSettings(Reader* r, const YAML::Node& node, Draft* d) {
  const std::string path = "general_settings";
  // clang-format off
  auto f = r->Map(
      node, path,
      {"master_key", "database_url", "database_connection_pool_limit",
       "database_connection_timeout", "alerting", "alerting_threshold", "alert_types",
       "alert_to_webhook_url", "proxy_batch_write_at", "disable_spend_logs",
       "store_model_in_db", "background_health_checks", "health_check_interval",
       "health_check_details", "use_redis_transaction_buffer",
       "allow_requests_on_db_unavailable", "disable_master_key_return",
       "max_parallel_requests", "global_max_parallel_requests", "infer_model_from_keys",
       "custom_auth", "enforce_user_param", "allowed_routes", "public_routes",
       "ui_access_mode", "litellm_key_header_name", "pass_through_endpoints",
       "max_request_size_mb", "max_response_size_mb", "otel", "enable_jwt_auth",
       "store_prompts_in_spend_logs", "disable_reset_budget",
       "forward_client_headers_to_llm_api", "maximum_spend_logs_retention_period"});
  // clang-format on
  if (!f) return;
  Config& c = d->config;
  if (const YAML::Node* n = f->Get("master_key")) {
    if (auto env = Reader::EnvName(*n)) {
      c.master_key_env = *env;
      if (auto value = r->Getenv(*env)) {
        c.master_key = *value;
      } else {
        r->Warn(*n, Child(path, "master_key") + ": environment variable " + *env +
                        " is not set; admin endpoints stay closed");
      }
    } else if (auto s = r->String(*n, Child(path, "master_key"))) {
      c.master_key = *s;
      r->Warn(*n, Child(path, "master_key") +
                      ": a literal key in the config; prefer "
                      "os.environ/NAME");
    }
  }
  if (const YAML::Node* n = f->Get("background_health_checks")) {
    if (auto v = r->Bool(*n, Child(path, "background_health_checks"))) c.health.enabled = *v;
  }
  if (const YAML::Node* n = f->Get("health_check_interval")) {
    if (auto v = r->SecondsAsMillis(*n, Child(path, "health_check_interval"))) {
      c.health.interval_ms = *v;
    }
  }
  if (const YAML::Node* n = f->Get("max_request_size_mb")) {
    if (auto v = r->Int(*n, Child(path, "max_request_size_mb"), 1, 1024)) {
      c.max_request_body_bytes = static_cast<size_t>(*v) << 20;
    }
  }
}

}  // namespace ukairo::router::config_internal
