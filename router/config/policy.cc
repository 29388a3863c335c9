// The policy file (data/policy/part22.yaml): the seed's rules as data, read
// by the verifier (router/config/verifier.h).
#include "router/config/policy.h"

#include <yaml-cpp/yaml.h>

#include <fstream>
#include <sstream>

namespace ukairo::router {
namespace {

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

}  // namespace

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

}  // namespace ukairo::router
