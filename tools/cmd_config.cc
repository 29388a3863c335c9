// `ukairo config check FILE [--json] [--prices FILE]`: loads a config the
// way `serve` would and prints the normalized result (deployments with exact
// prices, groups, tiers and chains, tag → tier, budgets, alerts, retry,
// cooldown, health checks, gate, notifications, warnings), or the error with
// file:line:col and key path. Exit 0 when it loads, 2 when it does not.
//
// Price table: --prices wins; else the config's `ukairo.price_table:`
// (relative to the config file); else prices/model_prices.json next to the
// config, or ../prices/ or ../data/prices/ (see router/config/loader.h).
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "router/config/loader.h"
#include "tools/command.h"

namespace ukairo::tools {
namespace {

using router::AlertAction;
using router::Config;
using router::Deployment;
using router::ScopeKind;

// The names events and reports use, so `config check` speaks the same words.
const char* ScopeName(ScopeKind kind) { return ledger::ScopeKindName(kind); }
const char* ActionName(AlertAction action) { return ledger::AlertActionName(action); }

std::string Join(const std::vector<std::string>& items, const char* sep) {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : sep) + s;
  return out;
}

std::string PriceText(const Deployment& d) {
  if (!d.price_known) return "price unknown";
  if (d.is_local()) return "local (free)";
  return "$" + router::FormatUsdPerMillion(d.price.input_pico) + " in / $" +
         router::FormatUsdPerMillion(d.price.output_pico) + " out / $" +
         router::FormatUsdPerMillion(d.price.cache_read_pico) + " cached per M tokens";
}

nlohmann::ordered_json DeploymentJson(const Deployment& d) {
  return {{"id", d.id},
          {"model_group", d.model_group},
          {"provider_model", d.provider_model},
          {"api_base", d.api_base},
          {"api_key_env", d.api_key_env},
          {"rpm", d.rpm},
          {"tpm", d.tpm},
          {"price_known", d.price_known},
          {"local", d.is_local()},
          {"input_usd_per_mtok", router::FormatUsdPerMillion(d.price.input_pico)},
          {"output_usd_per_mtok", router::FormatUsdPerMillion(d.price.output_pico)},
          {"cache_read_usd_per_mtok", router::FormatUsdPerMillion(d.price.cache_read_pico)},
          {"input_pico_per_token", d.price.input_pico},
          {"output_pico_per_token", d.price.output_pico},
          {"cache_read_pico_per_token", d.price.cache_read_pico},
          {"max_input_tokens", d.max_input_tokens},
          {"max_output_tokens", d.max_output_tokens},
          {"timeout_ms", d.timeout_ms},
          {"weight", d.weight}};
}

nlohmann::ordered_json ConfigJson(const Config& c) {
  nlohmann::ordered_json j;
  j["source"] = c.source;
  j["sha256"] = c.sha256_hex;
  j["price_table"] = c.price_table_source;
  j["deployments"] = nlohmann::ordered_json::array();
  for (const auto& d : c.deployments) j["deployments"].push_back(DeploymentJson(d));
  for (const auto& [name, g] : c.groups) {
    std::vector<std::string> ids;
    for (size_t i : g.deployments) ids.push_back(c.deployments[i].id);
    j["groups"][name] = ids;
  }
  j["tiers"] = nlohmann::ordered_json::array();
  for (const auto& t : c.tiers) {
    j["tiers"].push_back({{"name", t.name}, {"tags", t.tags}, {"chain", t.chain}});
  }
  j["tag_to_tier"] = c.tag_to_tier;
  j["default_tag"] = c.default_tag;
  j["known_tags"] = c.known_tags;
  j["fallbacks"] = c.fallbacks;
  j["context_window_fallbacks"] = c.context_window_fallbacks;
  j["default_fallbacks"] = c.default_fallbacks;
  j["budget_period"] = c.budget_period == PeriodKind::kDay ? "day" : "month";
  j["budgets"] = nlohmann::ordered_json::array();
  for (const auto& b : c.budgets) {
    j["budgets"].push_back({{"scope", ScopeName(b.kind)},
                            {"key", b.key},
                            {"limit_usd", FormatNanosAsUsd(b.limit_nanos)},
                            {"limit_nanos", b.limit_nanos}});
  }
  j["alerts"] = nlohmann::ordered_json::array();
  for (const auto& a : c.alerts) {
    j["alerts"].push_back({{"threshold_pct", a.threshold_pct}, {"action", ActionName(a.action)}});
  }
  j["routing_strategy"] =
      c.routing_strategy == router::RoutingStrategy::kLeastBusy ? "least-busy" : "simple-shuffle";
  j["retry"] = {{"num_retries", c.retry.num_retries},
                {"backoff_ms", c.retry.backoff_ms},
                {"jitter_pct", c.retry.jitter_pct},
                {"retry_after_min_ms", c.retry.retry_after_min_ms},
                {"retry_after_max_ms", c.retry.retry_after_max_ms}};
  j["cooldown"] = {{"allowed_fails", c.cooldown.allowed_fails},
                   {"cooldown_time_ms", c.cooldown.cooldown_time_ms}};
  j["health_check"] = {{"enabled", c.health.enabled},
                       {"interval_ms", c.health.interval_ms},
                       {"mode", c.health.mode}};
  j["gate"] = {{"enabled", c.gate.enabled}};
  // The webhook URL itself is a secret of sorts: show only where it comes from.
  j["notify"] = {{"webhook_url_env", c.notify.webhook_url_env},
                 {"webhook_url_set", !c.notify.webhook_url.empty()},
                 {"retries", c.notify.retries},
                 {"email_to", c.notify.email_to}};
  j["master_key_env"] = c.master_key_env;
  j["master_key_set"] = !c.master_key.empty();
  j["default_max_output_tokens"] = c.default_max_output_tokens;
  j["request_timeout_ms"] = c.request_timeout_ms;
  j["warnings"] = c.warnings;
  return j;
}

void PrintDeployments(const Config& c, std::ostream& out) {
  out << "deployments (" << c.deployments.size() << "):\n";
  for (const auto& d : c.deployments) {
    out << "  " << d.id << "  group=" << d.model_group << "  model=" << d.provider_model;
    if (!d.api_base.empty()) out << "  api_base=" << d.api_base;
    if (!d.api_key_env.empty()) out << "  key=$" << d.api_key_env;
    out << "\n    " << PriceText(d) << "; rpm=" << d.rpm << " tpm=" << d.tpm << "; context "
        << d.max_input_tokens << " in / " << d.max_output_tokens << " out; timeout " << d.timeout_ms
        << " ms\n";
  }
}

void PrintText(const Config& c, std::ostream& out) {
  out << "config: " << c.source << "\nsha256: " << c.sha256_hex
      << "\nprices: " << (c.price_table_source.empty() ? "(none)" : c.price_table_source) << "\n";
  PrintDeployments(c, out);
  out << "groups:\n";
  for (const auto& [name, g] : c.groups) {
    std::vector<std::string> ids;
    for (size_t i : g.deployments) ids.push_back(c.deployments[i].id);
    out << "  " << name << ": " << Join(ids, ", ") << "\n";
  }
  out << "tiers:\n";
  for (const auto& t : c.tiers) {
    out << "  " << t.name << " [" << Join(t.tags, ", ") << "]: " << Join(t.chain, " -> ") << "\n";
  }
  out << "default tag: " << c.default_tag << " (-> "
      << (c.TierForTag(c.default_tag) ? c.TierForTag(c.default_tag)->name : "none") << ")\n";
  out << "fallbacks:\n";
  for (const auto& [from, to] : c.fallbacks)
    out << "  " << from << " -> " << Join(to, ", ") << "\n";
  out << "budgets (per " << (c.budget_period == PeriodKind::kDay ? "day" : "month") << "):\n";
  for (const auto& b : c.budgets) {
    out << "  " << ScopeName(b.kind) << (b.key.empty() ? "" : " " + b.key) << ": $"
        << FormatNanosAsUsd(b.limit_nanos) << "\n";
  }
  out << "alerts:";
  for (const auto& a : c.alerts) out << " " << a.threshold_pct << "% " << ActionName(a.action);
  std::vector<std::string> steps;
  for (int64_t ms : c.retry.backoff_ms) steps.push_back(std::to_string(ms));
  out << "\nretry: " << c.retry.num_retries << " retries, backoff " << Join(steps, "/")
      << " ms, jitter " << c.retry.jitter_pct << "%, Retry-After cap " << c.retry.retry_after_max_ms
      << " ms\n";
  out << "cooldown: " << c.cooldown.allowed_fails << " fails -> " << c.cooldown.cooldown_time_ms
      << " ms\n";
  out << "health check: " << (c.health.enabled ? "on" : "off") << ", every " << c.health.interval_ms
      << " ms, mode " << c.health.mode << "\n";
  out << "gate: " << (c.gate.enabled ? "on" : "off") << "\n";
  out << "notify: webhook "
      << (c.notify.webhook_url_env.empty() ? "(literal)" : "$" + c.notify.webhook_url_env)
      << (c.notify.webhook_url.empty() ? " (unset)" : " (set)") << ", retries " << c.notify.retries
      << "\n";
  out << "warnings (" << c.warnings.size() << "):\n";
  for (const auto& w : c.warnings) out << "  " << w << "\n";
}

int RunCheck(const std::string& file, bool json, const std::string& prices) {
  router::LoadOptions options;
  options.price_table_path = prices;
  auto config = router::LoadConfigFile(file, options);
  if (!config.ok()) {
    if (json) {
      std::cout << nlohmann::ordered_json{{"ok", false}, {"error", config.status().message()}}.dump(
                       2)
                << "\n";
    } else {
      std::cerr << "error: " << config.status().message() << "\n";
    }
    return kExitUsage;
  }
  if (json) {
    nlohmann::ordered_json j = {{"ok", true}};
    j.update(ConfigJson(**config));
    std::cout << j.dump(2) << "\n";
  } else {
    PrintText(**config, std::cout);
    std::cout << "OK\n";
  }
  return kExitOk;
}

RegisterCommand register_config(20, [](CLI::App& root, int* exit_code) {
  CLI::App* config = root.add_subcommand("config", "Inspect and check configuration files");
  config->require_subcommand(1);
  CLI::App* check = config->add_subcommand(
      "check", "Load a config and print it normalized (exit 0 ok, 2 invalid)");
  struct Args {
    std::string file;
    std::string prices;
    bool json = false;
  };
  auto args = std::make_shared<Args>();
  check->add_option("FILE", args->file, "YAML config (LiteLLM proxy layout + ukairo:)")->required();
  check->add_flag("--json", args->json, "Print JSON for programs");
  check->add_option("--prices", args->prices,
                    "LiteLLM model_prices_and_context_window.json to price models with");
  check->callback(
      [args, exit_code] { *exit_code = RunCheck(args->file, args->json, args->prices); });
});

}  // namespace
}  // namespace ukairo::tools
