// `ukairo keys`: client keys on the running gateway, over its LiteLLM-style
// admin API (/key/generate, /key/list, /key/info, /key/update, /key/delete).
//
//   ukairo keys create [--alias A] [--user U] [--team T] [--max-budget-usd D]
//                      [--budget-duration 1mo] [--rpm N] [--tpm N]
//                      [--models a,b] [--default-tag TAG] [--duration 30d]
//                      [--metadata JSON] [--json]
//   ukairo keys list [--json]
//   ukairo keys show KEY [--json]       KEY: the key id (k-...), its token or the key
//   ukairo keys update KEY [create's options]
//   ukairo keys revoke KEY
//
// Common: --url (default http://127.0.0.1:4000), --master-key-env NAME
// (default UKAIRO_MASTER_KEY; read from that variable, never from a flag),
// --timeout-ms. `create` prints the new key once: it is stored nowhere.
// Exit 0 ok, 1 gateway unreachable or the call refused, 2 usage or bad input.
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <cctype>
#include <memory>
#include <optional>
#include <nlohmann/json.hpp>

#include "base/money.h"
#include "tools/admin_client.h"
#include "tools/command.h"

namespace ukairo::tools {
namespace {

using Json = nlohmann::ordered_json;

struct KeyFlags {
  std::string url = "http://127.0.0.1:4000";
  std::string key_env = "UKAIRO_MASTER_KEY";
  int64_t timeout_ms = 10'000;
  bool json = false;
  std::string key;  // show / update / revoke
  std::string alias, user, team, max_budget_usd, budget_duration, models, default_tag, duration,
      metadata;
  int64_t rpm = -1, tpm = -1;
};

constexpr int64_t kTimeoutMsMax = 600'000;

int Fail(const std::string& verb, const std::string& message, int rc) {
  std::cerr << "ukairo keys " << verb << ": " << message << "\n";
  return rc;
}

// One admin call; *json is the parsed 200 reply. Returns the exit code.
int Admin(const std::string& verb, const KeyFlags& f, const std::string& method,
          const std::string& path, const std::string& body, Json* json) {
  auto url = ParseAdminUrl(f.url);
  if (!url.ok()) return Fail(verb, "--url " + url.status().message(), kExitUsage);
  if (f.timeout_ms <= 0 || f.timeout_ms > kTimeoutMsMax) {
    return Fail(verb, "--timeout-ms must be in 1.." + std::to_string(kTimeoutMsMax), kExitUsage);
  }
  const char* key = f.key_env.empty() ? nullptr : std::getenv(f.key_env.c_str());
  if (key == nullptr || *key == '\0') {
    return Fail(verb, "the environment variable " + f.key_env +
                          " is not set; it must hold the gateway's master key", kExitUsage);
  }
  AdminCallOptions o;
  o.method = method;
  o.path = path;
  o.body = body;
  o.bearer_key = key;
  o.timeout_ms = f.timeout_ms;
  auto reply = AdminCall(*url, o);
  if (!reply.ok()) {
    return Fail(verb, "cannot reach the gateway at " + url->text + ": " + reply.status().message(),
                kExitFailed);
  }
  if (reply->status != 200) {
    return Fail(verb, "the gateway refused (HTTP " + std::to_string(reply->status) + "): " +
                          AdminErrorMessage(reply->body),
                kExitFailed);
  }
  *json = Json::parse(reply->body, nullptr, false);
  if (json->is_discarded() || !json->is_object()) {
    return Fail(verb, "unexpected reply: " + AdminErrorMessage(reply->body), kExitFailed);
  }
  return kExitOk;
}

std::string UrlEncode(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.') {
      out += static_cast<char>(c);
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      out += buf;
    }
  }
  return out;
}

