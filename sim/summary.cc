#include "sim/summary.h"

#include <nlohmann/json.hpp>

#include "base/check.h"
#include "base/money.h"
#include "ledger/period.h"

namespace ukairo::sim {
namespace {

using Json = nlohmann::ordered_json;

Json MoneyMap(const std::map<std::string, NanoUsd>& m) {
  Json out = Json::object();
  for (const auto& [k, v] : m) out[k] = FormatNanosAsUsd(v);
  return out;
}

Json CountMap(const std::map<std::string, uint64_t>& m) {
  Json out = Json::object();
  for (const auto& [k, v] : m) out[k] = v;
  return out;
}

std::string ScopeName(ledger::ScopeKind kind, const std::string& key) {
  if (kind == ledger::ScopeKind::kGlobal) return "global";
  return std::string(ledger::ScopeKindName(kind)) + ":" + key;
}

// Named counts of the non-zero entries of an enum-indexed array.
template <typename Enum>
std::map<std::string, uint64_t> Named(const std::array<uint64_t, 16>& counts,
                                      const char* (*name)(Enum)) {
  std::map<std::string, uint64_t> out;
  for (size_t i = 0; i < counts.size(); ++i) {
    if (counts[i] != 0) out[name(static_cast<Enum>(i))] = counts[i];
  }
  return out;
}

}  // namespace

std::map<std::string, uint64_t> SummaryBuilder::fallbacks_by_reason() const {
  return Named<ledger::FallbackReason>(fallbacks_by_reason_, ledger::FallbackReasonName);
}

void SummaryBuilder::Add(const ledger::Event& event) {
  ++events_;
  ledger::Dispatch(event, *this);
}

void SummaryBuilder::OnRequestAccepted(const ledger::Event&, const ledger::RequestAccepted&) {
  ++accepted_;
}

void SummaryBuilder::OnAttemptStarted(const ledger::Event&, const ledger::AttemptStarted&) {
  ++attempts_;
}

void SummaryBuilder::OnAttemptFinished(const ledger::Event&, const ledger::AttemptFinished& e) {
  ++outcomes_.at(static_cast<size_t>(e.outcome));
  if (e.cost_nanos != 0) {
    cost_total_nanos_ += e.cost_nanos;
    cost_by_model_[e.model_group] += e.cost_nanos;
    cost_by_tag_[e.tag] += e.cost_nanos;
    cost_by_tier_[e.tier] += e.cost_nanos;
  }
  if (e.outcome != ledger::Outcome::kOk) return;
  // The core emits a good attempt's AttemptFinished right before its
  // RequestCompleted, so one remembered entry usually suffices; the map only
  // holds the ones something else came between.
  if (has_last_ok_ && last_ok_request_id_ != e.request_id) {
    served_latency_micros_[last_ok_request_id_] = last_ok_latency_micros_;
  }
  has_last_ok_ = true;
  last_ok_request_id_ = e.request_id;
  last_ok_latency_micros_ = e.latency_micros;
}

void SummaryBuilder::OnRetryScheduled(const ledger::Event&, const ledger::RetryScheduled&) {
  ++retries_;
}

void SummaryBuilder::OnFallbackTaken(const ledger::Event&, const ledger::FallbackTaken& e) {
  ++fallbacks_by_reason_.at(static_cast<size_t>(e.reason));
}

void SummaryBuilder::AddRefused(uint32_t http_status, const std::string& error_code) {
  ++refused_by_code_[error_code.empty() ? std::to_string(http_status) : error_code];
}

void SummaryBuilder::OnRequestCompleted(const ledger::Event&, const ledger::RequestCompleted& e) {
  ++completed_;
  const bool ok = e.error_code.empty() && e.http_status < 400;
  if (!ok) {
    ++failed_;
    ++errors_by_code_[e.error_code.empty() ? std::to_string(e.http_status) : e.error_code];
  } else {
    ++served_by_[e.final_deployment];
  }
  if (e.last_resort) ++last_resort_;
  int64_t served_micros = -1;
  if (has_last_ok_ && last_ok_request_id_ == e.request_id) {
    served_micros = last_ok_latency_micros_;
    has_last_ok_ = false;
  } else if (!served_latency_micros_.empty()) {
    auto it = served_latency_micros_.find(e.request_id);
    if (it != served_latency_micros_.end()) {
      served_micros = it->second;
      served_latency_micros_.erase(it);
    }
  }
  if (ok && served_micros >= 0) {
    int64_t added_micros = e.latency_micros - served_micros;
    if (added_micros < 0) added_micros = 0;
    int64_t ms = added_micros / 1000;
    if (ms > kLatencyAddedMsMax) ms = kLatencyAddedMsMax;
    ++latency_added_ms_hist_[static_cast<size_t>(ms)];
    ++latency_added_count_;
  }
}

void SummaryBuilder::OnBudgetAlert(const ledger::Event& ev, const ledger::BudgetAlert& e) {
  if (alerts_.size() >= kAlertsMax) return;  // counted as events anyway
  alerts_.push_back(Alert{ledger::ScopeKindName(e.scope_kind), e.scope_key, e.threshold_pct,
                          ledger::AlertActionName(e.action), ev.time_micros});
}

void SummaryBuilder::OnBudgetStopped(const ledger::Event& ev, const ledger::BudgetStopped& e) {
  exhausted_at_.emplace(ScopeName(e.scope_kind, e.scope_key), ev.time_micros);
}

void SummaryBuilder::OnHealthProbe(const ledger::Event&, const ledger::HealthProbe& e) {
  ++probes_;
  if (!e.ok) ++probes_failed_;
}

void SummaryBuilder::OnDeploymentStateChanged(const ledger::Event&,
                                              const ledger::DeploymentStateChanged& e) {
  ++state_changes_.at(static_cast<size_t>(e.to));
}

void SummaryBuilder::OnRecovered(const ledger::Event&, const ledger::Recovered&) { ++recoveries_; }

int64_t SummaryBuilder::LatencyAddedMsPercentile(uint32_t pct) const {
  UKAIRO_CHECK(pct >= 1 && pct <= 100);
  if (latency_added_count_ == 0) return 0;
  const uint64_t rank = (latency_added_count_ * pct + 99) / 100;
  uint64_t seen = 0;
  for (size_t ms = 0; ms < latency_added_ms_hist_.size(); ++ms) {
    seen += latency_added_ms_hist_[ms];
    if (seen >= rank) return static_cast<int64_t>(ms);
  }
  UKAIRO_CHECK(false, "rank within count must be reached");
  return kLatencyAddedMsMax;
}

std::string SummaryBuilder::ToJson(const RunInfo& info) const {
  return ToJsonValue(info).dump(2) + "\n";
}

Json SummaryBuilder::ToJsonValue(const RunInfo& info) const {
  Json j;
  j["schema"] = "ukairo.simulate.summary/1";
  Json run;
  run["seed"] = info.seed;
  run["config"] = info.config_source;
  run["config_sha256"] = info.config_sha256_hex;
  run["scenario"] = info.scenario;
  run["trace"] = info.trace;
  run["trace_format"] = info.trace_format;
  run["start"] = FormatIso8601(info.start_micros);
  run["end"] = FormatIso8601(info.end_micros);
  run["days"] = info.days;
  run["trace_records_read"] = info.trace_records_read;
  run["trace_lines_skipped"] = info.trace_lines_skipped;
  run["arrivals_out_of_order"] = info.arrivals_out_of_order;
  run["events"] = events_;
  j["run"] = run;
  j["requests_total"] = completed_;
  j["requests_failed"] = failed_;
  j["requests_last_resort"] = last_resort_;
  j["cost_usd_total"] = FormatNanosAsUsd(cost_total_nanos_);
  j["cost_usd_by_model"] = MoneyMap(cost_by_model_);
  j["cost_usd_by_tag"] = MoneyMap(cost_by_tag_);
  j["cost_usd_by_tier"] = MoneyMap(cost_by_tier_);
  j["served_by"] = CountMap(served_by_);
  j["fallbacks_by_reason"] = CountMap(fallbacks_by_reason());
  j["retries"] = retries_;
  j["attempts"] = attempts_;
  j["attempt_outcomes"] = CountMap(Named<ledger::Outcome>(outcomes_, ledger::OutcomeName));
  j["errors_by_code"] = CountMap(errors_by_code_);
  // Only when some request was refused, so runs without any (every shipped
  // trace) keep their bytes.
  if (!refused_by_code_.empty()) j["requests_refused"] = CountMap(refused_by_code_);
  j["latency_added_ms_p50"] = LatencyAddedMsPercentile(50);
  j["latency_added_ms_p99"] = LatencyAddedMsPercentile(99);
  Json alerts = Json::array();
  for (const auto& a : alerts_) {
    alerts.push_back(Json{{"scope", a.scope},
                          {"key", a.key},
                          {"threshold_pct", a.threshold_pct},
                          {"action", a.action},
                          {"time", FormatIso8601(a.time_micros)}});
  }
  j["alerts"] = alerts;
  Json exhausted = Json::object();
  for (const auto& [scope, t] : exhausted_at_) exhausted[scope] = FormatIso8601(t);
  j["budget_exhausted_at"] = exhausted;
  j["deployment_state_changes"] =
      CountMap(Named<ledger::DeploymentState>(state_changes_, ledger::DeploymentStateName));
  j["probes"] = probes_;
  j["probes_failed"] = probes_failed_;
  j["recoveries"] = recoveries_;
  return j;
}

}  // namespace ukairo::sim
