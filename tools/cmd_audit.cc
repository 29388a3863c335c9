// `ukairo audit`: audit trail queries over a ledger, streamed (never loaded
// into memory), human table by default, JSON lines with --json.
//
//   ukairo audit --ledger DIR [--since 7d] [--until ISO] [--model M] [--tag T]
//                [--tier T] [--key ID] [--team ID] [--kind K] [--reason R]
//                [--request ID] [--limit N]
//   ukairo audit request ID --ledger DIR      the whole life of one request
//   ukairo audit fallbacks|alerts|gate --ledger DIR [filters]
//   ukairo audit spend --by model|tag|tier|key|team --period YYYY-MM --ledger DIR
//
// --since/--until take ISO-8601 or a span before the ledger's last event
// ("7d", "12h", "30m"), so they mean the same on a live and a simulated
// ledger. Exit 0 (also when nothing matched), 2 usage or unreadable ledger.
#include <iostream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>

#include "ledger/event_json.h"
#include "ledger/internal/scan_filter.h"
#include "ledger/ledger.h"
#include "ledger/period.h"
#include "tools/audit_format.h"
#include "tools/audit_keys.h"
#include "tools/command.h"

namespace ukairo::tools {
namespace {

using ledger::Event;

struct AuditFlags {
  std::string dir;
  bool json = false;
  std::string since, until, model, tag, tier, kind, reason, request, deployment;
  std::string key, team;  // client key id, team id (tools/audit_keys.h)
  uint64_t limit = 0;  // 0 = no limit
  std::string by = "model";
  std::string period;  // YYYY-MM
  std::string request_id;  // positional for `audit request`
};

std::unique_ptr<ledger::Ledger> Open(const std::string& dir) {
  ledger::LedgerOptions options;
  options.read_only = true;
  options.create_if_missing = false;
  auto opened = ledger::Ledger::Open(dir, options);
  if (!opened.ok()) {
    std::cerr << "ukairo audit: cannot open " << dir << ": " << opened.status().ToString()
              << "\n";
    return nullptr;
  }
  return std::move(opened).value();
}

// What Scan would have selected, for scans that read every event (--key).
bool Matches(const ledger::ScanOptions& o, const Event& e) {
  if (o.time_min_micros && e.time_micros < *o.time_min_micros) return false;
  if (o.time_max_micros && e.time_micros >= *o.time_max_micros) return false;
  return ledger::internal::MatchesFields(o, e);
}

// ISO-8601, or "<n>d|h|m|s" before `last_micros`.
Result<int64_t> ParseWhen(const std::string& text, int64_t last_micros) {
  if (!text.empty() && std::isdigit(static_cast<unsigned char>(text[0])) && text.size() < 12 &&
      std::string("dhms").find(text.back()) != std::string::npos) {
    int64_t n = 0;
    for (size_t i = 0; i + 1 < text.size(); ++i) {
      if (!std::isdigit(static_cast<unsigned char>(text[i]))) {
        return Status::InvalidArgument("bad span '" + text + "' (e.g. 7d, 12h, 30m)");
      }
      n = n * 10 + (text[i] - '0');
    }
    const int64_t unit = text.back() == 'd' ? 86'400 : text.back() == 'h' ? 3'600
                         : text.back() == 'm' ? 60 : 1;
    return last_micros - n * unit * 1'000'000;
  }
  return ParseIso8601(text);
}

std::string ReasonOf(const Event& e) {
  if (auto* f = std::get_if<ledger::FallbackTaken>(&e.body)) return FallbackReasonName(f->reason);
  if (auto* a = std::get_if<ledger::AttemptFinished>(&e.body)) return OutcomeName(a->outcome);
  if (auto* r = std::get_if<ledger::RetryScheduled>(&e.body)) return OutcomeName(r->cause);
  if (auto* s = std::get_if<ledger::DeploymentStateChanged>(&e.body)) return s->reason;
  if (auto* b = std::get_if<ledger::BudgetAlert>(&e.body)) return AlertActionName(b->action);
  return "";
}

void Print(const Event& e, bool json) {
  if (json) {
    std::cout << ledger::EventToJson(e) << "\n";
    return;
  }
  const std::string rid = RequestIdOf(e);
  std::cout << FormatIso8601(e.time_micros) << "  #" << e.seq << "  "
            << (rid.empty() ? "" : rid + "  ") << DescribeEvent(e) << "\n";
}

// Streams events matching the flags (and `kinds`, if not empty).
int RunList(const AuditFlags& f, const std::vector<std::string>& kinds) {
  auto ledger = Open(f.dir);
  if (!ledger) return kExitUsage;
  if (!f.request.empty()) {
    auto events = ledger->ReadRequest(f.request);
    if (!events.ok()) {
      std::cerr << "ukairo audit: " << events.status().ToString() << "\n";
      return kExitUsage;
    }
    for (const auto& e : *events) Print(e, f.json);
    return kExitOk;
  }
  ledger::ScanOptions scan;
  const int64_t last = ledger->LastTimeMicros();
  for (auto [text, slot] : {std::pair{&f.since, &scan.time_min_micros},
                            std::pair{&f.until, &scan.time_max_micros}}) {
    if (text->empty()) continue;
    auto when = ParseWhen(*text, last);
    if (!when.ok()) {
      std::cerr << "ukairo audit: " << when.status().message() << "\n";
      return kExitUsage;
    }
    *slot = *when;
  }
  if (!f.model.empty()) scan.model_group = f.model;
  if (!f.tag.empty()) scan.tag = f.tag;
  if (!f.tier.empty()) scan.tier = f.tier;
  if (!f.deployment.empty()) scan.deployment = f.deployment;
  if (!f.kind.empty()) scan.kind = f.kind;
  if (kinds.size() == 1) scan.kind = kinds[0];
  // --key / --team attribute events to requests' keys: every event is read
  // (RequestAccepted and key events first), the other filters apply after.
  const bool by_key = !f.key.empty() || !f.team.empty();
  ledger::ScanOptions wanted = scan;
  if (by_key) scan = ledger::ScanOptions{};
  KeyAttribution keys;
  auto it = ledger->Scan(scan);
  uint64_t shown = 0;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    const Event& e = it->event();
    if (by_key) {
      keys.Fold(e);
      const bool match = (f.key.empty() || keys.KeyOf(e) == f.key) &&
                         (f.team.empty() || keys.TeamOf(e) == f.team) && Matches(wanted, e);
      keys.AfterHandling(e);
      if (!match) continue;
    }
    if (kinds.size() > 1 &&
        std::find(kinds.begin(), kinds.end(), ledger::KindName(e.body)) == kinds.end()) {
      continue;
    }
    if (!f.reason.empty() && ReasonOf(e) != f.reason) continue;
    Print(e, f.json);
    if (f.limit && ++shown >= f.limit) break;
  }
  if (!it->status().ok()) {
    std::cerr << "ukairo audit: " << it->status().ToString() << "\n";
    return it->status().IsInvalidArgument() ? kExitUsage : kExitFailed;
  }
  return kExitOk;
}

int RunSpend(const AuditFlags& f) {
  const bool by_key = f.by == "key" || f.by == "team";
  if (f.by != "model" && f.by != "tag" && f.by != "tier" && !by_key) {
    std::cerr << "ukairo audit spend: --by must be model, tag, tier, key or team\n";
    return kExitUsage;
  }
  auto start = ParseIso8601(f.period + "-01");
  if (f.period.size() != 7 || !start.ok()) {
    std::cerr << "ukairo audit spend: --period must be YYYY-MM\n";
    return kExitUsage;
  }
  auto ledger = Open(f.dir);
  if (!ledger) return kExitUsage;
  const int32_t period = PeriodOf(*start);
  ledger::ScanOptions scan;
  // By key or team: every event up to the period's end is read, to know
  // each request's key and each key's team (tools/audit_keys.h).
  if (!by_key) {
    scan.kind = "attempt_finished";
    scan.time_min_micros = PeriodStartMicros(period);
  }
  scan.time_max_micros = PeriodEndMicros(period);
  std::map<std::string, std::pair<NanoUsd, uint64_t>> spend;  // key → (cost, attempts)
  NanoUsd total = 0;
  KeyAttribution keys;
  auto it = ledger->Scan(scan);
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    const Event& e = it->event();
    if (by_key) keys.Fold(e);
    const auto* finished = std::get_if<ledger::AttemptFinished>(&e.body);
    const bool counted = finished != nullptr && e.time_micros >= PeriodStartMicros(period);
    std::string who;
    if (counted && by_key) who = f.by == "key" ? keys.KeyOf(e) : keys.TeamOf(e);
    if (by_key) keys.AfterHandling(e);
    if (!counted) continue;
    const auto& a = *finished;
    if (by_key && who.empty()) who = "-";
    const std::string& key = by_key            ? who
                             : f.by == "model" ? a.model_group
                             : f.by == "tag"   ? a.tag
                                               : a.tier;
    spend[key].first += a.cost_nanos;
    spend[key].second += 1;
    total += a.cost_nanos;
  }
  if (!it->status().ok()) {
    std::cerr << "ukairo audit: " << it->status().ToString() << "\n";
    return kExitFailed;
  }
  if (f.json) {
    for (const auto& [key, v] : spend) {
      std::cout << nlohmann::json{{"period", f.period}, {"by", f.by}, {"key", key},
                                  {"spend_nanos", v.first},
                                  {"spend_usd", FormatNanosAsUsd(v.first)},
                                  {"attempts", v.second}}
                       .dump()
                << "\n";
    }
    return kExitOk;
  }
  std::printf("%-24s %16s %10s\n", f.by.c_str(), "spend USD", "attempts");
  for (const auto& [key, v] : spend) {
    std::printf("%-24s %16s %10llu\n", key.c_str(), FormatNanosAsUsd(v.first).c_str(),
                static_cast<unsigned long long>(v.second));
  }
  std::printf("%-24s %16s\n", "total", FormatNanosAsUsd(total).c_str());
  return kExitOk;
}

