#include "tools/evidence_report.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "ledger/period.h"
#include "ledger/projection.h"
#include "router/config/loader.h"

namespace ukairo::tools {
namespace {

using namespace ukairo::ledger;
namespace fs = std::filesystem;

std::string Stamp(int64_t micros, bool with_time) {
  CivilTime t = CivilFromMicros(micros);
  char buf[32];
  if (with_time) {
    std::snprintf(buf, sizeof buf, "%04d%02d%02d_%02d%02d%02d", t.year, t.month, t.day, t.hour,
                  t.minute, t.second);
  } else {
    std::snprintf(buf, sizeof buf, "%04d%02d%02d", t.year, t.month, t.day);
  }
  return buf;
}

std::string Duration(int64_t micros) {
  int64_t s = micros / 1'000'000;
  char buf[48];
  std::snprintf(buf, sizeof buf, "%lldh %02lldm %02llds", static_cast<long long>(s / 3600),
                static_cast<long long>(s / 60 % 60), static_cast<long long>(s % 60));
  return buf;
}

// Writes `text` to dir/name, adding "_2", "_3"... when the name is taken in
// this run (two episodes may start in the same second).
Status WriteUnique(const fs::path& dir, const std::string& stem, const std::string& text,
                   std::set<std::string>* used) {
  std::string name = stem + ".md";
  for (int n = 2; used->count((dir / name).string()); ++n) {
    name = stem + "_" + std::to_string(n) + ".md";
  }
  used->insert((dir / name).string());
  std::ofstream out(dir / name);
  out << text;
  if (!out) return Status::IOError("cannot write " + (dir / name).string());
  return Status::Ok();
}

struct Episode {
  std::string deployment;
  std::string model_group;
  DeploymentState state = DeploymentState::kHealthy;
  std::string reason;
  int64_t start_micros = 0;
  std::map<std::pair<std::string, std::string>, uint64_t> fallbacks;  // (to, reason) → count
  uint64_t failed_attempts = 0;
};

class Collector : public EventHandler {
 public:
  Collector(const fs::path& out, std::set<std::string>* used) : out_(out), used_(used) {}

  void OnConfigApplied(const Event& e, const ConfigApplied& c) override {
    std::ostringstream md;
    md << "# E-2201 Configuration in force\n\n"
       << "- applied: " << FormatIso8601(e.time_micros) << " (ledger seq " << e.seq << ")\n"
       << "- source: `" << c.source << "`" << (c.actor.empty() ? "" : " by " + c.actor) << "\n"
       << "- sha256: `" << c.sha256_hex << "`\n\n```yaml\n"
       << c.text << (c.text.empty() || c.text.back() == '\n' ? "" : "\n") << "```\n";
    Keep(WriteUnique(out_ / "config", Stamp(e.time_micros, true) + "_config", md.str(), used_));
    ++counts.configs;
    last_config_ = c.text;
    last_config_source_ = c.source;
  }
  void OnAttemptStarted(const Event&, const AttemptStarted& a) override {
    group_of_[a.deployment] = a.model_group;
  }
  void OnAttemptFinished(const Event&, const AttemptFinished& a) override {
    auto it = open_.find(a.deployment);
    if (it != open_.end() && a.outcome != Outcome::kOk) ++it->second.failed_attempts;
  }
  void OnFallbackTaken(const Event&, const FallbackTaken& f) override {
    for (auto& [deployment, ep] : open_) {
      if (ep.model_group == f.from_model_group) {
        std::string reason = FallbackReasonName(f.reason);
        // A budget fallback says which scope refused (events written before
        // the scope was recorded have none).
        if (f.reason == FallbackReason::kBudget && f.budget_limit_nanos > 0) {
          reason += " (" + std::string(ScopeKindName(f.budget_scope_kind)) +
                    (f.budget_scope_key.empty() ? "" : ":" + f.budget_scope_key) +
                    (f.budget_scope_stopped ? " stopped" : " full") + ")";
        }
        ++ep.fallbacks[{f.to_model_group.empty() ? "(nothing)" : f.to_model_group, reason}];
      }
    }
  }
  void OnDeploymentStateChanged(const Event& e, const DeploymentStateChanged& s) override {
    if (s.to == DeploymentState::kHealthy) return;  // closed by Recovered
    if (open_.count(s.deployment)) return;          // one episode until recovery
    Episode ep;
    ep.deployment = s.deployment;
    ep.model_group = group_of_.count(s.deployment) ? group_of_[s.deployment] : "";
    ep.state = s.to;
    ep.reason = s.reason;
    ep.start_micros = e.time_micros;
    open_[s.deployment] = ep;
  }
  void OnHealthProbe(const Event& e, const HealthProbe& p) override {
    last_probe_[p.deployment] = {e.time_micros, p};
  }
  void OnRecovered(const Event& e, const Recovered& r) override {
    auto it = open_.find(r.deployment);
    if (it != open_.end()) {
      WriteEpisode(it->second, e.time_micros, RecoveryConfirmationName(r.confirmed_by));
      open_.erase(it);
    }
    std::ostringstream md;
    md << "# E-2204 Recovery of " << r.deployment << "\n\n"
       << "| field | value |\n|---|---|\n"
       << "| detected | " << FormatIso8601(e.time_micros) << " (ledger seq " << e.seq << ") |\n"
       << "| deployment | " << r.deployment << " |\n"
       << "| model | " << (group_of_.count(r.deployment) ? group_of_[r.deployment] : "") << " |\n"
       << "| down since | "
       << (r.down_since_micros ? FormatIso8601(r.down_since_micros) : "unknown") << " |\n"
       << "| down for | "
       << (r.down_since_micros ? Duration(e.time_micros - r.down_since_micros) : "unknown")
       << " |\n"
       << "| confirmed by | " << RecoveryConfirmationName(r.confirmed_by) << " |\n";
    auto probe = last_probe_.find(r.deployment);
    if (probe != last_probe_.end()) {
      md << "| last probe | " << FormatIso8601(probe->second.first) << ", "
         << (probe->second.second.ok ? "ok" : "failed") << ", HTTP "
         << probe->second.second.http_status << ", "
         << probe->second.second.latency_micros / 1000 << " ms |\n";
    }
    Keep(WriteUnique(out_ / "recovery", Stamp(e.time_micros, true) + "_recovery", md.str(),
                     used_));
    ++counts.recoveries;
  }

