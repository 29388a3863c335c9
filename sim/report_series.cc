#include "sim/report_series.h"

#include <algorithm>

#include "base/check.h"
#include "ledger/period.h"

namespace ukairo::sim {
namespace {

std::string ScopeName(ledger::ScopeKind kind, const std::string& key) {
  if (kind == ledger::ScopeKind::kGlobal) return "global";
  return std::string(ledger::ScopeKindName(kind)) + ":" + key;
}

template <typename T>
void GrowTo(std::vector<T>* v, int32_t days) {
  if (v->size() < static_cast<size_t>(days)) v->resize(static_cast<size_t>(days), T{});
}

}  // namespace

ReportSeries::ReportSeries(std::shared_ptr<const router::Config> config)
    : config_(std::move(config)) {
  UKAIRO_CHECK(config_ != nullptr);
  for (const auto& b : config_->budgets) FindOrAddScope(b.kind, b.key);
  FindOrAddScope(ledger::ScopeKind::kGlobal, "");
}

Status ReportSeries::Append(const std::vector<ledger::Event>& events) {
  for (const auto& e : events) Add(e);
  return Status::Ok();
}

void ReportSeries::Add(const ledger::Event& event) {
  if (!has_origin_) {
    has_origin_ = true;
    const int64_t t = event.time_micros;
    origin_micros_ = (t >= 0 ? t : t - kMicrosPerDay + 1) / kMicrosPerDay * kMicrosPerDay;
  }
  ledger::Dispatch(event, *this);
}

int32_t ReportSeries::DayOf(int64_t time_micros) {
  int64_t day = time_micros < origin_micros_ ? 0 : (time_micros - origin_micros_) / kMicrosPerDay;
  if (day >= kDaysMax) {
    ++days_clamped_;
    day = kDaysMax - 1;
  }
  const auto d = static_cast<int32_t>(day);
  if (d + 1 > days_) {
    days_ = d + 1;
    GrowTo(&failed_by_day_, days_);
    GrowTo(&fallbacks_by_day_, days_);
    for (auto& [name, v] : served_by_model_) GrowTo(&v, days_);
    for (auto& [name, s] : scopes_) GrowTo(&s.spend_by_day, days_);
  }
  return d;
}

ReportSeries::Scope* ReportSeries::FindOrAddScope(ledger::ScopeKind kind, const std::string& key) {
  const auto k = static_cast<size_t>(kind);
  UKAIRO_CHECK(k < by_kind_.size());
  auto fast = by_kind_[k].find(key);
  if (fast != by_kind_[k].end()) return fast->second;
  if (scopes_.size() >= kScopesMax) return nullptr;
  std::string name = ScopeName(kind, key);
  Scope s;
  s.kind = kind;
  s.key = key;
  s.limit_nanos = config_->Limit(kind, key);
  s.spend_by_day.resize(static_cast<size_t>(days_), 0);
  Scope* added = &scopes_.emplace(std::move(name), std::move(s)).first->second;
  by_kind_[k].emplace(key, added);
  return added;
}

void ReportSeries::AddSpend(ledger::ScopeKind kind, const std::string& key, int32_t day,
                            NanoUsd nanos) {
  Scope* s = FindOrAddScope(kind, key);
  if (s == nullptr) return;  // past kScopesMax: still in the summary's totals
  s->spend_by_day[static_cast<size_t>(day)] += nanos;
}

void ReportSeries::AddMark(ledger::ScopeKind kind, const std::string& key, Mark mark) {
  Scope* s = FindOrAddScope(kind, key);
  if (s == nullptr || s->marks.size() >= kMarksPerScopeMax) return;
  s->marks.push_back(mark);
}

void ReportSeries::OnAttemptFinished(const ledger::Event& ev, const ledger::AttemptFinished& e) {
  const int32_t day = DayOf(ev.time_micros);
  if (e.cost_nanos == 0) return;
  AddSpend(ledger::ScopeKind::kModel, e.model_group, day, e.cost_nanos);
  AddSpend(ledger::ScopeKind::kTag, e.tag, day, e.cost_nanos);
  AddSpend(ledger::ScopeKind::kTier, e.tier, day, e.cost_nanos);
  AddSpend(ledger::ScopeKind::kGlobal, "", day, e.cost_nanos);
}

void ReportSeries::OnFallbackTaken(const ledger::Event& ev, const ledger::FallbackTaken& e) {
  const int32_t day = DayOf(ev.time_micros);
  const auto reason = static_cast<size_t>(e.reason);
  if (reason < fallbacks_by_day_[0].size()) ++fallbacks_by_day_[static_cast<size_t>(day)][reason];
}

void ReportSeries::OnRequestCompleted(const ledger::Event& ev, const ledger::RequestCompleted& e) {
  const int32_t day = DayOf(ev.time_micros);
  const bool ok = e.error_code.empty() && e.http_status < 400;
  if (!ok) {
    ++failed_by_day_[static_cast<size_t>(day)];
    return;
  }
  auto it = served_by_model_.find(e.final_model_group);
  if (it == served_by_model_.end()) {
    if (served_by_model_.size() >= kScopesMax) return;
    it = served_by_model_.emplace(e.final_model_group, std::vector<uint64_t>()).first;
    GrowTo(&it->second, days_);
  }
  ++it->second[static_cast<size_t>(day)];
}

void ReportSeries::OnBudgetAlert(const ledger::Event& ev, const ledger::BudgetAlert& e) {
  DayOf(ev.time_micros);
  AddMark(e.scope_kind, e.scope_key, Mark{ev.time_micros, e.threshold_pct, false});
}

void ReportSeries::OnBudgetStopped(const ledger::Event& ev, const ledger::BudgetStopped& e) {
  DayOf(ev.time_micros);
  AddMark(e.scope_kind, e.scope_key, Mark{ev.time_micros, 100, true});
}

std::vector<NanoUsd> ReportSeries::CumulativeInPeriod(const Scope& scope) const {
  std::vector<NanoUsd> out(static_cast<size_t>(days_), 0);
  NanoUsd sum = 0;
  int32_t period = 0;
  for (int32_t d = 0; d < days_; ++d) {
    const int32_t p = PeriodOf(origin_micros_ + d * kMicrosPerDay, config_->budget_period);
    if (p != period) {
      period = p;
      sum = 0;
    }
    if (static_cast<size_t>(d) < scope.spend_by_day.size()) sum += scope.spend_by_day[d];
    out[static_cast<size_t>(d)] = sum;
  }
  return out;
}

std::optional<MonthForecast> ForecastMonthEnd(const ReportSeries& series, int32_t from_days) {
  if (series.days() == 0) return std::nullopt;
  const int64_t origin = series.origin_micros();
  const int32_t period = PeriodOf(origin, PeriodKind::kMonth);
  const int64_t month_start = PeriodStartMicros(period, PeriodKind::kMonth);
  const int64_t month_end = PeriodEndMicros(period, PeriodKind::kMonth);
  const auto month_days = static_cast<int32_t>((month_end - month_start) / kMicrosPerDay);
  const auto first_day = static_cast<int32_t>((origin - month_start) / kMicrosPerDay) + 1;
  // Days of the run inside this month.
  const int32_t run_days_in_month = std::min(series.days(), month_days - first_day + 1);
  int32_t use_days = from_days;
  if (use_days <= 0) use_days = std::min(run_days_in_month, std::max(1, month_days / 2));
  use_days = std::min(use_days, run_days_in_month);
  if (use_days < static_cast<int32_t>(kForecastPointsMin)) return std::nullopt;
  // The whole month was simulated (and the day after exists or the run ended
  // exactly at month end): the actual month-end spend checks the forecast.
  const bool covers_month = first_day == 1 && series.days() >= month_days;

  MonthForecast out;
  out.period = period;
  out.first_day = first_day;
  out.from_days = use_days;
  out.month_days = month_days;
  for (const auto& [name, scope] : series.scopes()) {
    // Spend in this month only: cumulative from the month's start.
    std::vector<SpendPoint> points;
    NanoUsd sum = 0, month_total = 0;
    for (int32_t d = 0; d < run_days_in_month; ++d) {
      if (static_cast<size_t>(d) < scope.spend_by_day.size()) sum += scope.spend_by_day[d];
      if (d < use_days) points.push_back(SpendPoint{first_day + d, sum});
    }
    month_total = sum;
    if (month_total == 0) continue;
    auto line = ForecastCumulative(points, month_days);
    if (!line.ok()) continue;
    ScopeForecast f;
    f.scope = name;
    f.line = *line;
    if (covers_month) f.actual_nanos = month_total;
    f.limit_nanos = scope.limit_nanos;
    out.scopes.push_back(std::move(f));
  }
  return out;
}

}  // namespace ukairo::sim
