// ukairo's own `ukairo:` section: tiers, tags, budgets, alerts, retry,
// cooldown, health checks, the gate, notifications and the price table path.
#include <algorithm>
#include <filesystem>

#include "router/config/internal.h"

namespace ukairo::router::config_internal {
namespace {

constexpr int64_t kTokensMax = 100'000'000;
constexpr int64_t kBackoffMsMax = 3'600'000;

// The seed's eight process tags (R-2202), known unless `tags:` says otherwise.
const std::vector<std::string>& SeedTags() {
  static const std::vector<std::string> tags = {"Spec", "Design", "Build",   "Review",
                                                "Fix",  "Verify", "Release", "Operate"};
  return tags;
}

std::optional<std::vector<std::string>> ParseChain(Reader* r, const Fields& f,
                                                   const YAML::Node& node, const std::string& path,
                                                   const Config& c) {
  const YAML::Node* chain = f.Get("chain");
  const YAML::Node* primary = f.Get("primary");
  if ((chain == nullptr) == (primary == nullptr)) {
    r->Fail(node, path, "a tier needs exactly one of 'chain' or 'primary'");
    return std::nullopt;
  }
  std::vector<std::string> groups;
  const YAML::Node& at = chain ? *chain : *primary;
  std::string p = Child(path, chain ? "chain" : "primary");
  if (chain != nullptr) {
    auto list = r->StringList(*chain, p);
    if (!list) return std::nullopt;
    groups = std::move(*list);
  } else {
    // Derived: the primary, then its LiteLLM fallbacks.
    auto first = r->String(*primary, p);
    if (!first || !RequireGroup(r, c, *primary, p, *first)) return std::nullopt;
    groups.push_back(*first);
    auto it = c.fallbacks.find(*first);
    if (it != c.fallbacks.end()) groups.insert(groups.end(), it->second.begin(), it->second.end());
  }
  if (groups.empty()) {
    r->Fail(at, p, "empty chain");
    return std::nullopt;
  }
  if (groups.size() > kChainLengthMax) {
    r->Fail(at, p, "chain longer than " + std::to_string(kChainLengthMax));
    return std::nullopt;
  }
  for (size_t k = 0; k < groups.size(); ++k) {
    const YAML::Node& item = chain ? (*chain)[k] : *primary;
    if (!RequireGroup(r, c, item, chain ? Index(p, k) : p, groups[k])) return std::nullopt;
    if (std::find(groups.begin(), groups.begin() + k, groups[k]) != groups.begin() + k) {
      r->Fail(item, chain ? Index(p, k) : p, "'" + groups[k] + "' appears twice in the chain");
      return std::nullopt;
    }
  }
  return groups;
}

void ParseTier(Reader* r, const YAML::Node& node, const std::string& path, Config* c) {
  auto f = r->Map(node, path, {"name", "tags", "chain", "primary", "budget"});
  if (!f) return;
  const YAML::Node* name = f->Get("name");
  if (name == nullptr) {
    r->Fail(node, path, "missing required key 'name'");
    return;
  }
  Tier tier;
  auto s = r->String(*name, Child(path, "name"));
  if (!s) return;
  tier.name = *s;
  if (c->FindTier(tier.name) != nullptr) {
    r->Fail(*name, Child(path, "name"), "duplicate tier '" + tier.name + "'");
    return;
  }
  if (const YAML::Node* tags = f->Get("tags")) {
    auto list = r->StringList(*tags, Child(path, "tags"));
    if (!list) return;
    for (size_t k = 0; k < list->size(); ++k) {
      const std::string& tag = (*list)[k];
      auto it = c->tag_to_tier.find(tag);
      if (it != c->tag_to_tier.end()) {
        r->Fail((*tags)[k], Index(Child(path, "tags"), k),
                "tag '" + tag + "' is mapped to two tiers ('" + it->second + "' and '" + tier.name +
                    "')");
        return;
      }
      c->tag_to_tier[tag] = tier.name;
    }
    tier.tags = std::move(*list);
  }
  auto chain = ParseChain(r, *f, node, path, *c);
  if (!chain) return;
  tier.chain = std::move(*chain);
  if (const YAML::Node* budget = f->Get("budget")) {
    auto v = r->Usd(*budget, Child(path, "budget"));
    if (!v) return;
    SetBudget(c, ScopeKind::kTier, tier.name, *v);
  }
  c->tiers.push_back(std::move(tier));
}

void ParseBudgets(Reader* r, const YAML::Node& node, const std::string& path, Config* c) {
  auto f = r->Map(node, path, {"global", "model", "tag", "tier"});
  if (!f) return;
  if (const YAML::Node* n = f->Get("global")) {
    auto v = r->Usd(*n, Child(path, "global"));
    if (!v) return;
    SetBudget(c, ScopeKind::kGlobal, "", *v);
  }
  struct Scope {
    const char* key;
    ScopeKind kind;
  };
  for (Scope scope : {Scope{"model", ScopeKind::kModel}, Scope{"tag", ScopeKind::kTag},
                      Scope{"tier", ScopeKind::kTier}}) {
    const YAML::Node* n = f->Get(scope.key);
    if (n == nullptr) continue;
    std::string sp = Child(path, scope.key);
    auto entries = r->Map(*n, sp, {});
    if (!entries) return;
    for (const Field& e : entries->all()) {
      std::string p = Child(sp, e.key);
      if (scope.kind == ScopeKind::kModel && !RequireGroup(r, *c, e.key_node, p, e.key)) return;
      if (scope.kind == ScopeKind::kTier && c->FindTier(e.key) == nullptr) {
        r->Fail(e.key_node, p, "unknown tier '" + e.key + "'");
        return;
      }
      auto v = r->Usd(e.value, p);
      if (!v) return;
      SetBudget(c, scope.kind, e.key, *v);
    }
  }
}

void ParseRetry(Reader* r, const YAML::Node& node, const std::string& path, Config* c) {
  auto f = r->Map(node, path, {"num_retries", "backoff_ms", "jitter_pct", "retry_after_max_ms"});
  if (!f) return;
  if (const YAML::Node* n = f->Get("num_retries")) {
    if (auto v = r->Int(*n, Child(path, "num_retries"), 0, 16)) {
      c->retry.num_retries = static_cast<uint32_t>(*v);
    }
  }
  if (const YAML::Node* n = f->Get("backoff_ms")) {
    std::string p = Child(path, "backoff_ms");
    auto items = r->Seq(*n, p);
    if (!items) return;
    if (items->empty() || items->size() > kBackoffStepsMax) {
      r->Fail(*n, p, "expected 1.." + std::to_string(kBackoffStepsMax) + " steps");
      return;
    }
    std::vector<int64_t> steps;
    for (size_t k = 0; k < items->size(); ++k) {
      auto v = r->Int((*items)[k], Index(p, k), 0, kBackoffMsMax);
      if (!v) return;
      steps.push_back(*v);
    }
    c->retry.backoff_ms = std::move(steps);
  }
  if (const YAML::Node* n = f->Get("jitter_pct")) {
    if (auto v = r->Int(*n, Child(path, "jitter_pct"), 0, 100)) {
      c->retry.jitter_pct = static_cast<uint32_t>(*v);
    }
  }
  if (const YAML::Node* n = f->Get("retry_after_max_ms")) {
    if (auto v = r->Int(*n, Child(path, "retry_after_max_ms"), 0, kBackoffMsMax)) {
      c->retry.retry_after_max_ms = *v;
    }
  }
}

void ParseOperations(Reader* r, const Fields& f, const std::string& path, Config* c) {
  if (const YAML::Node* n = f.Get("cooldown")) {
    std::string p = Child(path, "cooldown");
    auto g = r->Map(*n, p, {"allowed_fails", "cooldown_time_s"});
    if (!g) return;
    if (const YAML::Node* v = g->Get("allowed_fails")) {
      if (auto x = r->Int(*v, Child(p, "allowed_fails"), 0, 1'000'000)) {
        c->cooldown.allowed_fails = static_cast<uint32_t>(*x);
      }
    }
    if (const YAML::Node* v = g->Get("cooldown_time_s")) {
      if (auto x = r->SecondsAsMillis(*v, Child(p, "cooldown_time_s"))) {
        c->cooldown.cooldown_time_ms = *x;
      }
    }
  }
  if (const YAML::Node* n = f.Get("health_check")) {
    std::string p = Child(path, "health_check");
    auto g = r->Map(*n, p, {"enabled", "interval_s", "mode"});
    if (!g) return;
    if (const YAML::Node* v = g->Get("enabled")) {
      if (auto x = r->Bool(*v, Child(p, "enabled"))) c->health.enabled = *x;
    }
    if (const YAML::Node* v = g->Get("interval_s")) {
      auto x = r->SecondsAsMillis(*v, Child(p, "interval_s"));
      if (x && *x == 0) r->Fail(*v, Child(p, "interval_s"), "interval must be > 0");
      if (x && *x > 0) c->health.interval_ms = *x;
    }
    if (const YAML::Node* v = g->Get("mode")) {
      auto x = r->String(*v, Child(p, "mode"));
      if (x && *x != "models" && *x != "completion") {
        r->Fail(*v, Child(p, "mode"), "expected 'models' or 'completion', got '" + *x + "'");
      } else if (x) {
        c->health.mode = *x;
      }
    }
  }
  if (const YAML::Node* n = f.Get("auth")) {
    std::string p = Child(path, "auth");
    auto g = r->Map(*n, p, {"required"});
    if (!g) return;
    if (const YAML::Node* v = g->Get("required")) {
      if (auto x = r->Bool(*v, Child(p, "required"))) c->auth_required = *x;
    }
  }
  if (const YAML::Node* n = f.Get("gate")) {
    std::string p = Child(path, "gate");
    auto g = r->Map(*n, p, {"enabled"});
    if (!g) return;
    if (const YAML::Node* v = g->Get("enabled")) {
      if (auto x = r->Bool(*v, Child(p, "enabled"))) c->gate.enabled = *x;
    }
  }
}

void ParseNotify(Reader* r, const YAML::Node& node, const std::string& path, Config* c) {
  auto f = r->Map(node, path, {"webhook_url", "retries", "email_to"});
  if (!f) return;
  if (const YAML::Node* n = f->Get("webhook_url")) {
    if (auto env = Reader::EnvName(*n)) {
      c->notify.webhook_url_env = *env;
      if (auto value = r->Getenv(*env)) {
        c->notify.webhook_url = *value;
      } else {
        r->Warn(*n, Child(path, "webhook_url") + ": environment variable " + *env +
                        " is not set; notifications are only recorded");
      }
    } else if (auto s = r->String(*n, Child(path, "webhook_url"))) {
      c->notify.webhook_url = *s;
    }
  }
  if (const YAML::Node* n = f->Get("retries")) {
    if (auto v = r->Int(*n, Child(path, "retries"), 0, 16)) {
      c->notify.retries = static_cast<uint32_t>(*v);
    }
  }
  if (const YAML::Node* n = f->Get("email_to")) {
    if (auto s = r->String(*n, Child(path, "email_to"))) c->notify.email_to = *s;
  }
}

void ParseScalars(Reader* r, const Fields& f, const std::string& path,
                  const std::string& config_dir, Draft* d) {
  Config& c = d->config;
  if (const YAML::Node* n = f.Get("price_table")) {
    auto s = r->String(*n, Child(path, "price_table"));
    if (!s) return;
    std::filesystem::path p(*s);
    d->price_table_path = p.is_absolute() ? *s : (std::filesystem::path(config_dir) / p).string();
  }
  if (const YAML::Node* n = f.Get("budget_period")) {
    auto s = r->String(*n, Child(path, "budget_period"));
    if (!s) return;
    if (*s == "month") {
      c.budget_period = PeriodKind::kMonth;
    } else if (*s == "day") {
      c.budget_period = PeriodKind::kDay;
    } else {
      r->Fail(*n, Child(path, "budget_period"), "expected 'month' or 'day', got '" + *s + "'");
      return;
    }
  }
  if (const YAML::Node* n = f.Get("default_max_output_tokens")) {
    auto v = r->Int(*n, Child(path, "default_max_output_tokens"), 1, kTokensMax);
    if (v) c.default_max_output_tokens = *v;
  }
  if (const YAML::Node* n = f.Get("request_timeout_s")) {
    auto v = r->SecondsAsMillis(*n, Child(path, "request_timeout_s"));
    if (v) c.request_timeout_ms = *v;
  }
  if (const YAML::Node* n = f.Get("tags")) {
    auto list = r->StringList(*n, Child(path, "tags"));
    if (list) c.known_tags = *list;
  }
  if (const YAML::Node* n = f.Get("default_tag")) {
    auto s = r->String(*n, Child(path, "default_tag"));
    if (s) c.default_tag = *s;
  }
}

}  // namespace

void ParseUkairoSection(Reader* r, const YAML::Node& node, const std::string& config_dir,
                        Draft* d) {
  const std::string path = "ukairo";
  Config& c = d->config;
  if (c.known_tags.empty()) c.known_tags = SeedTags();
  if (!node.IsDefined() || node.IsNull()) return;
  auto f = r->Map(node, path,
                  {"price_table", "default_tag", "tags", "budget_period",
                   "default_max_output_tokens", "request_timeout_s", "tiers", "budgets", "alerts",
                   "retry", "cooldown", "health_check", "gate", "notify", "auth"});
  if (!f) return;
  ParseScalars(r, *f, path, config_dir, d);
  if (const YAML::Node* n = f->Get("tiers")) {
    auto items = r->Seq(*n, Child(path, "tiers"));
    if (!items) return;
    if (items->size() > kTiersMax) {
      r->Fail(*n, Child(path, "tiers"), "more than " + std::to_string(kTiersMax) + " tiers");
      return;
    }
    for (size_t i = 0; i < items->size() && r->ok(); ++i) {
      ParseTier(r, (*items)[i], Index(Child(path, "tiers"), i), &c);
    }
  }
  if (!r->ok()) return;
  for (const auto& tier : c.tiers) {
    for (const auto& tag : tier.tags) {
      if (std::find(c.known_tags.begin(), c.known_tags.end(), tag) == c.known_tags.end()) {
        c.known_tags.push_back(tag);
      }
    }
  }
  if (!c.tiers.empty() && c.tag_to_tier.count(c.default_tag) == 0) {
    const YAML::Node* at = f->Get("default_tag");
    r->Fail(at ? *at : node, Child(path, "default_tag"),
            "default tag '" + c.default_tag + "' is not routed by any tier");
    return;
  }
  if (const YAML::Node* n = f->Get("budgets")) ParseBudgets(r, *n, Child(path, "budgets"), &c);
  if (const YAML::Node* n = f->Get("alerts")) {
    ParseAlerts(r, *n, Child(path, "alerts"), "threshold_pct", &c);
  }
  if (const YAML::Node* n = f->Get("retry")) ParseRetry(r, *n, Child(path, "retry"), &c);
  ParseOperations(r, *f, path, &c);
  if (const YAML::Node* n = f->Get("notify")) ParseNotify(r, *n, Child(path, "notify"), &c);
}

}  // namespace ukairo::router::config_internal