  void Finish(int64_t last_micros) {
    for (auto& [deployment, ep] : open_) WriteEpisode(ep, 0, "not recovered yet");
    open_.clear();
    (void)last_micros;
  }

  void WriteEpisode(const Episode& ep, int64_t end_micros, const std::string& how) {
    std::ostringstream md;
    md << "# E-2203 Fallback episode: " << ep.deployment << "\n\n"
       << "| field | value |\n|---|---|\n"
       << "| from | " << ep.deployment << " (" << ep.model_group << ") |\n"
       << "| state | " << DeploymentStateName(ep.state) << " |\n"
       << "| reason | " << ep.reason << " |\n"
       << "| started | " << FormatIso8601(ep.start_micros) << " |\n"
       << "| recovered | " << (end_micros ? FormatIso8601(end_micros) : "—") << " |\n"
       << "| duration | " << (end_micros ? Duration(end_micros - ep.start_micros) : "open")
       << " |\n"
       << "| recovery confirmed by | " << how << " |\n"
       << "| failed attempts during episode | " << ep.failed_attempts << " |\n\n"
       << "## Fallbacks taken from " << ep.model_group << " during the episode\n\n";
    if (ep.fallbacks.empty()) md << "None (no request needed it).\n";
    else md << "| to | reason | requests |\n|---|---|---|\n";
    for (const auto& [key, n] : ep.fallbacks) {
      md << "| " << key.first << " | " << key.second << " | " << n << " |\n";
    }
    Keep(WriteUnique(out_ / "fallback", Stamp(ep.start_micros, true) + "_fallback", md.str(),
                     used_));
    ++counts.fallback_episodes;
  }

  void Keep(Status s) {
    if (!s.ok() && status.ok()) status = s;
  }

  ReportCounts counts;
  Status status;
  std::string last_config_;
  std::string last_config_source_;

