// Top level of config loading: read, parse YAML (yaml-cpp exceptions stop
// here), run the section parsers in a fixed order, attach prices and
// provenance. See router/config/loader.h for the rules.
#include "router/config/loader.h"

#include <openssl/evp.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "base/check.h"
#include "router/config/internal.h"
#include "router/core/core.h"

namespace ukairo::router {

// The core sizes its timer table for the deployments a config may have.
static_assert(kDeploymentsMax == RouterCore::kDeploymentsMax);

namespace {

using config_internal::Draft;
using config_internal::Fields;
using config_internal::Reader;

std::string ConfigDir(const std::string& source) {
  std::filesystem::path dir = std::filesystem::path(source).parent_path();
  return dir.empty() ? "." : dir.string();
}

// The price-table path by the rule in config_loader.h; "" = none.
std::string FindPriceTable(const LoadOptions& options, const Draft& draft,
                           const std::string& config_dir) {
  if (!options.price_table_path.empty()) return options.price_table_path;
  if (!draft.price_table_path.empty()) return draft.price_table_path;
  for (const char* candidate : {"prices/model_prices.json", "../prices/model_prices.json",
                                "../data/prices/model_prices.json"}) {
    std::filesystem::path p = std::filesystem::path(config_dir) / candidate;
    std::error_code ec;
    if (std::filesystem::is_regular_file(p, ec)) return p.lexically_normal().string();
  }
  return "";
}

void ParseEnvironmentVariables(Reader* r, const Fields& root) {
  const YAML::Node* node = root.Get("environment_variables");
  if (node == nullptr) return;
  auto f = r->Map(*node, "environment_variables", {});
  if (!f) return;
  std::map<std::string, std::string> vars;
  for (const auto& field : f->all()) {
    if (!field.value.IsScalar()) {
      r->Fail(field.value, "environment_variables." + field.key, "expected a string");
      return;
    }
    vars[field.key] = field.value.Scalar();
  }
  r->SetFileEnv(std::move(vars));
}

// Runs every section parser; the first error stops the rest.
void ParseSections(Reader* r, const YAML::Node& root_node, const std::string& config_dir,
                   Draft* d) {
  auto root = r->Map(root_node, "",
                     {"model_list", "router_settings", "litellm_settings", "general_settings",
                      "environment_variables", "ukairo", "router", "budget", "tag_budget", "alerts",
                      "include", "credential_list", "guardrails", "mcp_servers"});
  if (!root) return;
  if (const YAML::Node* n = root->Get("include")) {
    // Silently dropping included model lists would route to fewer models
    // than the operator wrote down.
    r->Warn(*n, "include: is not supported; the included files are not read");
  }
  ParseEnvironmentVariables(r, *root);
  if (const YAML::Node* n = root->Get("model_list")) {
    config_internal::ParseModelList(r, *n, d);
  } else {
    config_internal::AddImplicitDeployments(r, *root, d);
  }
  if (r->ok() && d->config.deployments.empty()) {
    r->Fail(root_node, "model_list", "no deployments: the config names no models");
  }
  if (const YAML::Node* n = root->Get("litellm_settings"); n && r->ok()) {
    config_internal::ParseLitellmSettings(r, *n, d);
  }
  if (const YAML::Node* n = root->Get("router_settings"); n && r->ok()) {
    config_internal::ParseRouterSettings(r, *n, d);
  }
  if (const YAML::Node* n = root->Get("general_settings"); n && r->ok()) {
    config_internal::ParseGeneralSettings(r, *n, d);
  }
  if (r->ok()) config_internal::ParseShortLayout(r, *root, d);
  if (r->ok()) {
    const YAML::Node* n = root->Get("ukairo");
    config_internal::ParseUkairoSection(r, n ? *n : YAML::Node(), config_dir, d);
  }
}

}  // namespace

std::string Sha256Hex(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  int ok = EVP_Digest(data.data(), data.size(), digest, &length, EVP_sha256(), nullptr);
  UKAIRO_CHECK(ok == 1 && length == 32);
  (void)ok;
  static const char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(length * 2);
  for (unsigned int i = 0; i < length; ++i) {
    hex.push_back(kHex[digest[i] >> 4]);
    hex.push_back(kHex[digest[i] & 0xf]);
  }
  return hex;
}

Result<std::shared_ptr<const Config>> ParseConfig(std::string_view text, const std::string& source,
                                                  const LoadOptions& options) {
  if (text.size() > kConfigBytesMax) {
    return Status::InvalidArgument(source + ": config larger than " +
                                   std::to_string(kConfigBytesMax) + " bytes");
  }
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument(source + ":" + std::to_string(e.mark.line + 1) + ":" +
                                   std::to_string(e.mark.column + 1) +
                                   ": YAML syntax error: " + e.msg);
  }
  if (!root.IsMap()) {
    return Status::InvalidArgument(source + ":1:1: expected a YAML map at the top level");
  }
  Reader reader(source, options.env);
  Draft draft;
  const std::string config_dir = ConfigDir(source);
  try {
    ParseSections(&reader, root, config_dir, &draft);
  } catch (const YAML::Exception& e) {
    // yaml-cpp throws on a few malformed shapes the walker did not foresee.
    return Status::InvalidArgument(source + ":" + std::to_string(e.mark.line + 1) + ":" +
                                   std::to_string(e.mark.column + 1) + ": " + e.msg);
  }
  if (!reader.ok()) return reader.error();

  std::optional<PriceTable> loaded;
  const PriceTable* prices = options.prices;
  if (prices == nullptr) {
    std::string path = FindPriceTable(options, draft, config_dir);
    if (!path.empty()) {
      auto table = PriceTable::LoadFile(path);
      if (!table.ok()) {
        return Status::InvalidArgument(source + ": price table: " + table.status().ToString());
      }
      loaded = std::move(table).value();
      prices = &*loaded;
    }
  }
  config_internal::ApplyPrices(&reader, prices, &draft);
  UKAIRO_CHECK(reader.ok());

  auto config = std::make_shared<Config>(std::move(draft.config));
  config->source = source;
  config->text = std::string(text);
  config->sha256_hex = Sha256Hex(text);
  config->price_table_source = prices ? prices->source() : "";
  config->warnings = reader.TakeWarnings();
  return std::shared_ptr<const Config>(std::move(config));
}

Result<std::shared_ptr<const Config>> LoadConfigFile(const std::string& path,
                                                     const LoadOptions& options) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IOError(path + ": cannot open config");
  std::error_code ec;
  auto size_bytes = std::filesystem::file_size(path, ec);
  if (!ec && size_bytes > kConfigBytesMax) {
    return Status::InvalidArgument(path + ": config larger than " +
                                   std::to_string(kConfigBytesMax) + " bytes");
  }
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) return Status::IOError(path + ": read failed");
  return ParseConfig(buffer.str(), path, options);
}

}  // namespace ukairo::router
