// `ukairo gate`: human gate decisions (R-2206) on the running gateway, over
// its admin API (the gateway holds the ledger's lock, so the CLI never opens
// the ledger itself).
//
//   ukairo gate status [--json]
//   ukairo gate continue --scope KIND:KEY --model GROUP --actor NAME [--note TEXT]
//   ukairo gate raise --scope KIND:KEY --limit-usd DECIMAL --actor NAME [--note TEXT]
//   ukairo gate stop --scope KIND:KEY --actor NAME [--note TEXT]
//
// Common: --url (default http://127.0.0.1:4000), --master-key-env NAME
// (default UKAIRO_MASTER_KEY; the key is read from that variable, never from
// a flag, and never printed), --timeout-ms. Exit 0 ok, 1 the gateway could not
// be reached or refused the call, 2 usage or bad input.
#include <cstdlib>
#include <iostream>
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>

#include "base/money.h"
#include "tools/admin_client.h"
#include "tools/command.h"

namespace ukairo::tools {
namespace {

using Json = nlohmann::ordered_json;

struct GateFlags {
  std::string url = "http://127.0.0.1:4000";
  std::string key_env = "UKAIRO_MASTER_KEY";
  int64_t timeout_ms = 10'000;
  bool json = false;
  std::string scope, model, limit_usd, actor, note;
};

struct Scope {
  std::string kind;  // model, tag, tier, global
  std::string key;   // empty for global
  std::string Name() const { return kind == "global" ? kind : kind + ":" + key; }
};

// The connection and key every subcommand needs, resolved from the flags.
struct Target {
  AdminUrl url;
  std::string key;
  int64_t timeout_ms = 0;
};

constexpr int64_t kTimeoutMsMax = 600'000;
constexpr size_t kNoteBytesMax = 4096;

void Fail(const char* verb, const std::string& message) {
  std::cerr << "ukairo gate " << verb << ": " << message << "\n";
}

Result<Scope> ParseScope(const std::string& text) {
  if (text == "global") return Scope{"global", ""};
  const size_t colon = text.find(':');
  const std::string kind = text.substr(0, colon);
  if (colon == std::string::npos || (kind != "model" && kind != "tag" && kind != "tier")) {
    return Status::InvalidArgument("--scope '" + text +
                                   "': expected model:NAME, tag:NAME, tier:NAME or global");
  }
  if (colon + 1 == text.size()) {
    return Status::InvalidArgument("--scope '" + text + "': the name after '" + kind +
                                   ":' is empty");
  }
  return Scope{kind, text.substr(colon + 1)};
}

// Exit code, with *target filled when it is kExitOk.
int ResolveTarget(const char* verb, const GateFlags& f, Target* target) {
  auto url = ParseAdminUrl(f.url);
  if (!url.ok()) {
    Fail(verb, "--url " + url.status().message());
    return kExitUsage;
  }
  if (f.timeout_ms <= 0 || f.timeout_ms > kTimeoutMsMax) {
    Fail(verb, "--timeout-ms must be in 1.." + std::to_string(kTimeoutMsMax));
    return kExitUsage;
  }
  const char* key = f.key_env.empty() ? nullptr : std::getenv(f.key_env.c_str());
  if (key == nullptr || *key == '\0') {
    Fail(verb, "the environment variable " + f.key_env +
                   " is not set; it must hold the gateway's master key "
                   "(general_settings.master_key), see --master-key-env");
    return kExitUsage;
  }
  target->url = *url;
  target->key = key;
  target->timeout_ms = f.timeout_ms;
  return kExitOk;
}

// One admin call; on success *json holds the parsed 200 reply.
int Call(const char* verb, const Target& t, const std::string& method, const std::string& path,
         const std::string& body, Json* json) {
  AdminCallOptions o;
  o.method = method;
  o.path = path;
  o.body = body;
  o.bearer_key = t.key;
  o.timeout_ms = t.timeout_ms;
  auto reply = AdminCall(t.url, o);
  if (!reply.ok()) {
    Fail(verb, (reply.status().IsUnavailable() ? "cannot reach the gateway at "
                                               : "no answer from the gateway at ") +
                   t.url.text + ": " + reply.status().message());
    return kExitFailed;
  }
  if (reply->status != 200) {
    Fail(verb, "the gateway refused (HTTP " + std::to_string(reply->status) +
                   "): " + AdminErrorMessage(reply->body));
    return kExitFailed;
  }
  *json = Json::parse(reply->body, nullptr, false);
  if (json->is_discarded() || !json->is_object() || !(*json)["scopes"].is_array()) {
    Fail(verb, "unexpected reply from " + t.url.text + path + ": " +
                   AdminErrorMessage(reply->body));
    return kExitFailed;
  }
  return kExitOk;
}

std::string Text(const Json& j, const char* key) {
  return j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : "";
}
bool Flag(const Json& j, const char* key) {
  return j.contains(key) && j[key].is_boolean() && j[key].get<bool>();
}

// One scope of /budgets as the CLI shows it: its gate state and decision.
Json ScopeRow(const Json& s, int64_t period) {
  const Json gate = s.contains("gate") ? s["gate"] : Json::object();
  const std::string kind = Text(s, "scope_kind");
  const bool decided = Flag(gate, "decided");
  const bool stopped = Flag(s, "stopped") || Flag(gate, "stopped");
  Json row{{"scope", kind == "global" ? kind : kind + ":" + Text(s, "scope_key")},
           {"scope_kind", kind},
           {"scope_key", Text(s, "scope_key")},
           {"period", s.value("period", period)},
           {"state", decided ? "decided" : stopped ? "waiting" : "open"},
           {"spent_usd", Text(s, "spent_usd")},
           {"limit_usd", Text(s, "limit_usd")},
           {"stopped", stopped},
           {"stopped_at", Text(gate, "stopped_at")},
           {"choice", decided ? Text(gate, "choice") : ""},
           {"continue_model", decided ? Text(gate, "continue_model") : ""},
           {"actor", decided ? Text(gate, "actor") : ""},
           {"note", decided ? Text(gate, "note") : ""},
           {"decided_at", decided ? Text(gate, "decided_at") : ""}};
  return row;
}

std::string ChoiceText(const Json& row) {
  const std::string choice = row["choice"];
  if (choice == "continue_with_model") {
    return "continue -> " + row["continue_model"].get<std::string>();
  }
  if (choice == "raise_limit") return "raise_limit -> " + row["limit_usd"].get<std::string>();
  return choice.empty() ? "-" : choice;
}

void PrintTable(const std::vector<Json>& rows) {
  std::printf("%-24s %-8s %14s %14s %-27s %-24s %-12s %s\n", "SCOPE", "STATE", "SPENT USD",
              "LIMIT USD", "STOPPED AT", "CHOICE", "ACTOR", "NOTE");
  auto cell = [](const Json& r, const char* key) {
    std::string v = r[key].get<std::string>();
    return v.empty() ? std::string("-") : v;
  };
  for (const Json& r : rows) {
    std::printf("%-24s %-8s %14s %14s %-27s %-24s %-12s %s\n", cell(r, "scope").c_str(),
                cell(r, "state").c_str(), cell(r, "spent_usd").c_str(),
                cell(r, "limit_usd").c_str(), cell(r, "stopped_at").c_str(),
                ChoiceText(r).c_str(), cell(r, "actor").c_str(), cell(r, "note").c_str());
  }
}

int RunStatus(const GateFlags& f) {
  Target t;
  if (int rc = ResolveTarget("status", f, &t); rc != kExitOk) return rc;
  Json budgets;
  if (int rc = Call("status", t, "GET", "/budgets", "", &budgets); rc != kExitOk) return rc;
  const int64_t period = budgets.value("period", int64_t{0});
  std::vector<Json> rows;
  for (const Json& s : budgets["scopes"]) {
    Json row = ScopeRow(s, period);
    if (row["state"] != "open") rows.push_back(std::move(row));
  }
  if (f.json) {
    for (const Json& r : rows) std::cout << r.dump() << "\n";
    return kExitOk;
  }
  if (rows.empty()) {
    std::cout << "no budget scope is stopped or decided in period " << period << " ("
              << budgets["scopes"].size() << " scopes)\n";
    return kExitOk;
  }
  std::cout << "period " << period << ": " << rows.size() << " of " << budgets["scopes"].size()
            << " scopes stopped or decided\n";
  PrintTable(rows);
  return kExitOk;
}

// Validates the decision flags and builds the POST /gate body; *rc is the
// exit code when it returns nullopt.
std::optional<Json> DecisionBody(const char* verb, const GateFlags& f, const char* choice,
                                 int* rc) {
  *rc = kExitUsage;
  auto scope = ParseScope(f.scope);
  if (!scope.ok()) {
    Fail(verb, scope.status().message());
    return std::nullopt;
  }
  if (f.actor.empty()) {
    Fail(verb, "--actor must name who decides");
    return std::nullopt;
  }
  if (f.note.size() > kNoteBytesMax) {
    Fail(verb, "--note is longer than " + std::to_string(kNoteBytesMax) + " bytes");
    return std::nullopt;
  }
  Json body{{"scope_kind", scope->kind}, {"scope_key", scope->key}, {"choice", choice}};
  if (std::string(choice) == "continue_with_model") {
    if (f.model.empty()) {
      Fail(verb, "--model must name the model group to continue with");
      return std::nullopt;
    }
    body["model"] = f.model;
  }
  if (std::string(choice) == "raise_limit") {
    // Checked here for a clear usage error; sent as the same decimal text.
    Result<NanoUsd> limit = ParseUsd(f.limit_usd);
    if (!limit.ok() || *limit <= 0) {
      Fail(verb, "--limit-usd '" + f.limit_usd + "' must be a positive decimal amount" +
                     (limit.ok() ? "" : ": " + limit.status().message()));
      return std::nullopt;
    }
    body["new_limit_usd"] = f.limit_usd;
  }
  body["actor"] = f.actor;
  body["note"] = f.note;
  *rc = kExitOk;
  return body;
}

const Json* FindScope(const Json& budgets, const Json& body) {
  for (const Json& s : budgets["scopes"]) {
    if (Text(s, "scope_kind") == body["scope_kind"] && Text(s, "scope_key") == body["scope_key"]) {
      return &s;
    }
  }
  return nullptr;
}

int RunDecision(const char* verb, const char* choice, const GateFlags& f) {
  int rc = kExitOk;
  std::optional<Json> body = DecisionBody(verb, f, choice, &rc);
  if (!body) return rc;
  Target t;
  if (rc = ResolveTarget(verb, f, &t); rc != kExitOk) return rc;
  // A decision is a permanent ledger event: a scope the gateway has no budget
  // for (a typo) is refused here rather than recorded to no effect.
  Json budgets;
  if (rc = Call(verb, t, "GET", "/budgets", "", &budgets); rc != kExitOk) return rc;
  if (FindScope(budgets, *body) == nullptr) {
    std::string known;
    for (const Json& s : budgets["scopes"]) {
      known += (known.empty() ? "" : ", ") + ScopeRow(s, 0)["scope"].get<std::string>();
    }
    Fail(verb, "the gateway has no budget for " + f.scope + " (budgets: " +
                   (known.empty() ? "none" : known) + ")");
    return kExitUsage;
  }
  Json after;
  if (rc = Call(verb, t, "POST", "/gate", body->dump(), &after); rc != kExitOk) return rc;
  const Json* s = FindScope(after, *body);
  if (s == nullptr) {
    Fail(verb, "recorded, but the gateway's reply does not list " + f.scope);
    return kExitFailed;
  }
  Json row = ScopeRow(*s, after.value("period", int64_t{0}));
  if (f.json) {
    std::cout << row.dump() << "\n";
    return kExitOk;
  }
  std::cout << "recorded: " << row["scope"].get<std::string>() << " " << ChoiceText(row)
            << " by " << row["actor"].get<std::string>();
  if (!row["note"].get<std::string>().empty()) {
    std::cout << " (\"" << row["note"].get<std::string>() << "\")";
  }
  std::cout << " at " << row["decided_at"].get<std::string>() << "; period "
            << row["period"].dump() << " spent " << row["spent_usd"].get<std::string>()
            << " of " << row["limit_usd"].get<std::string>() << " USD\n";
  return kExitOk;
}

void AddCommon(CLI::App* cmd, GateFlags* f) {
  cmd->add_option("--url", f->url, "The gateway's base URL (plain http)")->capture_default_str();
  cmd->add_option("--master-key-env", f->key_env,
                  "Environment variable holding the master key (never passed as a flag)")
      ->capture_default_str();
  cmd->add_option("--timeout-ms", f->timeout_ms,
                  "Bound on connect + request + reply; a hung gateway fails the call")
      ->capture_default_str();
}

void AddDecision(CLI::App* gate, int* exit_code, const char* name, const char* choice,
                 const char* help) {
  auto f = std::make_shared<GateFlags>();
  CLI::App* cmd = gate->add_subcommand(name, help);
  AddCommon(cmd, f.get());
  cmd->add_option("--scope", f->scope, "model:NAME, tag:NAME, tier:NAME or global")->required();
  if (std::string(choice) == "continue_with_model") {
    cmd->add_option("--model", f->model, "Model group the scope may continue with")->required();
  }
  if (std::string(choice) == "raise_limit") {
    cmd->add_option("--limit-usd", f->limit_usd,
                    "New limit for this period, decimal USD (e.g. 80 or 12.5)")
        ->required();
  }
  cmd->add_option("--actor", f->actor, "Who decides (recorded in the ledger)")->required();
  cmd->add_option("--note", f->note, "Why (recorded in the ledger)");
  cmd->add_flag("--json", f->json, "Print the scope after the decision as one JSON object");
  cmd->footer(
      "Prints what the gateway recorded. Exit codes: 0 recorded, 1 gateway unreachable or the "
      "decision refused (its error message is printed), 2 usage or bad input.");
  cmd->callback([f, name, choice, exit_code] { *exit_code = RunDecision(name, choice, *f); });
}

RegisterCommand registration(45, [](CLI::App& root, int* exit_code) {
  CLI::App* gate = root.add_subcommand(
      "gate", "Human gate decisions (R-2206) on a running gateway, over its admin API");
  gate->require_subcommand(1);
  gate->footer(
      "The gateway's master key is read from $UKAIRO_MASTER_KEY (or --master-key-env NAME).\n"
      "Exit codes: 0 ok, 1 gateway unreachable or the call refused, 2 usage or bad input.");

  auto s = std::make_shared<GateFlags>();
  CLI::App* status = gate->add_subcommand(
      "status", "Scopes stopped and waiting for a decision, and decisions taken this period");
  AddCommon(status, s.get());
  status->add_flag("--json", s->json,
                   "JSON lines: one object per scope (scope, state waiting|decided, spent_usd, "
                   "limit_usd, stopped_at, choice, continue_model, actor, note, decided_at)");
  status->callback([s, exit_code] { *exit_code = RunStatus(*s); });

  AddDecision(gate, exit_code, "continue", "continue_with_model",
              "Let the stopped scope continue with a named model group");
  AddDecision(gate, exit_code, "raise", "raise_limit",
              "Raise the scope's limit for this period (the stop lifts if spend fits)");
  AddDecision(gate, exit_code, "stop", "stop",
              "Stop the scope for this period: its requests are refused (429); for a "
              "model scope its group is skipped and the chain falls back");
});

}  // namespace
}  // namespace ukairo::tools
