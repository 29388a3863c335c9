// Periods and civil time are computed from event times exactly.
#include "ledger/period.h"

#include "tests/util/test_util.h"

namespace ukairo {
namespace {

TEST(Period, MonthBoundariesAreUtc) {
  int64_t t = MicrosFromCivil(2026, 11, 30, 23, 59, 59, 999'999);
  EXPECT_EQ(PeriodOf(t), 202611);
  EXPECT_EQ(PeriodOf(t + 1), 202612);
  EXPECT_EQ(PeriodStartMicros(202612), t + 1);
  EXPECT_EQ(PeriodEndMicros(202612), MicrosFromCivil(2027, 1, 1));
  EXPECT_EQ(PeriodOf(t, PeriodKind::kDay), 20261130);
}

TEST(Period, Iso8601RoundTrips) {
  int64_t t = MicrosFromCivil(2023, 11, 16, 18, 15, 46, 654'321);
  EXPECT_EQ(FormatIso8601(t), "2023-11-16T18:15:46.654321Z");
  EXPECT_EQ(*ParseIso8601("2023-11-16T18:15:46.654321Z"), t);
  // The Azure trace writes seven fractional digits and no zone.
  EXPECT_EQ(*ParseIso8601("2023-11-16 18:15:46.6543219"), t);
  EXPECT_EQ(*ParseIso8601("2023-11-16T19:15:46.654321+01:00"), t);
  EXPECT_EQ(*ParseIso8601("1970-01-01"), 0);
  EXPECT_FALSE(ParseIso8601("2023-13-01").ok());
  EXPECT_FALSE(ParseIso8601("yesterday").ok());
}

}  // namespace
}  // namespace ukairo
