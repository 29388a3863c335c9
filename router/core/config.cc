#include "router/core/config.h"

namespace ukairo::router {

const Deployment* Config::FindDeployment(const std::string& id) const {
  for (const auto& d : deployments) {
    if (d.id == id) return &d;
  }
  return nullptr;
}

const ModelGroup* Config::FindGroup(const std::string& name) const {
  auto it = groups.find(name);
  return it == groups.end() ? nullptr : &it->second;
}

const Tier* Config::FindTier(const std::string& name) const {
  for (const auto& t : tiers) {
    if (t.name == name) return &t;
  }
  return nullptr;
}

const Tier* Config::TierForTag(const std::string& tag) const {
  auto it = tag_to_tier.find(tag);
  if (it == tag_to_tier.end()) it = tag_to_tier.find(default_tag);
  if (it == tag_to_tier.end()) return tiers.empty() ? nullptr : &tiers.front();
  return FindTier(it->second);
}

std::optional<NanoUsd> Config::Limit(ScopeKind kind, const std::string& key) const {
  for (const auto& b : budgets) {
    if (b.kind == kind && b.key == key) return b.limit_nanos;
  }
  return std::nullopt;
}

}  // namespace ukairo::router
