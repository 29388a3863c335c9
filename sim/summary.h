// The simulation summary: a fold over the events the router core emits.
//
// SummaryBuilder is a ledger::EventHandler; the simulator dispatches every
// emitted event to it, exactly as a projection would fold the ledger. It
// never looks inside the core, so the summary of a simulation equals the
// summary of its ledger. The JSON schema is documented in sim/README.md and
// is stable: fields are only added, never renamed.
//
// Memory: maps keyed by model group, deployment, tag, tier and scope (all
// bounded by the config), the alert list (bounded by scopes × thresholds ×
// periods), a per-request entry only while a request is in flight, and a
// fixed latency histogram.
//
// Thread safety: not thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "ledger/event.h"

namespace ukairo::sim {

// Facts about the run that are not events (inputs, counts of the driver).
struct RunInfo {
  uint64_t seed = 0;
  std::string config_source;
  std::string config_sha256_hex;
  std::string scenario;
  std::string trace;
  std::string trace_format;
  int64_t start_micros = 0;
  int64_t end_micros = 0;
  int64_t days = 0;
  uint64_t trace_records_read = 0;
  uint64_t trace_lines_skipped = 0;
  uint64_t arrivals_out_of_order = 0;
};

class SummaryBuilder : public ledger::EventHandler {
 public:
  static constexpr int64_t kLatencyAddedMsMax = 1 << 20;  // histogram range (~17 min)
  static constexpr size_t kAlertsMax = 1 << 16;

  // Folds one event (calls the handler method for its type).
  void Add(const ledger::Event& event);

  // Counts a request the core answered without recording it (no event), by
  // its error code: an unknown model's 404 model_not_found, an overload's
  // 503. Such requests are not in requests_total; a summary folded from a
  // ledger has none (the ledger never saw them).
  void AddRefused(uint32_t http_status, const std::string& error_code);

  // The summary JSON (2-space indent, a trailing newline). Same events in
  // the same order and the same RunInfo → byte-identical text.
  std::string ToJson(const RunInfo& info) const;
  // The same summary as a JSON value (ToJson dumps it), for callers that
  // add sections (the forecast) or combine runs (--compare).
  nlohmann::ordered_json ToJsonValue(const RunInfo& info) const;

  uint64_t events() const { return events_; }
  uint64_t requests_total() const { return completed_; }
  uint64_t requests_failed() const { return failed_; }
  NanoUsd cost_total_nanos() const { return cost_total_nanos_; }
  uint64_t retries() const { return retries_; }
  // Refused requests by error code (AddRefused).
  const std::map<std::string, uint64_t>& refused_by_code() const { return refused_by_code_; }
  // Fallbacks by FallbackReasonName (only reasons seen).
  std::map<std::string, uint64_t> fallbacks_by_reason() const;
  const std::map<std::string, uint64_t>& served_by() const { return served_by_; }
  const std::map<std::string, NanoUsd>& cost_by_model() const { return cost_by_model_; }
  const std::map<std::string, NanoUsd>& cost_by_tag() const { return cost_by_tag_; }
  const std::map<std::string, NanoUsd>& cost_by_tier() const { return cost_by_tier_; }
  struct Alert {
    std::string scope;  // "model", "tag", "tier", "global"
    std::string key;
    uint32_t threshold_pct;
    std::string action;
    int64_t time_micros;
  };
  const std::vector<Alert>& alerts() const { return alerts_; }
  // "model:claude-opus" / "tag:Spec" / "tier:build" / "global" → first stop time.
  const std::map<std::string, int64_t>& budget_exhausted_at() const { return exhausted_at_; }
  // Nearest-rank percentile of added latency in whole ms (floor), over
  // requests that were served. pct in 1..100.
  int64_t LatencyAddedMsPercentile(uint32_t pct) const;

  void OnRequestAccepted(const ledger::Event&, const ledger::RequestAccepted&) override;
  void OnAttemptStarted(const ledger::Event&, const ledger::AttemptStarted&) override;
  void OnAttemptFinished(const ledger::Event&, const ledger::AttemptFinished&) override;
  void OnRetryScheduled(const ledger::Event&, const ledger::RetryScheduled&) override;
  void OnFallbackTaken(const ledger::Event&, const ledger::FallbackTaken&) override;
  void OnRequestCompleted(const ledger::Event&, const ledger::RequestCompleted&) override;
  void OnBudgetAlert(const ledger::Event&, const ledger::BudgetAlert&) override;
  void OnBudgetStopped(const ledger::Event&, const ledger::BudgetStopped&) override;
  void OnHealthProbe(const ledger::Event&, const ledger::HealthProbe&) override;
  void OnDeploymentStateChanged(const ledger::Event&,
                                const ledger::DeploymentStateChanged&) override;
  void OnRecovered(const ledger::Event&, const ledger::Recovered&) override;

 private:
  uint64_t events_ = 0;
  uint64_t accepted_ = 0;
  uint64_t completed_ = 0;
  uint64_t failed_ = 0;
  uint64_t last_resort_ = 0;
  uint64_t attempts_ = 0;
  uint64_t retries_ = 0;
  uint64_t probes_ = 0;
  uint64_t probes_failed_ = 0;
  uint64_t recoveries_ = 0;
  NanoUsd cost_total_nanos_ = 0;
  std::map<std::string, NanoUsd> cost_by_model_, cost_by_tag_, cost_by_tier_;
  std::map<std::string, uint64_t> served_by_;
  // Indexed by the enums' values (small, dense), named only in ToJson.
  std::array<uint64_t, 16> fallbacks_by_reason_{};
  std::array<uint64_t, 16> outcomes_{};
  std::array<uint64_t, 16> state_changes_{};
  std::map<std::string, uint64_t> errors_by_code_;
  std::map<std::string, uint64_t> refused_by_code_;
  std::vector<Alert> alerts_;
  std::map<std::string, int64_t> exhausted_at_;
  // Latency of the last OK attempt of each request in flight.
  std::unordered_map<std::string, int64_t> served_latency_micros_;
  bool has_last_ok_ = false;
  std::string last_ok_request_id_;
  int64_t last_ok_latency_micros_ = 0;
  std::vector<uint32_t> latency_added_ms_hist_ =
      std::vector<uint32_t>(static_cast<size_t>(kLatencyAddedMsMax) + 1, 0);
  uint64_t latency_added_count_ = 0;
};

}  // namespace ukairo::sim
