// The data behind the HTML report: simulated events folded into per-day
// series (spend per budget scope, requests served per model, fallbacks per
// reason), as an EventSink so it rides along with any other sink.
//
// Days are UTC calendar days counted from the first event's day. Memory is
// bounded by days × scopes (scopes come from the config: models, tags,
// tiers, global) and days × model groups; days past kDaysMax fold into the
// last one (counted in days_clamped()). Money stays integer nano-USD.
//
// Thread safety: not thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ledger/event.h"
#include "base/time_units.h"
#include "router/core/config.h"
#include "sim/forecast.h"
#include "sim/simulator.h"

namespace ukairo::sim {

class ReportSeries : public EventSink, public ledger::EventHandler {
 public:
  static constexpr int32_t kDaysMax = 400;
  static constexpr size_t kScopesMax = 4096;       // distinct scopes with spend
  static constexpr size_t kMarksPerScopeMax = 64;  // alerts/stops drawn per scope

  explicit ReportSeries(std::shared_ptr<const router::Config> config);

  Status Append(const std::vector<ledger::Event>& events) override;
  void Add(const ledger::Event& event);

  // A budget alert or stop, for the chart markers.
  struct Mark {
    int64_t time_micros;
    uint32_t threshold_pct;  // 100 for a stop
    bool stop;
  };
  struct Scope {
    ledger::ScopeKind kind = ledger::ScopeKind::kGlobal;
    std::string key;                     // "" for global
    std::optional<NanoUsd> limit_nanos;  // the config's limit, if any
    std::vector<NanoUsd> spend_by_day;   // grows to days()
    std::vector<Mark> marks;
  };
  // "model:NAME", "tag:NAME", "tier:NAME", "global" (summary.h's naming).
  // Scopes with a limit are present from the start.
  const std::map<std::string, Scope>& scopes() const { return scopes_; }

  // Midnight UTC of the first event's day; 0 before any event.
  int64_t origin_micros() const { return origin_micros_; }
  int32_t days() const { return days_; }
  uint64_t days_clamped() const { return days_clamped_; }
  const router::Config& config() const { return *config_; }

  // Successful requests per day by their final model group (sized days()).
  const std::map<std::string, std::vector<uint64_t>>& served_by_model() const {
    return served_by_model_;
  }
  const std::vector<uint64_t>& failed_by_day() const { return failed_by_day_; }
  // fallback_taken per day, indexed by FallbackReason.
  const std::vector<std::array<uint64_t, 8>>& fallbacks_by_day() const { return fallbacks_by_day_; }

  // Spend so far in the budget period at the end of each day (the period
  // restarts the sum: a calendar month, or a day for daily budgets).
  std::vector<NanoUsd> CumulativeInPeriod(const Scope& scope) const;

  void OnAttemptFinished(const ledger::Event&, const ledger::AttemptFinished&) override;
  void OnFallbackTaken(const ledger::Event&, const ledger::FallbackTaken&) override;
  void OnRequestCompleted(const ledger::Event&, const ledger::RequestCompleted&) override;
  void OnBudgetAlert(const ledger::Event&, const ledger::BudgetAlert&) override;
  void OnBudgetStopped(const ledger::Event&, const ledger::BudgetStopped&) override;

 private:
  int32_t DayOf(int64_t time_micros);
  Scope* FindOrAddScope(ledger::ScopeKind kind, const std::string& key);
  void AddSpend(ledger::ScopeKind kind, const std::string& key, int32_t day, NanoUsd nanos);
  void AddMark(ledger::ScopeKind kind, const std::string& key, Mark mark);

  std::shared_ptr<const router::Config> config_;
  int64_t origin_micros_ = 0;
  bool has_origin_ = false;
  int32_t days_ = 0;
  uint64_t days_clamped_ = 0;
  std::map<std::string, Scope> scopes_;
  // The same scopes by kind and raw key: the per-event lookup builds no
  // string (map nodes are stable, so the pointers stay valid).
  std::array<std::map<std::string, Scope*, std::less<>>, 4> by_kind_;
  std::map<std::string, std::vector<uint64_t>> served_by_model_;
  std::vector<uint64_t> failed_by_day_;
  std::vector<std::array<uint64_t, 8>> fallbacks_by_day_;
};

// Forwards every call to two sinks (e.g. --ledger and the report), in order.
class TeeSink : public EventSink {
 public:
  TeeSink(EventSink* first, EventSink* second) : first_(first), second_(second) {}
  Status Append(const std::vector<ledger::Event>& events) override {
    UKAIRO_RETURN_IF_ERROR(first_->Append(events));
    return second_->Append(events);
  }
  Status Flush() override {
    UKAIRO_RETURN_IF_ERROR(first_->Flush());
    return second_->Flush();
  }

 private:
  EventSink* first_;   // not owned
  EventSink* second_;  // not owned
};

// The month-end forecast of one scope.
struct ScopeForecast {
  std::string scope;  // "global", "model:NAME", ...
  LineForecast line;
  std::optional<NanoUsd> actual_nanos;  // when the run covers the whole month
  std::optional<NanoUsd> limit_nanos;
};
struct MonthForecast {
  int32_t period = 0;     // YYYYMM of the forecast month
  int32_t first_day = 1;  // day of month of the run's first day
  int32_t from_days = 0;  // days of data used (from the run's first day)
  int32_t month_days = 0;
  std::vector<ScopeForecast> scopes;  // by scope name
};

// Forecasts the month that holds the run's first day from the first
// `from_days` days of the run (0: up to mid-month, or all days when the run
// ends earlier). Scopes without spend are left out. nullopt when there are
// fewer than kForecastPointsMin days of data in that month.
std::optional<MonthForecast> ForecastMonthEnd(const ReportSeries& series, int32_t from_days);

}  // namespace ukairo::sim
