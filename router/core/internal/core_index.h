// CoreIndex: a Config compiled into integer indexes for the router core's
// hot path, so that routing a request does no lookup by string beyond the
// tag and the requested model.
//
// Budget scopes are numbered 0..scopes.size()-1; only scopes with a
// configured limit get a number (an unlimited scope can neither refuse nor
// alert). kNone marks "absent" everywhere.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "ledger/projection.h"
#include "router/core/config.h"

namespace ukairo::router {

inline constexpr uint32_t kNone = UINT32_MAX;

// What a request's "model" names (CoreIndex::ResolveModel).
enum class ModelKind : uint8_t {
  kByTag = 0,  // "" / "auto" / a tier name: the process tag's tier chain
  kGroup,      // a model group: that group's chain
  kUnknown,    // nothing served here: the core answers 404 model_not_found
};
struct ModelResolution {
  ModelKind kind = ModelKind::kByTag;
  uint32_t group = kNone;  // kGroup only
};
inline constexpr const char* kModelAuto = "auto";

struct CoreIndex {
  std::shared_ptr<const Config> config;

  std::vector<std::string> group_names;  // sorted (Config::groups order)
  std::unordered_map<std::string, uint32_t> group_by_name;
  std::vector<std::vector<uint32_t>> group_deployments;  // deployment indexes
  std::vector<uint32_t> deployment_group;                // per deployment
  std::unordered_map<std::string, uint32_t> deployment_by_id;

  std::vector<std::string> tag_names;
  std::unordered_map<std::string, uint32_t> tag_by_name;
  uint32_t default_tag = kNone;
  std::vector<uint32_t> tag_tier;  // tier index or kNone
  std::unordered_map<std::string, uint32_t> tier_by_name;

  std::vector<std::vector<uint32_t>> tier_chain;     // group indexes, primary first
  std::vector<std::vector<uint32_t>> group_chain;    // [g] + fallbacks[g] (or default)
  std::vector<std::vector<uint32_t>> context_chain;  // context_window_fallbacks[g]
  std::vector<std::vector<uint32_t>> single_chain;   // [g], for gate continue-with-model

  std::vector<ledger::ScopeId> scopes;
  std::vector<NanoUsd> scope_limit_nanos;
  std::vector<uint32_t> group_scope;  // per group
  std::vector<uint32_t> tag_scope;    // per tag
  std::vector<uint32_t> tier_scope;   // per tier
  uint32_t global_scope = kNone;

  uint32_t FindScope(const ledger::ScopeId& id) const;
  uint32_t FindGroup(const std::string& name) const {
    auto it = group_by_name.find(name);
    return it == group_by_name.end() ? kNone : it->second;
  }
  uint32_t FindDeployment(const std::string& id) const {
    auto it = deployment_by_id.find(id);
    return it == deployment_by_id.end() ? kNone : it->second;
  }
  // The client's "model", in this order: "" or "auto" or a tier name → by
  // the process tag (a tier name does not pick that tier: the tag does, as
  // in LiteLLM's "auto"); a model group → that group; anything else →
  // unknown. Exact, case-sensitive names.
  ModelResolution ResolveModel(const std::string& model) const {
    if (model.empty() || model == kModelAuto || tier_by_name.contains(model)) return {};
    const uint32_t g = FindGroup(model);
    if (g == kNone) return {ModelKind::kUnknown, kNone};
    return {ModelKind::kGroup, g};
  }
  // The tag a request is counted under: itself if known, else the default.
  uint32_t ResolveTag(const std::string& tag) const {
    auto it = tag_by_name.find(tag);
    return it == tag_by_name.end() ? default_tag : it->second;
  }
  const std::string& TierName(uint32_t tier) const;
};

// REQUIRES: the config is valid: chains and fallbacks name existing groups,
// chains are at most `chain_groups_max` long. Violations are asserted; the
// config loader/verifier rejects such configs before they get here.
std::shared_ptr<const CoreIndex> BuildCoreIndex(std::shared_ptr<const Config> config,
                                                uint32_t chain_groups_max);

}  // namespace ukairo::router
