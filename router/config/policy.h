// The policy file (data/policy/part22.yaml): the R-2201 tier table, the
// R-2204 chain shapes and the budget, alert and gate requirements, as data.
// The verifier (router/config/verifier.h) holds a config against it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/status.h"
#include "router/core/config.h"

namespace ukairo::router {

struct ChainElement {
  std::vector<std::string> classes;  // alternatives
  char repeat = '1';                 // '1', '?', '+', '*'
};

struct TierPolicy {
  std::string name;
  std::vector<std::string> tags;
  bool chore = false;                // no high-precision primary allowed
  std::vector<ChainElement> chain;
  std::string chain_text;            // as written, for reports
};

struct AlertPolicy {
  uint32_t threshold_pct = 0;
  AlertAction action = AlertAction::kNotify;
};

struct Policy {
  std::vector<std::pair<std::string, std::vector<std::string>>> model_classes;
  std::vector<std::string> high_precision_classes;
  std::vector<TierPolicy> tiers;
  bool require_model_budgets = true;
  bool require_tag_budgets = true;
  std::vector<AlertPolicy> alerts;
  bool require_gate = true;
  int64_t health_check_interval_s_max = 300;
  std::string source;
};

Result<Policy> LoadPolicy(const std::string& path);
Result<Policy> ParsePolicy(const std::string& yaml_text, const std::string& source);

}  // namespace ukairo::router
