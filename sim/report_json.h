// JSON sections of `ukairo simulate` beyond the summary fold: the month-end
// forecast, and the --compare document.
//
// `--compare`: two summaries of the same traffic under two
// configs, side by side, with the differences of their key numbers.
//
// The comparison JSON (schema "ukairo.simulate.compare/1"):
//   {"schema", "a": <summary of --config>, "b": <summary of --compare>,
//    "diff": {key: b − a}}
// Counts differ as integers; money as exact USD strings (nano-USD
// arithmetic, may be negative); maps over the union of their keys (a
// missing entry counts as 0); "alerts" and "budget_exhausted_at" as counts.
//
// Thread safety: pure functions.
#pragma once

#include <nlohmann/json.hpp>

#include "sim/report_series.h"

namespace ukairo::sim {

// The diff of two summaries (ukairo.simulate.summary/1 values).
nlohmann::ordered_json DiffSummaries(const nlohmann::ordered_json& a,
                                     const nlohmann::ordered_json& b);

// {"schema", "a", "b", "diff"}.
nlohmann::ordered_json CompareJson(const nlohmann::ordered_json& a,
                                   const nlohmann::ordered_json& b);

// "forecast": {"month": "2026-11", "first_day", "from_days", "month_days",
// "confidence_pct", "by_scope": {scope: {"month_end_usd", "low_usd",
// "high_usd", "slope_usd_per_day", ["actual_usd"], ["limit_usd"]}}}.
nlohmann::ordered_json ForecastJson(const MonthForecast& forecast);

}  // namespace ukairo::sim
