// Loading a YAML file into a validated Config (router/core/config.h).
//
// Three layouts are read from one file, in this order, later ones winning
// where they set the same thing:
//   1. LiteLLM's proxy config: model_list, litellm_settings, router_settings
//      (router_settings win over litellm_settings), general_settings,
//      environment_variables.
//   2. The seed's short layout: router: [{model, max_budget, rpm_limit,
//      fallback}], budget: {model: usd}, tag_budget: {tag: usd}, alerts:.
//      rpm_limit / tpm_limit set rpm / tpm on every deployment of the group.
//      A file with no model_list gets one implicit deployment per model name
//      the short layout mentions (provider model = that name, except that
//      "local/X" means ollama/X on 127.0.0.1:11434), so the seed's own
//      snippets load as is.
//   3. ukairo's own `ukairo:` section (tiers, budgets, alerts, retry, cooldown,
//      health_check, gate, notify, price_table).
//
// Values written `os.environ/NAME` are read from the environment when loaded
// (environment_variables: in the file first, then the process), except
// api_key and master_key, of which only the variable's *name* is kept in
// the deployment (master_key is resolved into Config::master_key).
//
// Money is read from the scalar's text ("0.25" → 250'000'000 nano-USD), never
// through a double. Integers accept YAML 1.1 separators ("80_000").
//
// Prices: LoadOptions::prices if given; else the file named by
// LoadOptions::price_table_path; else `ukairo.price_table:` (relative to the
// config file's directory); else the first of <dir>/prices/model_prices.json,
// <dir>/../prices/model_prices.json, <dir>/../data/prices/model_prices.json
// that exists (dir = the config file's directory); else no table (every
// non-local model then warns "no price").
//
// Errors: InvalidArgument "file:line:col: key.path: what" (1-based line and
// column from the YAML mark); nothing is returned half-loaded. Unknown keys
// are warnings ("file:line:col: unknown key 'x' at y (ignored)") in
// Config::warnings.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "base/status.h"
#include "router/core/config.h"
#include "router/config/price_table.h"

namespace ukairo::router {

// Returns the value of an environment variable, or nullopt when unset.
using EnvLookup = std::function<std::optional<std::string>(const std::string& name)>;

struct LoadOptions {
  EnvLookup env;                       // empty: the process environment (getenv)
  const PriceTable* prices = nullptr;  // not owned; wins over every path rule
  std::string price_table_path;        // "" = the rule in the file comment
};

inline constexpr size_t kConfigBytesMax = 1u << 20;
inline constexpr size_t kDeploymentsMax = 1024;
inline constexpr size_t kTiersMax = 64;
inline constexpr size_t kChainLengthMax = 16;
inline constexpr size_t kAlertsMax = 16;
inline constexpr size_t kBackoffStepsMax = 16;

// Reads `path` and loads it. Errors: IOError when unreadable, InvalidArgument
// for a bad config (see above).
Result<std::shared_ptr<const Config>> LoadConfigFile(const std::string& path,
                                                     const LoadOptions& options = {});

// Loads YAML text; `source` names it in messages and its directory anchors
// relative price-table paths.
Result<std::shared_ptr<const Config>> ParseConfig(std::string_view text, const std::string& source,
                                                  const LoadOptions& options = {});

// Lower-case hex SHA-256 of `data`.
std::string Sha256Hex(std::string_view data);

}  // namespace ukairo::router
