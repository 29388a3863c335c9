#include "router/policy.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <set>
#include <sstream>

namespace ukairo::router {
namespace {

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string Where(const std::string& source, const YAML::Node& node, const std::string& key) {
  const YAML::Mark mark = node.Mark();
  return source + ":" + std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1) +
         ": " + key;
}

Result<ChainElement> ParseElement(const std::string& text) {
  ChainElement element;
  std::string body = text;
  if (!body.empty() && (body.back() == '?' || body.back() == '+' || body.back() == '*')) {
    element.repeat = body.back();
    body.pop_back();
  }
  std::stringstream parts(body);
  std::string part;
  while (std::getline(parts, part, '|')) {
    if (part.empty()) return Status::InvalidArgument("empty alternative in '" + text + "'");
    element.classes.push_back(part);
  }
  if (element.classes.empty()) return Status::InvalidArgument("empty chain element");
  return element;
}

Status ParseTiers(const YAML::Node& tiers, Policy* policy) {
  for (const auto& entry : tiers) {
    TierPolicy tier;
    tier.name = entry.first.as<std::string>();
    const YAML::Node& body = entry.second;
    if (body["tags"]) tier.tags = body["tags"].as<std::vector<std::string>>();
    if (body["chore"]) tier.chore = body["chore"].as<bool>();
    if (!body["chain"] || !body["chain"].IsSequence()) {
      return Status::InvalidArgument(Where(policy->source, body, "tiers." + tier.name) +
                                     ": a chain pattern (list) is required");
    }
    for (const auto& item : body["chain"]) {
      std::string text = item.as<std::string>();
      Result<ChainElement> element = ParseElement(text);
      if (!element.ok()) {
        return Status::InvalidArgument(Where(policy->source, item, "tiers." + tier.name +
                                                                       ".chain") +
                                       ": " + element.status().message());
      }
      for (const auto& cls : element->classes) {
        bool known = std::any_of(policy->model_classes.begin(), policy->model_classes.end(),
                                 [&](const auto& c) { return c.first == cls; });
        if (!known) {
          return Status::InvalidArgument(Where(policy->source, item, "tiers." + tier.name +
                                                                         ".chain") +
                                         ": unknown model class '" + cls + "'");
        }
      }
      tier.chain_text += (tier.chain_text.empty() ? "" : " → ") + text;
      tier.chain.push_back(std::move(*element));
    }
    policy->tiers.push_back(std::move(tier));
  }
  return Status::Ok();
}

// Does chain[i..] match pattern[p..]? Small backtracking matcher: chains
// hold a handful of groups, so exponential worst cases cannot occur.
bool MatchFrom(const std::vector<std::string>& classes, size_t i,
               const std::vector<ChainElement>& pattern, size_t p) {
  if (p == pattern.size()) return i == classes.size();
  const ChainElement& element = pattern[p];
  auto fits = [&](size_t k) {
    return k < classes.size() && std::find(element.classes.begin(), element.classes.end(),
                                           classes[k]) != element.classes.end();
  };
  size_t min_count = (element.repeat == '1' || element.repeat == '+') ? 1 : 0;
  size_t max_count = (element.repeat == '1' || element.repeat == '?') ? 1 : classes.size();
  size_t count = 0;
  while (count < min_count) {
    if (!fits(i + count)) return false;
    ++count;
  }
  for (;; ++count) {
    if (MatchFrom(classes, i + count, pattern, p + 1)) return true;
    if (count >= max_count || !fits(i + count)) return false;
  }
}

bool GroupIsLocal(const Config& config, const std::string& group) {
  const ModelGroup* g = config.FindGroup(group);
  if (g == nullptr || g->deployments.empty()) return false;
  for (size_t index : g->deployments) {
    if (!config.deployments[index].is_local()) return false;
  }
  return true;
}

void Add(CheckResult* result, bool is_error, std::string where, std::string message) {
  result->findings.push_back(Finding{is_error, std::move(where), std::move(message)});
}

CheckResult CheckConsistency(const Config& config, const Policy& policy) {
  CheckResult r{"V-2201", "config_consistency", "Tiers and tag mapping follow R-2201", {}, {}};
  for (const TierPolicy& tp : policy.tiers) {
    const Tier* tier = config.FindTier(tp.name);
    r.checked.push_back("tier " + tp.name + " exists and serves its tags");
    if (tier == nullptr) {
      Add(&r, true, "tiers", "tier '" + tp.name + "' required by the policy is missing");
      continue;
    }
    for (const std::string& tag : tp.tags) {
      auto it = config.tag_to_tier.find(tag);
      if (it == config.tag_to_tier.end()) {
        Add(&r, true, "tiers[" + tp.name + "].tags", "tag '" + tag + "' is not mapped to a tier");
      } else if (it->second != tp.name) {
        Add(&r, true, "tiers[" + it->second + "].tags",
            "tag '" + tag + "' routes to tier '" + it->second + "', policy says '" + tp.name + "'");
      }
    }
    if (tp.chore && !tier->chain.empty()) {
      std::string cls = ClassOfGroup(policy, config, tier->chain.front());
      r.checked.push_back("no high-precision primary in chore tier " + tp.name);
      if (std::find(policy.high_precision_classes.begin(), policy.high_precision_classes.end(),
                    cls) != policy.high_precision_classes.end()) {
        Add(&r, true, "tiers[" + tp.name + "].chain[0]",
            "high-precision model '" + tier->chain.front() + "' is the primary of chore tier '" +
                tp.name + "'");
      }
    }
  }
  r.checked.push_back("default tag '" + config.default_tag + "' routes to a tier");
  if (config.tag_to_tier.find(config.default_tag) == config.tag_to_tier.end()) {
    Add(&r, true, "default_tag", "default tag '" + config.default_tag + "' maps to no tier");
  }
  for (const Tier& tier : config.tiers) {
    for (size_t i = 0; i < tier.chain.size(); ++i) {
      if (config.FindGroup(tier.chain[i]) == nullptr) {
        Add(&r, true, "tiers[" + tier.name + "].chain[" + std::to_string(i) + "]",
            "model '" + tier.chain[i] + "' has no deployment");
      }
    }
  }
  return r;
}

CheckResult CheckBudgets(const Config& config, const Policy& policy) {
  CheckResult r{"V-2202", "budgets_alerts", "Budgets, alerts and auto-stop follow R-2202/R-2206",
                {}, {}};
  if (policy.require_model_budgets) {
    std::set<std::string> seen;
    for (const Tier& tier : config.tiers) {
      for (const std::string& group : tier.chain) {
        if (!seen.insert(group).second || GroupIsLocal(config, group)) continue;
        r.checked.push_back("model budget for " + group);
        if (!config.Limit(ScopeKind::kModel, group)) {
          Add(&r, true, "budgets.model." + group, "model '" + group + "' has no budget");
        }
      }
    }
  }
  if (policy.require_tag_budgets) {
    for (const TierPolicy& tp : policy.tiers) {
      for (const std::string& tag : tp.tags) {
        r.checked.push_back("tag budget for " + tag);
        if (!config.Limit(ScopeKind::kTag, tag)) {
          Add(&r, true, "budgets.tag." + tag, "tag '" + tag + "' has no budget");
        }
      }
    }
  }
  for (const AlertPolicy& want : policy.alerts) {
    r.checked.push_back("alert at " + std::to_string(want.threshold_pct) + " % → " +
                        ledger::AlertActionName(want.action));
    auto it = std::find_if(config.alerts.begin(), config.alerts.end(), [&](const AlertRule& a) {
      return a.threshold_pct == want.threshold_pct;
    });
    if (it == config.alerts.end()) {
      Add(&r, true, "alerts", "no alert at " + std::to_string(want.threshold_pct) + " %");
    } else if (it->action != want.action) {
      Add(&r, true, "alerts[" + std::to_string(want.threshold_pct) + "]",
          std::string("action is ") + ledger::AlertActionName(it->action) + ", policy requires " +
              ledger::AlertActionName(want.action));
    }
  }
  if (policy.require_gate) {
    r.checked.push_back("gate enabled (a stop waits for a human)");
    if (!config.gate.enabled) Add(&r, true, "gate.enabled", "the R-2206 gate is disabled");
  }
  return r;
}

CheckResult CheckFallbackOrder(const Config& config, const Policy& policy) {
  CheckResult r{"V-2203", "fallback_order", "Fallback chains equal the R-2204 policy", {}, {}};
  for (const TierPolicy& tp : policy.tiers) {
    const Tier* tier = config.FindTier(tp.name);
    if (tier == nullptr) {
      Add(&r, true, "tiers", "tier '" + tp.name + "' is missing");
      continue;
    }
    std::vector<std::string> classes;
    std::string shown;
    std::set<std::string> seen;
    for (size_t i = 0; i < tier->chain.size(); ++i) {
      const std::string& group = tier->chain[i];
      std::string cls = ClassOfGroup(policy, config, group);
      classes.push_back(cls.empty() ? "?" : cls);
      shown += (shown.empty() ? "" : " → ") + group + " (" + (cls.empty() ? "?" : cls) + ")";
      if (!seen.insert(group).second) {
        Add(&r, true, "tiers[" + tp.name + "].chain[" + std::to_string(i) + "]",
            "model '" + group + "' appears twice in the chain");
      }
    }
    r.checked.push_back("tier " + tp.name + ": " + shown + "  vs policy " + tp.chain_text);
    if (!MatchFrom(classes, 0, tp.chain, 0)) {
      Add(&r, true, "tiers[" + tp.name + "].chain",
          "chain " + shown + " does not follow the policy " + tp.chain_text);
    }
  }
  return r;
}

CheckResult CheckRecovery(const Config& config, const Policy& policy) {
  CheckResult r{"V-2204", "auto_recovery", "Automatic recovery is enabled (R-2205)", {}, {}};
  r.checked.push_back("health checks enabled, interval <= " +
                      std::to_string(policy.health_check_interval_s_max) + " s");
  if (!config.health.enabled) {
    Add(&r, false, "health_check.enabled", "automatic recovery (health checks) is disabled");
  } else if (config.health.interval_ms > policy.health_check_interval_s_max * 1000) {
    Add(&r, false, "health_check.interval_s",
        "interval " + std::to_string(config.health.interval_ms / 1000) + " s exceeds " +
            std::to_string(policy.health_check_interval_s_max) + " s");
  }
  return r;
}

}  // namespace

