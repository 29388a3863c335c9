// Inline SVG charts for the HTML report, drawn in C++ (no scripts, no
// external resources), so the report opens offline and is byte-identical
// for the same data.
//
// Pixel coordinates are integers: a value maps to a pixel with 128-bit
// integer arithmetic (value × plot height / axis max), so money never
// passes through floating point. Every chart scales with its container
// (viewBox, width 100 %).
//
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/money.h"
#include "sim/report_series.h"

namespace ukairo::sim {

// &, <, >, " and ' escaped for HTML text and attribute values.
std::string HtmlEscape(const std::string& text);

// The smallest 1/2/5 × 10^k step that splits [0, max] into at most
// `ticks_max` steps (max > 0). Axis max = the step × ceil(max / step).
int64_t NiceStep(int64_t max, int64_t ticks_max);

// A fixed colour for the i-th name of a legend.
const char* PaletteColor(size_t i);

struct SpendChartInput {
  std::string title;                // "model:claude-opus"
  int64_t origin_micros = 0;        // midnight of day 0
  int32_t days = 0;                 // x axis: 0..days
  std::vector<NanoUsd> cumulative;  // at the end of each day (resets at periods)
  std::vector<bool> period_starts;  // true where a period begins (day 0 included)
  std::optional<NanoUsd> limit_nanos;
  std::vector<ReportSeries::Mark> marks;
  NanoUsd axis_max_nanos = 0;  // shared between compared runs; 0 = own
  // The month-end forecast, drawn as a dotted line from the end of day
  // `from_day` (run days, 1-based) to the end of day `to_day` with the
  // interval as a bar there; the x axis extends to to_day.
  struct Projection {
    int32_t from_day = 0;
    NanoUsd from_nanos = 0;
    int32_t to_day = 0;
    NanoUsd predicted_nanos = 0, low_nanos = 0, high_nanos = 0;
  };
  std::optional<Projection> projection;
};

// Cumulative spend of one scope against its budget, with dashed lines at
// 80 / 90 / 100 % of the limit and a dot per alert (ring per stop).
std::string SpendChartSvg(const SpendChartInput& in);

struct BarLayer {
  std::string name;
  std::string color;
  std::vector<uint64_t> by_day;
};

// Daily stacked bars (one bar per day, one layer per name, legend on top).
// axis_max 0 = own maximum. height_px >= 120.
std::string StackedBarsSvg(const std::string& title, int64_t origin_micros, int32_t days,
                           const std::vector<BarLayer>& layers, uint64_t axis_max,
                           int height_px = 280);

}  // namespace ukairo::sim
