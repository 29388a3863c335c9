// Goal: the month-end forecast recovers a known trend and its interval holds
// the truth, and ForecastMonthEnd picks the documented days. Method: fit
// synthetic series (exactly linear, and linear plus seeded noise) and a
// ReportSeries fed hand-made events.
#include "sim/forecast.h"

#include <gtest/gtest.h>

#include "ledger/period.h"
#include "router/config/loader.h"
#include "sim/report_series.h"
#include "sim/rng.h"
#include "tests/util/test_util.h"

namespace ukairo::sim {
namespace {

TEST(Forecast, ExactLineIsRecoveredWithAZeroWidthInterval) {
  std::vector<SpendPoint> points;
  for (int32_t d = 1; d <= 10; ++d) points.push_back({d, 2 * kNanoPerUsd * d + 500});
  auto f = ForecastCumulative(points, 30);
  ASSERT_OK(f);
  EXPECT_EQ(f->slope_nanos_per_day, 2 * kNanoPerUsd);
  EXPECT_EQ(f->predicted_nanos, 60 * kNanoPerUsd + 500);
  EXPECT_NEAR(static_cast<double>(f->low_nanos), static_cast<double>(f->predicted_nanos), 2.0);
  EXPECT_NEAR(static_cast<double>(f->high_nanos), static_cast<double>(f->predicted_nanos), 2.0);
  EXPECT_EQ(f->points, 10u);
}

TEST(Forecast, NoisyLineIntervalContainsTheTruth) {
  // y = 3 USD/day · d + noise, noise uniform in ±0.5 USD; 15 days observed.
  const NanoUsd slope = 3 * kNanoPerUsd;
  int contained = 0;
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    Rng rng(seed);
    std::vector<SpendPoint> points;
    for (int32_t d = 1; d <= 15; ++d) {
      const auto noise = static_cast<NanoUsd>(rng.Below(kNanoPerUsd)) - kNanoPerUsd / 2;
      points.push_back({d, slope * d + noise});
    }
    auto f = ForecastCumulative(points, 30);
    ASSERT_OK(f);
    EXPECT_NEAR(static_cast<double>(f->slope_nanos_per_day), static_cast<double>(slope),
                0.1 * kNanoPerUsd);
    const NanoUsd truth = slope * 30;
    EXPECT_LT(f->low_nanos, f->high_nanos);
    if (f->low_nanos <= truth && truth <= f->high_nanos) ++contained;
  }
  // A 95 % interval (the truth here has no noise of its own, so it is inside
  // more often than that).
  EXPECT_GE(contained, 18);
}

TEST(Forecast, RejectsTooFewOrUnorderedPoints) {
  EXPECT_FALSE(ForecastCumulative({{1, 1}, {2, 2}}, 30).ok());
  EXPECT_FALSE(ForecastCumulative({{1, 1}, {3, 2}, {2, 3}}, 30).ok());
  EXPECT_NEAR(StudentT975(1), 12.706, 1e-3);
  EXPECT_NEAR(StudentT975(60), 2.0003, 1e-3);
  EXPECT_NEAR(StudentT975(1000), 1.9623, 1e-3);
}

TEST(Forecast, RoundsHalfAwayFromZeroAndSaturates) {
  EXPECT_EQ(RoundToNanos(2.5), 3);
  EXPECT_EQ(RoundToNanos(-2.5), -3);
  EXPECT_EQ(RoundToNanos(1e30), INT64_MAX);
}

ledger::Event Cost(int64_t time_micros, const std::string& model, NanoUsd nanos) {
  ledger::AttemptFinished a;
  a.request_id = "r";
  a.model_group = model;
  a.tag = "Build";
  a.tier = "build";
  a.cost_nanos = nanos;
  return ledger::Event{0, time_micros, {}, a};
}

TEST(Forecast, MonthEndFromTheSeriesUsesMidMonthAndReportsTheActual) {
  auto config = router::LoadConfigFile(testing::SourcePath("data/litellm_config.yaml"));
  ASSERT_OK(config);
  ReportSeries series(*config);
  const int64_t nov1 = MicrosFromCivil(2026, 11, 1);
  // 1 USD of gpt-5.2 at noon of every day of November.
  for (int d = 0; d < 30; ++d) {
    series.Add(Cost(nov1 + d * kMicrosPerDay + kMicrosPerDay / 2, "gpt-5.2", kNanoPerUsd));
  }
  ASSERT_EQ(series.days(), 30);
  const auto& scope = series.scopes().at("model:gpt-5.2");
  EXPECT_EQ(scope.limit_nanos, 30 * kNanoPerUsd);
  auto cumulative = series.CumulativeInPeriod(scope);
  EXPECT_EQ(cumulative[0], kNanoPerUsd);
  EXPECT_EQ(cumulative[29], 30 * kNanoPerUsd);

  auto f = ForecastMonthEnd(series, 0);
  ASSERT_TRUE(f.has_value());
  EXPECT_EQ(f->period, 202611);
  EXPECT_EQ(f->from_days, 15);
  EXPECT_EQ(f->month_days, 30);
  bool saw = false;
  for (const auto& s : f->scopes) {
    if (s.scope != "model:gpt-5.2") continue;
    saw = true;
    EXPECT_EQ(s.line.predicted_nanos, 30 * kNanoPerUsd);
    EXPECT_EQ(s.actual_nanos, 30 * kNanoPerUsd);
    EXPECT_EQ(s.limit_nanos, 30 * kNanoPerUsd);
  }
  EXPECT_TRUE(saw);
  EXPECT_EQ(ForecastMonthEnd(series, 5)->from_days, 5);
}

TEST(Forecast, ARunAcrossMonthsForecastsItsFirstMonthAndRestartsTheSum) {
  auto config = router::LoadConfigFile(testing::SourcePath("data/litellm_config.yaml"));
  ASSERT_OK(config);
  ReportSeries series(*config);
  const int64_t nov20 = MicrosFromCivil(2026, 11, 20);
  for (int d = 0; d < 20; ++d) {  // Nov 20 .. Dec 9, 2 USD a day
    series.Add(Cost(nov20 + d * kMicrosPerDay + 3'600'000'000LL, "glm", 2 * kNanoPerUsd));
  }
  auto cumulative = series.CumulativeInPeriod(series.scopes().at("global"));
  ASSERT_EQ(cumulative.size(), 20u);
  EXPECT_EQ(cumulative[10], 22 * kNanoPerUsd) << "Nov 30";
  EXPECT_EQ(cumulative[11], 2 * kNanoPerUsd) << "Dec 1 starts a new month";
  auto f = ForecastMonthEnd(series, 0);
  ASSERT_TRUE(f.has_value());
  EXPECT_EQ(f->first_day, 20);
  EXPECT_EQ(f->from_days, 11);  // Nov 20..30: all of the run's November days
  ASSERT_FALSE(f->scopes.empty());
  EXPECT_FALSE(f->scopes[0].actual_nanos.has_value()) << "November is not covered from its day 1";
  for (const auto& s : f->scopes) {
    if (s.scope == "global") {
      EXPECT_EQ(s.line.predicted_nanos, 22 * kNanoPerUsd);
    }
  }
}

TEST(Forecast, TooShortARunHasNoForecast) {
  auto config = router::LoadConfigFile(testing::SourcePath("data/litellm_config.yaml"));
  ASSERT_OK(config);
  ReportSeries series(*config);
  const int64_t nov1 = MicrosFromCivil(2026, 11, 1);
  series.Add(Cost(nov1, "glm", 5));
  series.Add(Cost(nov1 + kMicrosPerDay, "glm", 5));
  EXPECT_FALSE(ForecastMonthEnd(series, 0).has_value());
}

}  // namespace
}  // namespace ukairo::sim