// The request body of create / update from the flags given. Money stays
// decimal text; *rc is set on bad input.
std::optional<Json> SettingsBody(const std::string& verb, const KeyFlags& f, int* rc) {
  Json body = Json::object();
  *rc = kExitUsage;
  if (!f.alias.empty()) body["key_alias"] = f.alias;
  if (!f.user.empty()) body["user_id"] = f.user;
  if (!f.team.empty()) body["team_id"] = f.team;
  if (!f.max_budget_usd.empty()) {
    Result<NanoUsd> nanos = ParseUsd(f.max_budget_usd);
    if (!nanos.ok() || *nanos < 0) {
      Fail(verb, "--max-budget-usd '" + f.max_budget_usd + "' is not a decimal USD amount", 0);
      return std::nullopt;
    }
    body["max_budget"] = f.max_budget_usd;
  }
  if (!f.budget_duration.empty()) body["budget_duration"] = f.budget_duration;
  if (f.rpm >= 0) body["rpm_limit"] = f.rpm;
  if (f.tpm >= 0) body["tpm_limit"] = f.tpm;
  if (!f.models.empty()) {
    Json models = Json::array();
    size_t start = 0;
    while (start <= f.models.size()) {
      const size_t comma = f.models.find(',', start);
      const std::string m = f.models.substr(start, comma - start);
      if (!m.empty()) models.push_back(m);
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
    body["models"] = models;
  }
  if (!f.default_tag.empty()) body["default_tag"] = f.default_tag;
  if (!f.duration.empty()) body["duration"] = f.duration;
  if (!f.metadata.empty()) {
    Json m = Json::parse(f.metadata, nullptr, false);
    if (m.is_discarded() || !m.is_object()) {
      Fail(verb, "--metadata must be a JSON object", 0);
      return std::nullopt;
    }
    body["metadata"] = m;
  }
  *rc = kExitOk;
  return body;
}

std::string Cell(const Json& j, const char* key) {
  if (!j.contains(key) || j[key].is_null()) return "-";
  if (j[key].is_string()) return j[key].get<std::string>();
  if (j[key].is_array()) {
    std::string out;
    for (const Json& v : j[key]) out += (out.empty() ? "" : ",") + v.get<std::string>();
    return out.empty() ? "all" : out;
  }
  return j[key].dump();
}

void PrintRow(const Json& k) {
  std::printf("%-20s %-16s %-16s %12s %12s %-6s %s\n", Cell(k, "key_id").c_str(),
              Cell(k, "key_alias").c_str(), Cell(k, "team_id").c_str(), Cell(k, "spend").c_str(),
              Cell(k, "max_budget").c_str(), k.value("revoked", false) ? "yes" : "no",
              Cell(k, "models").c_str());
}
void PrintHeader() {
  std::printf("%-20s %-16s %-16s %12s %12s %-6s %s\n", "ID", "ALIAS", "TEAM", "SPENT USD",
              "BUDGET USD", "REVOKED", "MODELS");
}

int Print(const KeyFlags& f, const Json& info) {
  if (f.json) {
    std::cout << info.dump() << "\n";
    return kExitOk;
  }
  PrintHeader();
  PrintRow(info);
  return kExitOk;
}

int RunCreate(const KeyFlags& f) {
  int rc = kExitOk;
  std::optional<Json> body = SettingsBody("create", f, &rc);
  if (!body) return rc;
  Json key;
  if (rc = Admin("create", f, "POST", "/key/generate", body->dump(), &key); rc != kExitOk) return rc;
  if (f.json) {
    std::cout << key.dump() << "\n";
    return kExitOk;
  }
  std::cout << "key: " << key["key"].get<std::string>()
            << "\n(shown once: the gateway keeps only its SHA-256; store it now)\n";
  PrintHeader();
  PrintRow(key);
  return kExitOk;
}

int RunList(const KeyFlags& f) {
  Json list;
  if (int rc = Admin("list", f, "GET", "/key/list?return_full_object=true", "", &list);
      rc != kExitOk) {
    return rc;
  }
  if (f.json) {
    for (const Json& k : list["keys"]) std::cout << k.dump() << "\n";
    return kExitOk;
  }
  PrintHeader();
  for (const Json& k : list["keys"]) PrintRow(k);
  return kExitOk;
}

int RunShow(const KeyFlags& f) {
  Json info;
  if (int rc = Admin("show", f, "GET", "/key/info?key=" + UrlEncode(f.key), "", &info);
      rc != kExitOk) {
    return rc;
  }
  return Print(f, info["info"]);
}

int RunUpdate(const KeyFlags& f) {
  int rc = kExitOk;
  std::optional<Json> body = SettingsBody("update", f, &rc);
  if (!body) return rc;
  (*body)["key"] = f.key;
  Json info;
  if (rc = Admin("update", f, "POST", "/key/update", body->dump(), &info); rc != kExitOk) return rc;
  return Print(f, info);
}

int RunRevoke(const KeyFlags& f) {
  Json out;
  const Json body{{"keys", Json::array({f.key})}};
  if (int rc = Admin("revoke", f, "POST", "/key/delete", body.dump(), &out); rc != kExitOk) {
    return rc;
  }
  std::cout << "revoked: " << f.key << " (refused from the next request on)\n";
  return kExitOk;
}

void AddCommon(CLI::App* cmd, KeyFlags* f) {
  cmd->add_option("--url", f->url, "The gateway's base URL (plain http)")->capture_default_str();
  cmd->add_option("--master-key-env", f->key_env,
                  "Environment variable holding the master key (never passed as a flag)")
      ->capture_default_str();
  cmd->add_option("--timeout-ms", f->timeout_ms, "Bound on the whole call")->capture_default_str();
  cmd->add_flag("--json", f->json, "One JSON object per key instead of a table");
}

void AddSettings(CLI::App* cmd, KeyFlags* f) {
  cmd->add_option("--alias", f->alias, "A name for the key (LiteLLM key_alias)");
  cmd->add_option("--user", f->user, "Its owner (LiteLLM user_id)");
  cmd->add_option("--team", f->team, "Its team id (POST /team/new)");
  cmd->add_option("--max-budget-usd", f->max_budget_usd,
                  "Budget per budget period, decimal USD (e.g. 20 or 12.5)");
  cmd->add_option("--budget-duration", f->budget_duration,
                  "1mo / 30d (monthly budgets) or 1d (daily), as the gateway's period");
  cmd->add_option("--rpm", f->rpm, "Requests per minute (0: none)");
  cmd->add_option("--tpm", f->tpm, "Prompt tokens per minute (0: none)");
  cmd->add_option("--models", f->models, "Allowed model groups / tiers, comma-separated");
  cmd->add_option("--default-tag", f->default_tag, "Tag for requests that send none");
  cmd->add_option("--duration", f->duration, "Expires after: 30s, 15m, 12h, 30d");
  cmd->add_option("--metadata", f->metadata, "A JSON object kept with the key (no secrets)");
}

RegisterCommand registration(46, [](CLI::App& root, int* exit_code) {
  CLI::App* keys = root.add_subcommand(
      "keys", "Client keys on a running gateway: create, list, show, update, revoke");
  keys->require_subcommand(1);
  keys->footer(
      "The gateway's master key is read from $UKAIRO_MASTER_KEY (or --master-key-env NAME).\n"
      "Exit codes: 0 ok, 1 gateway unreachable or the call refused, 2 usage or bad input.");
  auto add = [&](const char* name, const char* help, bool takes_key, bool settings,
                 int (*run)(const KeyFlags&)) {
    auto f = std::make_shared<KeyFlags>();
    CLI::App* cmd = keys->add_subcommand(name, help);
    AddCommon(cmd, f.get());
    if (takes_key) {
      cmd->add_option("KEY", f->key, "The key id (k-...), its token or the key")->required();
    }
    if (settings) AddSettings(cmd, f.get());
    cmd->callback([f, run, exit_code] { *exit_code = run(*f); });
  };
  add("create", "Issue a key; prints it once", false, true, RunCreate);
  add("list", "Live keys with spend and budget", false, false, RunList);
  add("show", "One key's settings and spend this period", true, false, RunShow);
  add("update", "Change a key's settings (only the flags given)", true, true, RunUpdate);
  add("revoke", "Revoke a key; refused from the next request on", true, false, RunRevoke);
});

}  // namespace
}  // namespace ukairo::tools
