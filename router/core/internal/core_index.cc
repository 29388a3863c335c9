#include "router/core/internal/core_index.h"
#include "base/check.h"

#include <algorithm>

namespace ukairo::router {
namespace {

// Group names that do not exist are dropped (with an assertion in debug):
// the verifier reports them, and routing past a typo beats crashing.
std::vector<uint32_t> ChainOf(const CoreIndex& index, const std::vector<std::string>& names,
                              uint32_t chain_groups_max) {
  std::vector<uint32_t> chain;
  for (const auto& name : names) {
    const uint32_t g = index.FindGroup(name);
    UKAIRO_CHECK(g != kNone, "chain names an unknown model group");
    if (g == kNone) continue;
    if (std::find(chain.begin(), chain.end(), g) != chain.end()) continue;
    if (chain.size() == chain_groups_max) break;
    chain.push_back(g);
  }
  return chain;
}

uint32_t AddTag(CoreIndex& index, const std::string& tag) {
  auto [it, inserted] = index.tag_by_name.emplace(tag, index.tag_names.size());
  if (inserted) index.tag_names.push_back(tag);
  return it->second;
}

void IndexScopes(CoreIndex& index, const Config& config) {
  index.group_scope.assign(index.group_names.size(), kNone);
  index.tag_scope.assign(index.tag_names.size(), kNone);
  index.tier_scope.assign(config.tiers.size(), kNone);
  for (const BudgetLimit& b : config.budgets) {
    const ledger::ScopeId id{b.kind, b.kind == ScopeKind::kGlobal ? "" : b.key};
    if (index.FindScope(id) != kNone) continue;  // first limit wins, as Config::Limit
    const uint32_t s = static_cast<uint32_t>(index.scopes.size());
    switch (b.kind) {
      case ScopeKind::kModel: {
        const uint32_t g = index.FindGroup(b.key);
        if (g == kNone) continue;
        index.group_scope[g] = s;
        break;
      }
      case ScopeKind::kTag: {
        auto it = index.tag_by_name.find(b.key);
        if (it == index.tag_by_name.end()) continue;
        index.tag_scope[it->second] = s;
        break;
      }
      case ScopeKind::kTier: {
        const Tier* tier = config.FindTier(b.key);
        if (tier == nullptr) continue;
        index.tier_scope[static_cast<size_t>(tier - config.tiers.data())] = s;
        break;
      }
      case ScopeKind::kGlobal:
        index.global_scope = s;
        break;
      case ScopeKind::kKey:
      case ScopeKind::kTeam:
        // Key and team budgets come with the keys (the projection's key
        // state, KeyGuard), never from the config's budgets.
        continue;
    }
    index.scopes.push_back(id);
    index.scope_limit_nanos.push_back(b.limit_nanos);
  }
}

}  // namespace

uint32_t CoreIndex::FindScope(const ledger::ScopeId& id) const {
  for (size_t s = 0; s < scopes.size(); ++s) {
    if (scopes[s] == id) return static_cast<uint32_t>(s);
  }
  return kNone;
}

const std::string& CoreIndex::TierName(uint32_t tier) const {
  static const std::string kEmpty;
  return tier == kNone ? kEmpty : config->tiers[tier].name;
}

std::shared_ptr<const CoreIndex> BuildCoreIndex(std::shared_ptr<const Config> config,
                                                uint32_t chain_groups_max) {
  UKAIRO_CHECK(config != nullptr);
  auto index = std::make_shared<CoreIndex>();
  index->config = config;
  const Config& c = *config;
  for (const auto& [name, group] : c.groups) {
    index->group_by_name.emplace(name, index->group_names.size());
    index->group_names.push_back(name);
  }
  index->group_deployments.resize(index->group_names.size());
  index->deployment_group.assign(c.deployments.size(), kNone);
  for (size_t d = 0; d < c.deployments.size(); ++d) {
    index->deployment_by_id.emplace(c.deployments[d].id, d);
    const uint32_t g = index->FindGroup(c.deployments[d].model_group);
    UKAIRO_CHECK(g != kNone, "deployment of an unknown group");
    if (g == kNone) continue;
    index->deployment_group[d] = g;
    index->group_deployments[g].push_back(static_cast<uint32_t>(d));
  }
  // Tags: every one the config mentions; the default tag is always known.
  for (const auto& t : c.known_tags) AddTag(*index, t);
  for (const auto& [t, tier] : c.tag_to_tier) AddTag(*index, t);
  for (const auto& tier : c.tiers) {
    for (const auto& t : tier.tags) AddTag(*index, t);
  }
  for (const auto& b : c.budgets) {
    if (b.kind == ScopeKind::kTag) AddTag(*index, b.key);
  }
  index->default_tag = AddTag(*index, c.default_tag);
  for (const auto& t : index->tag_names) {
    const Tier* tier = c.TierForTag(t);
    index->tag_tier.push_back(tier == nullptr ? kNone
                                              : static_cast<uint32_t>(tier - c.tiers.data()));
  }
  for (const auto& tier : c.tiers) {
    index->tier_by_name.emplace(tier.name, static_cast<uint32_t>(index->tier_chain.size()));
    index->tier_chain.push_back(ChainOf(*index, tier.chain, chain_groups_max));
  }
  for (const auto& name : index->group_names) {
    std::vector<std::string> names{name};
    auto it = c.fallbacks.find(name);
    const auto& next = it != c.fallbacks.end() ? it->second : c.default_fallbacks;
    names.insert(names.end(), next.begin(), next.end());
    index->group_chain.push_back(ChainOf(*index, names, chain_groups_max));
    auto cw = c.context_window_fallbacks.find(name);
    index->context_chain.push_back(cw == c.context_window_fallbacks.end()
                                       ? std::vector<uint32_t>{}
                                       : ChainOf(*index, cw->second, chain_groups_max));
    index->single_chain.push_back({index->FindGroup(name)});
  }
  IndexScopes(*index, c);
  return index;
}

}  // namespace ukairo::router
