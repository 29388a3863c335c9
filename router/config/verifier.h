// The config verifier, checks V-2201..V-2204: does a config obey the seed's
// rules? VerifyConfig runs four checks over a loaded Config against a Policy
// (router/config/policy.h) and returns one CheckResult per check; `ukairo
// verify` writes each as a Markdown report. Pure functions, no I/O.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "router/config/policy.h"
#include "router/core/config.h"

namespace ukairo::router {

struct Finding {
  bool is_error = true;              // false: a warning
  std::string where;                 // config key path, e.g. "tiers[build].chain[2]"
  std::string message;
};

struct CheckResult {
  std::string id;                    // "V-2201"
  std::string name;                  // "config_consistency"
  std::string title;
  std::vector<std::string> checked;  // what was looked at, one line each
  std::vector<Finding> findings;
  std::string rule;                  // how the check decides (Markdown), "" = obvious
  bool passed() const;               // no error findings
};

// One chain the router core can walk for some request. router/core/internal/core_index.cc
// builds them and core_route.cc picks one per request: the tier's chain; for
// a client naming a model group other than its tier's primary, the group's
// own chain ([group] + fallbacks[group], else default_fallbacks); and, when a
// request's input is too long for a group, its context_window_fallbacks.
struct ReachableChain {
  enum class Kind : uint8_t { kTier, kGroup, kContextWindow };
  Kind kind = Kind::kTier;
  std::string name;                 // the tier, or the model group it starts from
  std::string source;               // config key the list comes from: "chain", "fallbacks",
                                    // "default_fallbacks", "context_window_fallbacks";
                                    // "" = a group with neither fallbacks nor defaults
  std::vector<std::string> groups;  // as the core walks them (duplicates dropped, capped);
                                    // a context-window chain excludes the group itself
};

// Every chain of `config` the core can walk, in the order above (tiers as
// configured, groups by name). Mirrors BuildCoreIndex; tests pin the two.
std::vector<ReachableChain> ReachableChains(const Config& config);

// The class a model group belongs to under `policy` ("" if none).
std::string ClassOfGroup(const Policy& policy, const Config& config, const std::string& group);

// V-2201 consistency, V-2202 budgets/alerts/stop, V-2203 fallback order of
// every reachable chain (the rule: verifier.cc, CheckFallbackOrder), V-2204
// auto-recovery (warnings only).
std::vector<CheckResult> VerifyConfig(const Config& config, const Policy& policy);

// Markdown report of one check.
std::string RenderCheckMarkdown(const CheckResult& result, const Config& config,
                                const Policy& policy, const std::string& generated_at);

}  // namespace ukairo::router
