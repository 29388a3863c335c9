// Month-end spend forecast from partial-month data.
//
// An ordinary least-squares line through the cumulative spend at the end of
// each day of the month (x = day of month, 1-based; y = spend so far),
// extrapolated to the month's last day, with a 95 % prediction interval:
//   ŷ(x0) ± t(0.975, n-2) · s · sqrt(1 + 1/n + (x0 - x̄)² / Σ(x - x̄)²).
// The fit uses doubles (Eigen) internally; every amount that leaves this file
// is integer nano-USD, rounded half away from zero explicitly. Cumulative
// spend is autocorrelated and weekly-seasonal, so the interval is a guide,
// not a guarantee; the low end is clamped to the spend already observed
// (cumulative spend never falls).
//
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/money.h"
#include "base/status.h"

namespace ukairo::sim {

inline constexpr uint32_t kForecastConfidencePct = 95;
inline constexpr size_t kForecastPointsMin = 3;  // n - 2 >= 1 degrees of freedom
inline constexpr size_t kForecastPointsMax = 366;

struct LineForecast {
  NanoUsd predicted_nanos = 0;  // the fitted line at target_day
  NanoUsd low_nanos = 0;        // prediction interval, clamped as above
  NanoUsd high_nanos = 0;
  NanoUsd slope_nanos_per_day = 0;  // rounded
  size_t points = 0;
};

// One point: the cumulative spend at the end of day `day` (1-based).
struct SpendPoint {
  int32_t day = 0;
  NanoUsd cumulative_nanos = 0;
};

// Fits `points` (distinct days, ascending, kForecastPointsMin..Max of them)
// and predicts the cumulative spend at the end of `target_day`.
// InvalidArgument when there are too few/many points or days repeat.
Result<LineForecast> ForecastCumulative(const std::vector<SpendPoint>& points, int32_t target_day);

// Two-sided Student-t quantile t(0.975, dof) (table to 30, then a series).
// Exposed for tests. REQUIRES: dof >= 1.
double StudentT975(int64_t dof);

// A double (a pixel, a fitted value) → nano-USD, half away from zero,
// saturating at the int64 range. NaN → 0.
NanoUsd RoundToNanos(double value_in_nanos);

}  // namespace ukairo::sim
