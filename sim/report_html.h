// `ukairo simulate --html FILE`: one self-contained HTML file (inline CSS,
// inline SVG, no scripts, no network) with the run parameters, the summary
// numbers, the month-end forecast, cumulative spend against budget per
// scope with the 80/90/100 % lines, requests served per model per day, the
// fallback timeline per reason, budget stops and the alerts. With
// --compare, every table and chart shows both runs side by side (and the
// difference b − a in the tables).
//
// Deterministic: built only from the summaries and the series (no clock),
// so the same seed gives byte-identical HTML.
//
// Thread safety: pure function.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "sim/report_series.h"

namespace ukairo::sim {

struct ReportColumn {
  std::string label;                      // "a" / "b"; "" for a single run
  const nlohmann::ordered_json* summary;  // ukairo.simulate.summary/1 (+ "forecast")
  const ReportSeries* series;
};

// REQUIRES: 1 or 2 columns; `diff` (DiffSummaries) only with 2, may be null.
std::string RenderHtmlReport(const std::vector<ReportColumn>& columns,
                             const nlohmann::ordered_json* diff);

}  // namespace ukairo::sim
