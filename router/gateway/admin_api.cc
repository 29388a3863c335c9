// Read-side and admin endpoints: /v1/models, /health/readiness, /metrics,
// and behind the master key /budgets, /deployments, /gate, /audit,
// /timeline, /config/reload; and the dashboard's static files at /ui. Everything that reads core state runs on the core strand.
#include <algorithm>
#include <deque>
#include <future>
#include <nlohmann/json.hpp>
#include <openssl/crypto.h>
#include <sstream>

#include "ledger/event_json.h"
#include "ledger/period.h"
#include "router/config/loader.h"
#include "router/config/redact.h"
#include "router/gateway/gateway_impl.h"
#include "router/gateway/ui_assets.h"

namespace ukairo::gateway {
namespace {

using Json = nlohmann::ordered_json;
using ledger::ScopeId;

HttpReply JsonReply(unsigned status, const std::string& body) {
  return HttpReply{status, "application/json", body, {}};
}

HttpReply Error(unsigned status, const std::string& message, const char* type, const char* code) {
  return JsonReply(status, ErrorJson(message, type, code));
}

}  // namespace

// Query string value of `key` ("" when absent). Values are not %-decoded
// beyond '+' → ' ' and %XX, which is all request ids and names need.
std::string Query(const std::string& target, const std::string& key) {
  size_t q = target.find('?');
  if (q == std::string::npos) return "";
  std::stringstream parts(target.substr(q + 1));
  std::string part;
  while (std::getline(parts, part, '&')) {
    size_t eq = part.find('=');
    if (part.substr(0, eq) != key) continue;
    std::string raw = eq == std::string::npos ? "" : part.substr(eq + 1), out;
    for (size_t i = 0; i < raw.size(); ++i) {
      if (raw[i] == '+') {
        out += ' ';
      } else if (raw[i] == '%' && i + 2 < raw.size()) {
        out += static_cast<char>(std::stoi(raw.substr(i + 1, 2), nullptr, 16));
        i += 2;
      } else {
        out += raw[i];
      }
    }
    return out;
  }
  return "";
}

namespace {

std::string PathOf(const std::string& target) { return target.substr(0, target.find('?')); }

const char* kScopeKinds[] = {"model", "tag", "tier", "global"};

std::optional<ledger::ScopeKind> ParseScopeKind(const std::string& s) {
  for (int i = 0; i < 4; ++i) {
    if (s == kScopeKinds[i]) return static_cast<ledger::ScopeKind>(i);
  }
  return std::nullopt;
}

// Prometheus label value escaping.
std::string Label(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

__extension__ typedef __int128 Int128;  // as base/money.cc: products of two int64

// Month-end (period-end) forecast: spend so far scaled linearly by period
// length over time elapsed, in 128-bit integers (nano-USD × micros overflows
// int64). Before any time has elapsed the forecast is the spend itself.
NanoUsd ForecastNanos(NanoUsd spent, int64_t elapsed_micros, int64_t period_micros) {
  if (spent <= 0 || elapsed_micros <= 0 || period_micros <= 0) return spent;
  elapsed_micros = std::min(elapsed_micros, period_micros);
  const Int128 f = static_cast<Int128>(spent) * period_micros / elapsed_micros;
  return f > INT64_MAX ? INT64_MAX : static_cast<NanoUsd>(f);
}

int64_t BasisPoints(NanoUsd part, NanoUsd whole) {
  if (whole <= 0) return 0;
  const Int128 bp = static_cast<Int128>(part) * 10000 / whole;
  return bp > 1'000'000 ? 1'000'000 : static_cast<int64_t>(bp);  // capped at 100x
}

// Event kinds the dashboard's timeline shows when the caller names none.
constexpr const char* kTimelineKindsDefault =
    "retry_scheduled,fallback_taken,budget_alert,budget_stopped,gate_decision,"
    "deployment_state_changed,recovered,reservation_expired,notification_failed,config_applied";
// Bounds on one /timeline call: events returned and events read.
constexpr size_t kTimelineEventsMax = 500;
constexpr uint64_t kTimelineScanEventsMax = 200'000;

// GET /timeline?after_seq=&since=&kinds=a,b&limit=: the newest `limit` events
// of the named kinds among those after `after_seq` (and at or after `since`),
// plus `cursor`, the seq to pass as after_seq next time, and `more` when
// events are left to read. Unlike /audit (oldest first, one kind) this is a
// tail: a dashboard polls it with its cursor and reads only what is new, even
// when nothing of interest happened. The ledger is thread-safe: no strand.
HttpReply TimelineReply(ledger::Ledger* ledger, const std::string& target) {
  size_t limit = 100;
  uint64_t after = 0;
  try {
    const std::string l = Query(target, "limit"), a = Query(target, "after_seq");
    if (!l.empty()) limit = std::min<size_t>(kTimelineEventsMax, std::stoul(l));
    if (!a.empty()) after = std::stoull(a);
  } catch (const std::exception&) {
    return Error(400, "limit and after_seq must be integers", "invalid_request_error",
                 "invalid_request");
  }
  std::string kinds_text = Query(target, "kinds");
  if (kinds_text.empty()) kinds_text = kTimelineKindsDefault;
  std::vector<std::string> kinds;
  std::stringstream parts(kinds_text);
  for (std::string k; std::getline(parts, k, ',');) {
    if (!k.empty()) kinds.push_back(k);
  }
  ledger::ScanOptions scan;
  scan.seq_min = after + 1;
  // Events appended while scanning wait for the next call: the cursor is exact.
  scan.seq_max = ledger->LastSeq();
  if (const std::string since = Query(target, "since"); !since.empty()) {
    auto t = ParseIso8601(since);
    if (!t.ok()) {
      return Error(400, t.status().message(), "invalid_request_error", "invalid_request");
    }
    scan.time_min_micros = *t;
  }
  std::deque<std::string> tail;  // the newest `limit` matches, oldest first
  uint64_t cursor = std::max(after, scan.seq_max);
  if (scan.seq_max >= scan.seq_min) {
    auto it = ledger->Scan(scan);
    uint64_t read = 0;
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      if (++read > kTimelineScanEventsMax) {  // the rest on the next call
        cursor = it->event().seq - 1;
        break;
      }
      const char* kind = ledger::KindName(it->event().body);
      if (std::find(kinds.begin(), kinds.end(), kind) == kinds.end()) continue;
      tail.push_back(ledger::EventToJson(it->event()));
      if (tail.size() > limit) tail.pop_front();
    }
    if (!it->status().ok()) {
      return Error(500, it->status().message(), "server_error", "ledger_error");
    }
  }
  std::string out = "{\"events\":[";
  for (size_t i = 0; i < tail.size(); ++i) out += (i ? "," : "") + tail[i];
  out += "],\"count\":" + std::to_string(tail.size()) + ",\"cursor\":" + std::to_string(cursor) +
         ",\"more\":" + (cursor < ledger->LastSeq() ? "true" : "false") + "}";
  return JsonReply(200, out);
}

}  // namespace

bool GatewayImpl::Authorized(const HttpCall& call, const router::Config& config) const {
  const std::string& key = config.master_key;
  if (key.empty()) return false;
  // Authorization: Bearer K or x-api-key: K, compared in constant time.
  bool ok = false;
  for (std::string_view presented : PresentedKeys(call, /*api_key_header=*/false)) {
    ok |= KeyMatches(presented, key);
  }
  return ok;
}

bool GatewayImpl::Ready() {
  if (ledger_failed_ || ledger_ == nullptr) return false;
  const int32_t period = PeriodOf(last_now_micros_, CurrentConfig()->budget_period);
  for (const auto& d : core_->config().deployments) {
    const auto& status = core_->projection().Deployment(d.id);
    if (status.state == ledger::DeploymentState::kHealthy) return true;
  }
  (void)period;
  return false;
}

std::string GatewayImpl::ModelsJson() {
  Json data = Json::array();
  for (const auto& [name, group] : core_->config().groups) {
    data.push_back({{"id", name}, {"object", "model"}, {"created", 0}, {"owned_by", "ukairo"}});
  }
  for (const auto& tier : core_->config().tiers) {
    data.push_back({{"id", tier.name}, {"object", "model"}, {"created", 0},
                    {"owned_by", "ukairo-tier"}});
  }
  return Json{{"object", "list"}, {"data", data}}.dump();
}

std::string GatewayImpl::BudgetsJson() {
  const auto& p = core_->projection();
  const router::Config& c = core_->config();
  const int64_t now = NowMicros();
  const int32_t period = PeriodOf(now, c.budget_period);
  const int64_t period_start = PeriodStartMicros(period, c.budget_period);
  const int64_t period_micros = PeriodEndMicros(period, c.budget_period) - period_start;
  const int64_t elapsed_micros = now - period_start;
  Json scopes = Json::array();
  for (const auto& b : c.budgets) {
    ScopeId scope{b.kind, b.key};
    NanoUsd limit = p.LimitOverride(scope, period).value_or(b.limit_nanos);
    NanoUsd spent = p.Spent(scope, period), reserved = p.Reserved(scope);
    NanoUsd forecast = ForecastNanos(spent, elapsed_micros, period_micros);
    Json alerts = Json::array();
    for (const auto& a : c.alerts) {
      if (p.AlertFired(scope, period, a.threshold_pct)) alerts.push_back(a.threshold_pct);
    }
    Json s{{"scope_kind", kScopeKinds[static_cast<int>(b.kind)]}, {"scope_key", b.key},
           {"period", period},
           {"limit_usd", FormatNanosAsUsd(limit)}, {"spent_usd", FormatNanosAsUsd(spent)},
           {"reserved_usd", FormatNanosAsUsd(reserved)},
           {"remaining_usd", FormatNanosAsUsd(std::max<NanoUsd>(0, limit - spent - reserved))},
           {"spent_basis_points", BasisPoints(spent, limit)},
           {"reserved_basis_points", BasisPoints(reserved, limit)},
           {"forecast_usd", FormatNanosAsUsd(forecast)},
           {"forecast_basis_points", BasisPoints(forecast, limit)},
           {"alerts_fired_pct", alerts}, {"stopped", p.Stopped(scope, period)}};
    if (const auto* gate = p.GateFor(scope, period)) {
      s["gate"] = {{"stopped", gate->stopped},
                   {"stopped_at", gate->stopped_micros ? FormatIso8601(gate->stopped_micros) : ""},
                   {"decided", gate->decided},
                   {"choice", ledger::GateChoiceName(gate->choice)},
                   {"continue_model", gate->continue_model}, {"actor", gate->actor},
                   {"note", gate->note}, {"decided_at", gate->decided_micros
                                                            ? FormatIso8601(gate->decided_micros)
                                                            : ""}};
    }
    scopes.push_back(std::move(s));
  }
  return Json{{"period", period},
              {"now", FormatIso8601(now)},
              {"period_start", FormatIso8601(period_start)},
              {"period_end", FormatIso8601(period_start + period_micros)},
              {"period_elapsed_basis_points", BasisPoints(elapsed_micros, period_micros)},
              {"scopes", scopes},
              {"key_scopes", KeyScopesJson(period)}}
      .dump();
}

std::string GatewayImpl::DeploymentsJson() {
  const auto& p = core_->projection();
  Json list = Json::array();
  for (const auto& d : core_->config().deployments) {
    const auto& s = p.Deployment(d.id);
    list.push_back({{"id", d.id}, {"model_group", d.model_group},
                    {"provider_model", d.provider_model},
                    {"state", ledger::DeploymentStateName(s.state)},
                    {"since", s.since_micros ? FormatIso8601(s.since_micros) : ""},
                    {"until", s.until_micros ? FormatIso8601(s.until_micros) : ""},
                    {"reason", s.reason},
                    {"last_probe", s.last_probe_micros ? FormatIso8601(s.last_probe_micros) : ""},
                    {"last_probe_ok", s.last_probe_ok}});
  }
  return Json{{"deployments", list}}.dump();
}

std::string GatewayImpl::MetricsText() {
  std::ostringstream m;
  const router::CoreStats& st = core_->stats();
  auto counter = [&](const char* name, const char* help, uint64_t v) {
    m << "# HELP " << name << " " << help << "\n# TYPE " << name << " counter\n"
      << name << " " << v << "\n";
  };
  counter("ukairo_responses_ok_total", "Requests answered successfully", st.responses_ok);
  counter("ukairo_responses_error_total", "Requests answered with an error", st.responses_error);
  counter("ukairo_http_requests_total", "HTTP requests received", http_requests_.load());
  counter("ukairo_ledger_events_total", "Events appended to the ledger", ledger_events_.load());
  counter("ukairo_refused_overload_total",
          "Requests refused with 503: requests in flight at their limit", refused_overload_.load());
  counter("ukairo_refused_ledger_queue_total",
          "Requests refused with 503: ledger writer queue at its limit",
          refused_ledger_queue_.load());
  m << "# HELP ukairo_auth_failures_total Client requests refused with 401, by reason\n"
       "# TYPE ukairo_auth_failures_total counter\n"
    << "ukairo_auth_failures_total{reason=\"missing\"} " << auth_failures_missing_.load() << "\n"
    << "ukairo_auth_failures_total{reason=\"invalid\"} " << auth_failures_invalid_.load() << "\n"
    << "ukairo_auth_failures_total{reason=\"revoked\"} " << auth_failures_revoked_.load() << "\n"
    << "ukairo_auth_failures_total{reason=\"expired\"} " << auth_failures_expired_.load() << "\n";
  auto gauge = [&](const char* name, const char* help, uint64_t v) {
    m << "# HELP " << name << " " << help << "\n# TYPE " << name << " gauge\n"
      << name << " " << v << "\n";
  };
  gauge("ukairo_ledger_queue_events", "Events waiting for the ledger writer",
        writer_queue_events_.load(std::memory_order_relaxed));
  gauge("ukairo_requests_in_flight", "Requests admitted and not yet answered", pending_.size());
  const auto& p = core_->projection();
  const router::Config& c = core_->config();
  const int32_t period = PeriodOf(NowMicros(), c.budget_period);
  m << "# HELP ukairo_spend_usd Settled spend this period\n# TYPE ukairo_spend_usd gauge\n";
  for (const auto& b : c.budgets) {
    ScopeId scope{b.kind, b.key};
    m << "ukairo_spend_usd{scope=\"" << kScopeKinds[static_cast<int>(b.kind)] << "\",key=\""
      << Label(b.key) << "\"} " << FormatNanosAsUsd(p.Spent(scope, period)) << "\n";
  }
  m << "# HELP ukairo_budget_remaining_usd Limit minus spend and reservations\n"
       "# TYPE ukairo_budget_remaining_usd gauge\n";
  for (const auto& b : c.budgets) {
    ScopeId scope{b.kind, b.key};
    NanoUsd limit = p.LimitOverride(scope, period).value_or(b.limit_nanos);
    m << "ukairo_budget_remaining_usd{scope=\"" << kScopeKinds[static_cast<int>(b.kind)]
      << "\",key=\"" << Label(b.key) << "\"} "
      << FormatNanosAsUsd(limit - p.Spent(scope, period) - p.Reserved(scope)) << "\n";
  }
  m << "# HELP ukairo_ledger_append_seconds Ledger append latency\n"
       "# TYPE ukairo_ledger_append_seconds histogram\n";
  uint64_t cumulative = 0;
  for (size_t i = 0; i < LatencyHistogram::kBuckets; ++i) {
    cumulative += append_latency_.counts[i].load();
    m << "ukairo_ledger_append_seconds_bucket{le=\""
      << FormatNanosAsUsd(LatencyHistogram::kBucketsMicros[i] * 1000) << "\"} " << cumulative
      << "\n";
  }
  cumulative += append_latency_.counts[LatencyHistogram::kBuckets].load();
  m << "ukairo_ledger_append_seconds_bucket{le=\"+Inf\"} " << cumulative << "\n";
  m << "ukairo_ledger_append_seconds_sum "
    << FormatNanosAsUsd(static_cast<int64_t>(append_latency_.sum_micros.load()) * 1000) << "\n";
  m << "ukairo_ledger_append_seconds_count " << append_latency_.total.load() << "\n";
  std::string text = m.str();
  RenderBudgetAndDeploymentGauges(p, c, period, &text);
  metrics_.Render(&text);
  return text;
}

void GatewayImpl::HandleGate(const HttpCall& call, ReplyFn reply) {
  Json j = Json::parse(call.body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    return reply(Error(400, "gate body must be a JSON object", "invalid_request_error",
                       "invalid_request"));
  }
  ledger::GateDecision d;
  auto kind = ParseScopeKind(j.value("scope_kind", std::string()));
  if (!kind) {
    return reply(Error(400, "scope_kind must be model, tag, tier or global",
                       "invalid_request_error", "invalid_request"));
  }
  d.scope_kind = *kind;
  d.scope_key = j.value("scope_key", std::string());
  d.actor = j.value("actor", std::string());
  d.note = j.value("note", std::string());
  if (d.actor.empty()) {
    return reply(Error(400, "actor is required: a gate decision names who made it",
                       "invalid_request_error", "invalid_request"));
  }
  const std::string choice = j.value("choice", std::string());
  if (choice == "continue_with_model") {
    d.choice = ledger::GateChoice::kContinueWithModel;
    d.model = j.value("model", std::string());
  } else if (choice == "raise_limit") {
    d.choice = ledger::GateChoice::kRaiseLimit;
    // Money arrives as decimal text (or an integer), never through a double.
    std::string text = j.contains("new_limit_usd") && j["new_limit_usd"].is_string()
                           ? j["new_limit_usd"].get<std::string>()
                       : j.contains("new_limit_usd") && j["new_limit_usd"].is_number_integer()
                           ? std::to_string(j["new_limit_usd"].get<int64_t>())
                           : "";
    Result<NanoUsd> limit = ParseUsd(text);
    if (!limit.ok()) {
      return reply(Error(400, "new_limit_usd: " + limit.status().message(),
                         "invalid_request_error", "invalid_request"));
    }
    d.new_limit_nanos = *limit;
  } else if (choice == "stop") {
    d.choice = ledger::GateChoice::kStop;
  } else {
    return reply(Error(400, "choice must be continue_with_model, raise_limit or stop",
                       "invalid_request_error", "invalid_request"));
  }
  net::dispatch(core_strand_, [this, d, reply = std::move(reply)]() mutable {
    if (d.choice == ledger::GateChoice::kContinueWithModel &&
        core_->config().FindGroup(d.model) == nullptr) {
      return reply(Error(400, "unknown model '" + d.model + "'", "invalid_request_error",
                         "model_not_found"));
    }
    core_->OnGateDecision(d, NowMicros(), actions_);
    Execute();
    reply(JsonReply(200, BudgetsJson()));
  });
}

void GatewayImpl::HandleAudit(const HttpCall& call, ReplyFn reply) {
  const std::string request_id = Query(call.target, "request");
  const std::string limit_text = Query(call.target, "limit");
  const std::string after_text = Query(call.target, "after_seq");
  size_t limit = 100;
  uint64_t after = 0;
  try {
    if (!limit_text.empty()) limit = std::min<size_t>(1000, std::stoul(limit_text));
    if (!after_text.empty()) after = std::stoull(after_text);
  } catch (const std::exception&) {
    return reply(Error(400, "limit and after_seq must be integers", "invalid_request_error",
                       "invalid_request"));
  }
  ledger::ScanOptions scan;
  scan.seq_min = after + 1;
  for (const char* key : {"kind", "deployment", "model", "tag", "tier"}) {
    std::string v = Query(call.target, key);
    if (v.empty()) continue;
    if (std::string(key) == "kind") scan.kind = v;
    if (std::string(key) == "deployment") scan.deployment = v;
    if (std::string(key) == "model") scan.model_group = v;
    if (std::string(key) == "tag") scan.tag = v;
    if (std::string(key) == "tier") scan.tier = v;
  }
  for (const char* key : {"since", "until"}) {
    std::string v = Query(call.target, key);
    if (v.empty()) continue;
    auto t = ParseIso8601(v);
    if (!t.ok()) {
      return reply(Error(400, t.status().message(), "invalid_request_error", "invalid_request"));
    }
    (std::string(key) == "since" ? scan.time_min_micros : scan.time_max_micros) = *t;
  }
  // Reads go to RocksDB directly (the ledger is thread-safe): no strand hop.
  std::string out = "{\"events\":[";
  size_t n = 0;
  uint64_t last_seq = 0;
  if (!request_id.empty()) {
    auto events = ledger_->ReadRequest(request_id);
    if (!events.ok()) {
      return reply(Error(500, events.status().message(), "server_error", "ledger_error"));
    }
    for (const auto& e : *events) {
      out += (n++ ? "," : "") + ledger::EventToJson(e);
      last_seq = e.seq;
    }
  } else {
    auto it = ledger_->Scan(scan);
    for (it->SeekToFirst(); it->Valid() && n < limit; it->Next()) {
      out += (n++ ? "," : "") + ledger::EventToJson(it->event());
      last_seq = it->event().seq;
    }
    if (!it->status().ok()) {
      const bool bad_filter = it->status().IsInvalidArgument();  // e.g. an unknown kind
      return reply(Error(bad_filter ? 400 : 500, it->status().message(),
                         bad_filter ? "invalid_request_error" : "server_error",
                         bad_filter ? "invalid_request" : "ledger_error"));
    }
  }
  out += "],\"count\":" + std::to_string(n) + ",\"next_after_seq\":" +
         (n == limit && request_id.empty() ? std::to_string(last_seq) : "null") + "}";
  reply(JsonReply(200, out));
}

void GatewayImpl::HandleReload(ReplyFn reply) {
  if (options_.config_path.empty()) {
    return reply(Error(400, "the gateway was started without a config file",
                       "invalid_request_error", "no_config_path"));
  }
  // Validated first; on error the old config stays in force.
  auto loaded = router::LoadConfigFile(options_.config_path);
  if (!loaded.ok()) {
    return reply(Error(400, loaded.status().message(), "invalid_request_error", "bad_config"));
  }
  net::dispatch(core_strand_, [this, config = *loaded, reply = std::move(reply)]() mutable {
    std::vector<ledger::Event> events(1);
    events[0].time_micros = NowMicros();
    events[0].body = router::ConfigAppliedEvent(*config, "admin-api");
    // Recorded before anything the new config decides (the writer keeps
    // order); the answer waits until the record is durable.
    std::string answer = Json{{"applied", true}, {"sha256", config->sha256_hex},
                              {"warnings", config->warnings}}
                             .dump();
    Enqueue(std::move(events), [reply, answer](const Status& s) {
      reply(s.ok() ? JsonReply(200, answer)
                   : Error(503, s.message(), "server_error", "ledger_unavailable"));
    });
    core_->OnConfig(config, NowMicros(), actions_);
    SetConfig(config);
    Execute();
  });
}

void GatewayImpl::HandleAdmin(const HttpCall& call, ReplyFn reply) {
  const std::string path = PathOf(call.target);
  auto on_strand = [this, reply](std::function<HttpReply()> fn) mutable {
    net::dispatch(core_strand_, [fn = std::move(fn), reply = std::move(reply)] { reply(fn()); });
  };
  auto want = [&](const char* method) { return call.method == method; };
  if (path == "/v1/models" || path == "/models") {
    return on_strand([this] { return JsonReply(200, ModelsJson()); });
  }
  if (path == "/health/readiness") {
    return on_strand([this] {
      bool ready = Ready();
      return JsonReply(ready ? 200 : 503,
                       Json{{"status", ready ? "ready" : "not_ready"},
                            {"ledger", ledger_failed_ ? "failed" : "writable"}}
                           .dump());
    });
  }
  if (path == "/metrics") {
    return on_strand([this] {
      return HttpReply{200, "text/plain; version=0.0.4", MetricsText(), {}};
    });
  }
  if (path == "/ui" || path == "/ui/" || path.rfind("/ui/", 0) == 0) {
    // Static files carry no secrets; the data they show comes from the admin
    // endpoints, which the page calls with the master key the user enters.
    std::string file = path.size() <= 4 ? "index.html" : path.substr(4);
    for (const UiFile& f : EmbeddedUiFiles()) {
      if (file != f.path) continue;
      HttpReply r{200, f.content_type, std::string(f.bytes()), {}};
      r.headers.emplace_back("cache-control", "no-cache");
      return reply(std::move(r));
    }
    http_errors_.fetch_add(1, std::memory_order_relaxed);
    return reply(Error(404, "no such dashboard file: " + file, "invalid_request_error",
                       "not_found"));
  }
  static const char* kAdmin[] = {"/budgets",      "/deployments", "/gate",       "/audit",
                                 "/timeline",     "/config/reload", "/key/generate", "/key/info",
                                 "/key/update",   "/key/delete",  "/key/list",   "/team/new",
                                 "/team/info"};
  bool admin = std::any_of(std::begin(kAdmin), std::end(kAdmin),
                           [&](const char* p) { return path == p; });
  if (!admin) {
    http_errors_.fetch_add(1, std::memory_order_relaxed);
    return reply(Error(404, "no route " + call.method + " " + path, "invalid_request_error",
                       "not_found"));
  }
  if (const auto config = CurrentConfig(); !Authorized(call, *config)) {
    http_errors_.fetch_add(1, std::memory_order_relaxed);
    return reply(Error(401,
                       config->master_key.empty()
                           ? "admin endpoints are closed: no master key is configured"
                           : "admin endpoints need Authorization: Bearer <master key> (or "
                             "x-api-key: <master key>)",
                       "authentication_error", "unauthorized"));
  }
  if (path == "/budgets" && want("GET")) {
    return on_strand([this] { return JsonReply(200, BudgetsJson()); });
  }
  if (path == "/deployments" && want("GET")) {
    return on_strand([this] { return JsonReply(200, DeploymentsJson()); });
  }
  if (path == "/gate" && want("POST")) return HandleGate(call, std::move(reply));
  if (path == "/audit" && want("GET")) return HandleAudit(call, std::move(reply));
  if (path == "/timeline" && want("GET")) return reply(TimelineReply(ledger_.get(), call.target));
  if (path == "/config/reload" && want("POST")) return HandleReload(std::move(reply));
  if (path.rfind("/key/", 0) == 0 || path.rfind("/team/", 0) == 0) {
    return HandleKeyAdmin(call, std::move(reply));
  }
  reply(Error(405, "method " + call.method + " not allowed on " + path, "invalid_request_error",
              "method_not_allowed"));
}

}  // namespace ukairo::gateway
