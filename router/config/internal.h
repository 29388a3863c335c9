// Internal to the config loader (router/config_*.cc); not a public header.
//
// Reader walks the YAML tree, keeps the first error (with file:line:col and
// key path) and every warning. Section parsers return early once !ok(), so
// the loader never builds on a half-read value. No exceptions leave here:
// yaml-cpp's are caught in ParseConfig.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/money.h"
#include "base/status.h"
#include "router/core/config.h"
#include "router/config/loader.h"

namespace ukairo::router::config_internal {

// "a.b" / "a[3]" key paths for messages.
std::string Child(const std::string& path, std::string_view key);
std::string Index(const std::string& path, size_t index);

// The entries of one YAML map, in file order, with duplicate keys rejected.
struct Field {
  std::string key;
  YAML::Node key_node;
  YAML::Node value;
};
class Fields {
 public:
  const YAML::Node* Get(std::string_view key) const;
  const std::vector<Field>& all() const { return fields_; }
  std::vector<Field> fields_;
};

class Reader {
 public:
  Reader(std::string source, EnvLookup env) : source_(std::move(source)), env_(std::move(env)) {}

  bool ok() const { return error_.ok(); }
  const Status& error() const { return error_; }
  std::vector<std::string> TakeWarnings() { return std::move(warnings_); }

  // "file:line:col" of a node (1-based), or "file" when it has no mark.
  std::string Where(const YAML::Node& at) const;
  // Records an error unless one is already recorded. Always returns false.
  bool Fail(const YAML::Node& at, const std::string& path, const std::string& what);
  void Warn(const YAML::Node& at, const std::string& what);

  // A map's entries; warns on keys not in `known` (empty = accept all) and
  // fails on non-map, non-scalar or duplicate keys. A null node is an empty map.
  std::optional<Fields> Map(const YAML::Node& node, const std::string& path,
                            std::initializer_list<std::string_view> known);
  // A sequence's items; fails on anything else. A null node is empty.
  std::optional<std::vector<YAML::Node>> Seq(const YAML::Node& node, const std::string& path);

  // Scalars. os.environ/NAME is resolved first (missing variable: error).
  std::optional<std::string> String(const YAML::Node& node, const std::string& path);
  std::optional<int64_t> Int(const YAML::Node& node, const std::string& path, int64_t min,
                             int64_t max);
  std::optional<bool> Bool(const YAML::Node& node, const std::string& path);
  // Non-negative USD → nano-USD, exactly from the scalar's text.
  std::optional<NanoUsd> Usd(const YAML::Node& node, const std::string& path);
  // Non-negative USD per token → pico-USD per token, exactly.
  std::optional<PicoUsdPerToken> PricePerToken(const YAML::Node& node, const std::string& path);
  // Decimal seconds → milliseconds, exactly ("0.5" → 500).
  std::optional<int64_t> SecondsAsMillis(const YAML::Node& node, const std::string& path);
  std::optional<std::vector<std::string>> StringList(const YAML::Node& node,
                                                     const std::string& path);

  // "os.environ/NAME" → "NAME"; nullopt for anything else.
  static std::optional<std::string> EnvName(const YAML::Node& node);
  // Environment lookup with the file's own environment_variables first.
  std::optional<std::string> Getenv(const std::string& name) const;
  void SetFileEnv(std::map<std::string, std::string> vars) { file_env_ = std::move(vars); }

  const std::string& source() const { return source_; }

 private:
  // The scalar's text after env resolution, or nullopt (error recorded).
  std::optional<std::string> Scalar(const YAML::Node& node, const std::string& path,
                                    const char* expected);

  std::string source_;
  EnvLookup env_;
  std::map<std::string, std::string> file_env_;
  Status error_;
  std::vector<std::string> warnings_;
};

// Per-deployment values that are applied once the price table is known.
struct PriceOverride {
  std::optional<PicoUsdPerToken> input_pico;
  std::optional<PicoUsdPerToken> output_pico;
  std::optional<PicoUsdPerToken> cache_read_pico;
  std::optional<PicoUsdPerToken> cache_write_pico;
  int64_t max_tokens_param = 0;  // litellm_params.max_tokens
  std::string base_model;        // model_info.base_model: priced as this model
  YAML::Node where;              // the deployment's node, for warnings
  YAML::Node id_where;           // model_info.id's value, when given
};

// State shared by the section parsers.
struct Draft {
  Config config;
  std::vector<PriceOverride> overrides;  // parallel to config.deployments
  std::string price_table_path;          // from ukairo.price_table, resolved
  bool implicit_deployments = false;     // no model_list: short layout names
};

// Sections. Each returns early when reader->ok() turns false.
void ParseModelList(Reader* reader, const YAML::Node& node, Draft* draft);
void AddImplicitDeployments(Reader* reader, const Fields& root, Draft* draft);
void ParseLitellmSettings(Reader* reader, const YAML::Node& node, Draft* draft);
void ParseRouterSettings(Reader* reader, const YAML::Node& node, Draft* draft);
void ParseGeneralSettings(Reader* reader, const YAML::Node& node, Draft* draft);
void ParseShortLayout(Reader* reader, const Fields& root, Draft* draft);
void ParseUkairoSection(Reader* reader, const YAML::Node& node, const std::string& config_dir,
                        Draft* draft);
void ApplyPrices(Reader* reader, const PriceTable* table, Draft* draft);

// Shared helpers.
// Group fallbacks ({group: [next, ...]} list, block or JSON-flow style).
void ParseFallbacks(Reader* reader, const YAML::Node& node, const std::string& path,
                    const Config& config, std::map<std::string, std::vector<std::string>>* out);
// Fails unless `name` is a model group of `config`.
bool RequireGroup(Reader* reader, const Config& config, const YAML::Node& at,
                  const std::string& path, const std::string& name);
// Sets (or replaces) a budget limit.
void SetBudget(Config* config, ScopeKind kind, const std::string& key, NanoUsd limit_nanos);
std::optional<AlertAction> ParseAlertAction(std::string_view text);
// Adds or replaces the alert rule at its threshold.
void ParseAlerts(Reader* reader, const YAML::Node& node, const std::string& path,
                 const char* threshold_key, Config* config);

}  // namespace ukairo::router::config_internal