bool CheckResult::passed() const {
  return std::none_of(findings.begin(), findings.end(), [](const Finding& f) {
    return f.is_error;
  });
}

Result<Policy> LoadPolicy(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Status::IOError("cannot read policy file " + path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return ParsePolicy(buffer.str(), path);
}

Result<Policy> ParsePolicy(const std::string& yaml_text, const std::string& source) {
  Policy policy;
  policy.source = source;
  try {
    YAML::Node root = YAML::Load(yaml_text);
    if (!root.IsMap()) return Status::InvalidArgument(source + ": policy must be a mapping");
    for (const auto& entry : root["model_classes"]) {
      policy.model_classes.emplace_back(entry.first.as<std::string>(),
                                        entry.second.as<std::vector<std::string>>());
    }
    if (root["high_precision_classes"]) {
      policy.high_precision_classes =
          root["high_precision_classes"].as<std::vector<std::string>>();
    }
    UKAIRO_RETURN_IF_ERROR(ParseTiers(root["tiers"], &policy));
    if (root["require_model_budgets"]) {
      policy.require_model_budgets = root["require_model_budgets"].as<bool>();
    }
    if (root["require_tag_budgets"]) {
      policy.require_tag_budgets = root["require_tag_budgets"].as<bool>();
    }
    for (const auto& alert : root["alerts"]) {
      AlertPolicy a;
      a.threshold_pct = alert["threshold_pct"].as<uint32_t>();
      std::string action = alert["action"].as<std::string>();
      if (action == "notify") {
        a.action = AlertAction::kNotify;
      } else if (action == "warn") {
        a.action = AlertAction::kWarn;
      } else if (action == "stop_and_fallback") {
        a.action = AlertAction::kStopAndFallback;
      } else {
        return Status::InvalidArgument(Where(source, alert["action"], "alerts.action") +
                                       ": unknown action '" + action + "'");
      }
      policy.alerts.push_back(a);
    }
    if (root["require_gate"]) policy.require_gate = root["require_gate"].as<bool>();
    if (root["health_check_interval_s_max"]) {
      policy.health_check_interval_s_max = root["health_check_interval_s_max"].as<int64_t>();
    }
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument(source + ":" + std::to_string(e.mark.line + 1) + ":" +
                                   std::to_string(e.mark.column + 1) + ": " + e.msg);
  }
  if (policy.tiers.empty()) return Status::InvalidArgument(source + ": no tiers in policy");
  return policy;
}

std::string ClassOfGroup(const Policy& policy, const Config& config, const std::string& group) {
  if (GroupIsLocal(config, group)) return "local";
  std::vector<std::string> names = {Lower(group)};
  if (const ModelGroup* g = config.FindGroup(group)) {
    for (size_t index : g->deployments) {
      names.push_back(Lower(config.deployments[index].provider_model));
    }
  }
  // The group's own name decides first, so "gemini-3-pro" is never taken
  // for a flash model because of an odd provider string.
  for (const std::string& name : names) {
    for (const auto& [cls, needles] : policy.model_classes) {
      for (const std::string& needle : needles) {
        if (name.find(Lower(needle)) != std::string::npos) return cls;
      }
    }
  }
  return "";
}

std::vector<CheckResult> VerifyConfig(const Config& config, const Policy& policy) {
  return {CheckConsistency(config, policy), CheckBudgets(config, policy),
          CheckFallbackOrder(config, policy), CheckRecovery(config, policy)};
}

std::string RenderCheckMarkdown(const CheckResult& r, const Config& config,
                                const Policy& policy, const std::string& generated_at) {
  std::ostringstream md;
  size_t errors = 0, warnings = 0;
  for (const Finding& f : r.findings) (f.is_error ? errors : warnings)++;
  md << "# " << r.id << " " << r.title << "\n\n";
  md << "- result: **" << (r.passed() ? (warnings ? "PASS (with warnings)" : "PASS") : "FAIL")
     << "**\n";
  md << "- config: `" << config.source << "` (sha256 `" << config.sha256_hex << "`)\n";
  md << "- policy: `" << policy.source << "`\n";
  md << "- generated: " << generated_at << "\n\n";
  md << "## Checked\n\n";
  for (const std::string& line : r.checked) md << "- " << line << "\n";
  md << "\n## Findings (" << errors << " errors, " << warnings << " warnings)\n\n";
  if (r.findings.empty()) md << "None.\n";
  for (const Finding& f : r.findings) {
    md << "- " << (f.is_error ? "ERROR" : "WARNING") << " `" << f.where << "`: " << f.message
       << "\n";
  }
  return md.str();
}

}  // namespace ukairo::router
