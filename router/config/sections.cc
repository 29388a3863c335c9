// The seed's short layout (router:, budget:, tag_budget:, alerts:) and the
// shared budget/alert helpers.
#include <algorithm>

#include "base/check.h"
#include "router/config/internal.h"

namespace ukairo::router::config_internal {
namespace {

// Names the short layout mentions, in order, for a file without model_list.
void CollectShortLayoutNames(const Fields& root, std::vector<std::string>* names) {
  auto add = [&](const YAML::Node& n) {
    if (!n.IsScalar()) return;
    if (std::find(names->begin(), names->end(), n.Scalar()) == names->end()) {
      names->push_back(n.Scalar());
    }
  };
  if (const YAML::Node* router = root.Get("router"); router && router->IsSequence()) {
    for (const auto& entry : *router) {
      if (!entry.IsMap()) continue;
      if (entry["model"]) add(entry["model"]);
      for (const char* key : {"fallback", "fallbacks"}) {
        if (entry[key] && entry[key].IsSequence()) {
          for (const auto& n : entry[key]) add(n);
        }
      }
    }
  }
  if (const YAML::Node* budget = root.Get("budget"); budget && budget->IsMap()) {
    for (const auto& pair : *budget) add(YAML::Node(pair.first));
  }
}

void ParseRouterEntry(Reader* r, const YAML::Node& node, const std::string& path, Config* c) {
  auto f = r->Map(node, path,
                  {"model", "max_budget", "rpm_limit", "tpm_limit", "fallback", "fallbacks"});
  if (!f) return;
  const YAML::Node* model = f->Get("model");
  if (model == nullptr) {
    r->Fail(node, path, "missing required key 'model'");
    return;
  }
  auto group = r->String(*model, Child(path, "model"));
  if (!group || !RequireGroup(r, *c, *model, Child(path, "model"), *group)) return;
  if (const YAML::Node* n = f->Get("max_budget")) {
    if (auto v = r->Usd(*n, Child(path, "max_budget"))) {
      SetBudget(c, ScopeKind::kModel, *group, *v);
    }
  }
  for (const char* key : {"rpm_limit", "tpm_limit"}) {
    const YAML::Node* n = f->Get(key);
    if (n == nullptr) continue;
    auto v = r->Int(*n, Child(path, key), 0, 1'000'000'000'000);
    if (!v) return;
    for (size_t i : c->groups[*group].deployments) {
      (key[0] == 'r' ? c->deployments[i].rpm : c->deployments[i].tpm) = *v;
    }
  }
  for (const char* key : {"fallback", "fallbacks"}) {
    const YAML::Node* n = f->Get(key);
    if (n == nullptr) continue;
    std::string p = Child(path, key);
    auto next = r->StringList(*n, p);
    if (!next) return;
    if (next->size() > kChainLengthMax) {
      r->Fail(*n, p, "more than " + std::to_string(kChainLengthMax) + " fallbacks");
      return;
    }
    for (size_t k = 0; k < next->size(); ++k) {
      if (!RequireGroup(r, *c, (*n)[k], Index(p, k), (*next)[k])) return;
    }
    c->fallbacks[*group] = std::move(*next);
  }
}

}  // namespace

void SetBudget(Config* config, ScopeKind kind, const std::string& key, NanoUsd limit_nanos) {
  UKAIRO_CHECK(limit_nanos >= 0);
  for (auto& b : config->budgets) {
    if (b.kind == kind && b.key == key) {
      b.limit_nanos = limit_nanos;
      return;
    }
  }
  config->budgets.push_back(BudgetLimit{kind, key, limit_nanos});
}

std::optional<AlertAction> ParseAlertAction(std::string_view text) {
  if (text == "notify") return AlertAction::kNotify;
  if (text == "warn") return AlertAction::kWarn;
  if (text == "stop_and_fallback") return AlertAction::kStopAndFallback;
  return std::nullopt;
}


void ParseAlerts(Reader* r, const YAML::Node& node, const std::string& path,
                 const char* threshold_key, Config* c) {
  auto items = r->Seq(node, path);
  if (!items) return;
  if (items->size() > kAlertsMax) {
    r->Fail(node, path, "more than " + std::to_string(kAlertsMax) + " alert rules");
    return;
  }
  std::vector<AlertRule> rules;
  for (size_t i = 0; i < items->size(); ++i) {
    std::string p = Index(path, i);
    auto f = r->Map((*items)[i], p, {threshold_key, "action"});
    if (!f) return;
    const YAML::Node* threshold = f->Get(threshold_key);
    const YAML::Node* action = f->Get("action");
    if (threshold == nullptr || action == nullptr) {
      r->Fail((*items)[i], p,
              std::string("missing required key '") + (threshold ? "action" : threshold_key) + "'");
      return;
    }
    std::string tp = Child(p, threshold_key);
    auto pct = r->Int(*threshold, tp, 1, 100);
    auto name = r->String(*action, Child(p, "action"));
    if (!pct || !name) return;
    auto kind = ParseAlertAction(*name);
    if (!kind) {
      r->Fail(*action, Child(p, "action"),
              "unknown action '" + *name + "' (notify, warn, stop_and_fallback)");
      return;
    }
    if (!rules.empty() && static_cast<int64_t>(rules.back().threshold_pct) >= *pct) {
      r->Fail(*threshold, tp,
              "thresholds must ascend: " + std::to_string(*pct) + " after " +
                  std::to_string(rules.back().threshold_pct));
      return;
    }
    rules.push_back(AlertRule{static_cast<uint32_t>(*pct), *kind});
  }
  c->alerts = std::move(rules);
}

void AddImplicitDeployments(Reader* r, const Fields& root, Draft* d) {
  std::vector<std::string> names;
  CollectShortLayoutNames(root, &names);
  if (names.empty()) return;
  if (names.size() > kDeploymentsMax) names.resize(kDeploymentsMax);
  d->implicit_deployments = true;
  for (const auto& name : names) {
    Deployment dep;
    dep.id = name + "#0";
    dep.model_group = name;
    dep.provider_model = name;
    // The seed writes the last resort as "local/llama3": Ollama on this host.
    if (name.rfind("local/", 0) == 0) {
      dep.provider_model = "ollama/" + name.substr(6);
      dep.api_base = "http://127.0.0.1:11434";
    }
    d->config.groups[name] = ModelGroup{name, {d->config.deployments.size()}};
    d->config.deployments.push_back(std::move(dep));
    d->overrides.push_back(PriceOverride{});
  }
  const YAML::Node* at = root.Get("router");
  r->Warn(at ? *at : YAML::Node(), "no model_list: " + std::to_string(names.size()) +
                                       " deployments implied by the short layout's names");
}

void ParseShortLayout(Reader* r, const Fields& root, Draft* d) {
  Config& c = d->config;
  if (const YAML::Node* node = root.Get("router")) {
    auto items = r->Seq(*node, "router");
    if (!items) return;
    for (size_t i = 0; i < items->size() && r->ok(); ++i) {
      ParseRouterEntry(r, (*items)[i], Index("router", i), &c);
    }
  }
  if (const YAML::Node* node = root.Get("budget")) {
    auto f = r->Map(*node, "budget", {});
    if (!f) return;
    for (const Field& field : f->all()) {
      std::string p = Child("budget", field.key);
      if (!RequireGroup(r, c, field.key_node, p, field.key)) return;
      auto v = r->Usd(field.value, p);
      if (!v) return;
      SetBudget(&c, ScopeKind::kModel, field.key, *v);
    }
  }
  if (const YAML::Node* node = root.Get("tag_budget")) {
    auto f = r->Map(*node, "tag_budget", {});
    if (!f) return;
    for (const Field& field : f->all()) {
      auto v = r->Usd(field.value, Child("tag_budget", field.key));
      if (!v) return;
      SetBudget(&c, ScopeKind::kTag, field.key, *v);
    }
  }
  if (const YAML::Node* node = root.Get("alerts")) ParseAlerts(r, *node, "alerts", "threshold", &c);
}

}  // namespace ukairo::router::config_internal