void AddFilters(CLI::App* cmd, AuditFlags* f, bool ledger_required = true) {
  auto* ledger = cmd->add_option("--ledger", f->dir, "Ledger directory");
  // The bare `audit` checks it itself: CLI11 would demand it of subcommands.
  if (ledger_required) ledger->required();
  cmd->add_flag("--json", f->json, "JSON lines instead of a table");
  cmd->add_option("--since", f->since, "From (ISO-8601, or 7d/12h/30m before the last event)");
  cmd->add_option("--until", f->until, "Until, exclusive (same forms)");
  cmd->add_option("--model", f->model, "Model group");
  cmd->add_option("--deployment", f->deployment, "Deployment id");
  cmd->add_option("--tag", f->tag, "Process tag");
  cmd->add_option("--tier", f->tier, "Tier");
  cmd->add_option("--key", f->key, "Client key id (k-...): its requests and key events");
  cmd->add_option("--team", f->team, "Team id: its keys' requests and events");
  cmd->add_option("--reason", f->reason,
                  "Fallback reason, attempt outcome or alert action (rate_limit, budget, ...)");
  cmd->add_option("--limit", f->limit, "Show at most N events");
}

RegisterCommand registration(40, [](CLI::App& root, int* exit_code) {
  auto f = std::make_shared<AuditFlags>();
  CLI::App* audit = root.add_subcommand("audit", "Audit trail queries over a ledger");
  audit->require_subcommand(0, 1);
  AddFilters(audit, f.get(), /*ledger_required=*/false);
  audit->add_option("--kind", f->kind, "Event kind (request_accepted, fallback_taken, ...)");
  audit->add_option("--request", f->request, "Every event of one request id");
  audit->footer("Exit codes: 0 ok (also when nothing matched), 2 usage or unreadable ledger.");

  auto sub = [&](const char* name, const char* help, std::vector<std::string> kinds) {
    auto g = std::make_shared<AuditFlags>();
    CLI::App* cmd = audit->add_subcommand(name, help);
    AddFilters(cmd, g.get());
    cmd->callback([g, kinds, exit_code] { *exit_code = RunList(*g, kinds); });
  };
  sub("fallbacks", "Every fallback: time, request, from → to, reason", {"fallback_taken"});
  sub("alerts", "Budget alerts and stops", {"budget_alert", "budget_stopped"});
  sub("gate", "Gate decisions: who decided what, and why", {"gate_decision"});
  sub("recoveries", "Deployment state changes and recoveries",
      {"deployment_state_changed", "recovered"});

  auto r = std::make_shared<AuditFlags>();
  CLI::App* request = audit->add_subcommand("request", "The whole life of one request");
  request->add_option("id", r->request_id, "Request id")->required();
  request->add_option("--ledger", r->dir, "Ledger directory")->required();
  request->add_flag("--json", r->json, "JSON lines");
  request->callback([r, exit_code] {
    AuditFlags f = *r;
    f.request = r->request_id;
    *exit_code = RunList(f, {});
  });

  auto s = std::make_shared<AuditFlags>();
  CLI::App* spend =
      audit->add_subcommand("spend", "Settled spend per model, tag, tier, client key or team");
  spend->add_option("--ledger", s->dir, "Ledger directory")->required();
  spend->add_option("--by", s->by, "model, tag, tier, key or team (\"-\": no client key)")
      ->capture_default_str();
  spend->add_option("--period", s->period, "Month, YYYY-MM")->required();
  spend->add_flag("--json", s->json, "JSON lines");
  spend->callback([s, exit_code] { *exit_code = RunSpend(*s); });

  audit->callback([audit, f, exit_code] {
    if (!audit->get_subcommands().empty()) return;
    if (f->dir.empty()) {
      std::cerr << "ukairo audit: --ledger is required\n";
      *exit_code = kExitUsage;
      return;
    }
    *exit_code = RunList(*f, {});
  });
});

}  // namespace
}  // namespace ukairo::tools
