#include "sim/forecast.h"
#include "base/check.h"

#include <Eigen/Dense>
#include <cmath>
#include <limits>

namespace ukairo::sim {

double StudentT975(int64_t dof) {
  UKAIRO_CHECK(dof >= 1);
  // t(0.975, dof) for dof 1..30 (standard tables).
  static constexpr double kTable[30] = {
      12.7062, 4.3027, 3.1824, 2.7764, 2.5706, 2.4469, 2.3646, 2.3060, 2.2622, 2.2281,
      2.2010,  2.1788, 2.1604, 2.1448, 2.1314, 2.1199, 2.1098, 2.1009, 2.0930, 2.0860,
      2.0796,  2.0739, 2.0687, 2.0639, 2.0595, 2.0555, 2.0518, 2.0484, 2.0452, 2.0423};
  if (dof <= 30) return kTable[dof - 1];
  // Cornish-Fisher expansion around the normal quantile; < 1e-4 off past 30.
  const double z = 1.959963984540054;
  const double v = static_cast<double>(dof);
  const double z3 = z * z * z, z5 = z3 * z * z;
  return z + (z3 + z) / (4 * v) + (5 * z5 + 16 * z3 + 3 * z) / (96 * v * v);
}

NanoUsd RoundToNanos(double value_in_nanos) {
  if (std::isnan(value_in_nanos)) return 0;
  const double rounded = std::round(value_in_nanos);  // half away from zero
  if (rounded >= 9.2e18) return std::numeric_limits<NanoUsd>::max();
  if (rounded <= -9.2e18) return std::numeric_limits<NanoUsd>::min();
  return static_cast<NanoUsd>(rounded);
}

Result<LineForecast> ForecastCumulative(const std::vector<SpendPoint>& points, int32_t target_day) {
  const size_t n = points.size();
  if (n < kForecastPointsMin || n > kForecastPointsMax) {
    return Status::InvalidArgument("a forecast needs " + std::to_string(kForecastPointsMin) + ".." +
                                   std::to_string(kForecastPointsMax) + " days, got " +
                                   std::to_string(n));
  }
  for (size_t i = 1; i < n; ++i) {
    if (points[i].day <= points[i - 1].day) {
      return Status::InvalidArgument("forecast days must ascend without repeats");
    }
  }
  // Centre x on its mean so the normal equations stay well conditioned.
  double x_mean = 0;
  for (const auto& p : points) x_mean += p.day;
  x_mean /= static_cast<double>(n);
  Eigen::MatrixXd design(static_cast<Eigen::Index>(n), 2);
  Eigen::VectorXd observed(static_cast<Eigen::Index>(n));
  for (size_t i = 0; i < n; ++i) {
    const auto row = static_cast<Eigen::Index>(i);
    design(row, 0) = 1.0;
    design(row, 1) = points[i].day - x_mean;
    observed(row) = static_cast<double>(points[i].cumulative_nanos);
  }
  const Eigen::Vector2d coef = design.colPivHouseholderQr().solve(observed);
  const Eigen::VectorXd residual = observed - design * coef;
  const double dof = static_cast<double>(n - 2);
  const double sigma2 = residual.squaredNorm() / dof;
  const Eigen::Matrix2d gram_inv = (design.transpose() * design).inverse();
  const Eigen::Vector2d at_target(1.0, target_day - x_mean);
  const double var_prediction = sigma2 * (1.0 + at_target.dot(gram_inv * at_target));
  const double half_width =
      StudentT975(static_cast<int64_t>(n - 2)) * std::sqrt(std::max(0.0, var_prediction));
  const double fitted = at_target.dot(coef);

  LineForecast out;
  out.points = n;
  out.predicted_nanos = RoundToNanos(fitted);
  out.low_nanos = RoundToNanos(fitted - half_width);
  out.high_nanos = RoundToNanos(fitted + half_width);
  out.slope_nanos_per_day = RoundToNanos(coef(1));
  // Cumulative spend never falls below what was already spent.
  const NanoUsd observed_last = points.back().cumulative_nanos;
  if (out.low_nanos < observed_last) out.low_nanos = observed_last;
  if (out.predicted_nanos < observed_last) out.predicted_nanos = observed_last;
  if (out.high_nanos < out.predicted_nanos) out.high_nanos = out.predicted_nanos;
  return out;
}

}  // namespace ukairo::sim