 private:
  fs::path out_;
  std::set<std::string>* used_;
  std::map<std::string, std::string> group_of_;
  std::map<std::string, Episode> open_;
  std::map<std::string, std::pair<int64_t, HealthProbe>> last_probe_;
};

std::string BudgetReport(const Projection& p, const router::Config* config,
                         const std::vector<BudgetAlert>& alerts,
                         const std::vector<std::pair<int64_t, GateDecision>>& gates,
                         int64_t last_micros) {
  std::ostringstream md;
  md << "# E-2202 Budget consumption\n\n"
     << "Generated from the ledger up to " << FormatIso8601(last_micros) << " (seq "
     << p.last_seq() << "). Amounts in USD, exact.\n\n";
  const auto spend = p.spend();  // a sorted copy: take it once
  std::set<int32_t> periods;
  for (const auto& [key, nanos] : spend) periods.insert(key.first);
  for (int32_t period : periods) {
    md << "## Period " << period << "\n\n";
    for (ScopeKind kind : {ScopeKind::kModel, ScopeKind::kTag, ScopeKind::kTier,
                           ScopeKind::kGlobal}) {
      md << "### By " << ScopeKindName(kind) << "\n\n"
         << "| scope | spent | limit | remaining | used % | alerts fired | stopped |\n"
         << "|---|---|---|---|---|---|---|\n";
      std::set<std::string> keys;
      for (const auto& [key, nanos] : spend) {
        if (key.first == period && key.second.kind == kind) keys.insert(key.second.key);
      }
      if (config) {
        for (const auto& b : config->budgets) {
          if (b.kind == kind) keys.insert(b.key);
        }
      }
      for (const std::string& k : keys) {
        ScopeId scope{kind, k};
        NanoUsd spent = p.Spent(scope, period);
        std::optional<NanoUsd> limit = p.LimitOverride(scope, period);
        if (!limit && config) limit = config->Limit(kind, k);
        std::string fired;
        for (uint32_t pct : {80u, 90u, 100u}) {
          if (p.AlertFired(scope, period, pct)) fired += (fired.empty() ? "" : ", ") +
                                                         std::to_string(pct) + "%";
        }
        md << "| " << (k.empty() ? "global" : k) << " | " << FormatNanosAsUsd(spent) << " | "
           << (limit ? FormatNanosAsUsd(*limit) : "—") << " | "
           << (limit ? FormatNanosAsUsd(*limit - spent) : "—") << " | "
           << (limit && *limit > 0 ? std::to_string(spent * 100 / *limit) : "—") << " | "
           << (fired.empty() ? "—" : fired) << " | "
           << (p.Stopped(scope, period) ? "yes" : "no") << " |\n";
      }
      md << "\n";
    }
  }
  md << "## Alert history\n\n";
  if (alerts.empty()) md << "No alerts.\n";
  else md << "| period | scope | threshold | action | spent | limit |\n|---|---|---|---|---|---|\n";
  for (const auto& a : alerts) {
    md << "| " << a.period << " | " << ScopeKindName(a.scope_kind)
       << (a.scope_key.empty() ? "" : ":" + a.scope_key) << " | " << a.threshold_pct << "% | "
       << AlertActionName(a.action) << " | " << FormatNanosAsUsd(a.spent_nanos) << " | "
       << FormatNanosAsUsd(a.limit_nanos) << " |\n";
  }
  md << "\n## Gate decisions\n\n";
  if (gates.empty()) md << "None.\n";
  for (const auto& [t, g] : gates) {
    md << "- " << FormatIso8601(t) << " " << ScopeKindName(g.scope_kind) << ":" << g.scope_key
       << " → " << GateChoiceName(g.choice) << (g.model.empty() ? "" : " " + g.model) << " by "
       << g.actor << (g.note.empty() ? "" : ": " + g.note) << "\n";
  }
  return md.str();
}

}  // namespace

Result<ReportCounts> WriteEvidence(Ledger& ledger, const std::string& out_dir) {
  const fs::path out(out_dir);
  for (const char* sub : {"config", "budget", "fallback", "recovery"}) {
    std::error_code ec;
    fs::create_directories(out / sub, ec);
    if (ec) return Status::IOError("cannot create " + (out / sub).string() + ": " + ec.message());
  }
  std::set<std::string> used;
  Collector collector(out, &used);
  Projection projection;
  std::vector<BudgetAlert> alerts;
  std::vector<std::pair<int64_t, GateDecision>> gates;
  auto it = ledger.Scan(ScanOptions{});
  int64_t last_micros = 0;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    const Event& e = it->event();
    projection.Apply(e);
    Dispatch(e, collector);
    if (auto* a = std::get_if<BudgetAlert>(&e.body)) alerts.push_back(*a);
    if (auto* g = std::get_if<GateDecision>(&e.body)) gates.emplace_back(e.time_micros, *g);
    last_micros = e.time_micros;
    ++collector.counts.events;
  }
  UKAIRO_RETURN_IF_ERROR(it->status());
  collector.Finish(last_micros);
  UKAIRO_RETURN_IF_ERROR(collector.status);
  // Limits come from the config in force (the last one recorded).
  std::shared_ptr<const router::Config> config;
  if (!collector.last_config_.empty()) {
    auto parsed = router::ParseConfig(collector.last_config_, collector.last_config_source_);
    if (parsed.ok()) config = *parsed;
  }
  if (collector.counts.events > 0) {
    std::ofstream budget(out / "budget" /
                         (Stamp(last_micros, false) + "_budget_consumption.md"));
    budget << BudgetReport(projection, config.get(), alerts, gates, last_micros);
    if (!budget) return Status::IOError("cannot write the budget report");
    collector.counts.budget_files = 1;
  }
  return collector.counts;
}

}  // namespace ukairo::tools
