// Policy checks V-2201..V-2204: does a config obey the seed's rules?
//
// A Policy (data/policy/part22.yaml) encodes the R-2201 tier table and the
// R-2204 chain shapes. VerifyConfig runs four checks over a loaded Config
// and returns one CheckResult per check; `ukairo verify` writes each as a
// Markdown report. Pure functions: no I/O besides LoadPolicy's file read.
#pragma once

#include <string>
#include <vector>

#include "ledger/status.h"
#include "router/config.h"

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
  bool passed() const;               // no error findings
};

// The class a model group belongs to under `policy` ("" if none).
std::string ClassOfGroup(const Policy& policy, const Config& config, const std::string& group);

// V-2201 consistency, V-2202 budgets/alerts/stop, V-2203 fallback order,
// V-2204 auto-recovery (warnings only).
std::vector<CheckResult> VerifyConfig(const Config& config, const Policy& policy);

// Markdown report of one check.
std::string RenderCheckMarkdown(const CheckResult& result, const Config& config,
                                const Policy& policy, const std::string& generated_at);

}  // namespace ukairo::router
