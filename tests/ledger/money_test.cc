// Money is integers: decimal text parses exactly into nano-USD and
// pico-USD-per-token, costs round up, formatting round-trips.
#include "base/money.h"

#include "tests/util/test_util.h"

namespace ukairo {
namespace {

TEST(Money, ParsesPriceTableNotationExactly) {
  // 1e-07 * 1e6 drifts in binary floating point; here it must not.
  EXPECT_EQ(*ParsePricePerToken("1e-07"), 100'000);
  EXPECT_EQ(*ParsePricePerToken("5e-06"), 5'000'000);
  EXPECT_EQ(*ParsePricePerToken("1.25E-7"), 125'000);
  EXPECT_EQ(*ParsePricePerToken("0.000015"), 15'000'000);
  EXPECT_EQ(*ParsePricePerToken("0"), 0);
  EXPECT_EQ(*ParsePricePerToken("0.0"), 0);
}

TEST(Money, ParsesUsdAmounts) {
  EXPECT_EQ(*ParseUsd("50"), 50 * kNanoPerUsd);
  EXPECT_EQ(*ParseUsd("0.25"), 250'000'000);
  EXPECT_EQ(*ParseUsd("80_000"), 80'000 * kNanoPerUsd);
  EXPECT_EQ(*ParseUsd("3.0e+2"), 300 * kNanoPerUsd);
}

TEST(Money, RejectsWhatItCannotStore) {
  EXPECT_FALSE(ParseUsd("-1").ok());
  EXPECT_FALSE(ParseUsd("abc").ok());
  EXPECT_FALSE(ParseUsd("1.5x").ok());
  EXPECT_FALSE(ParseUsd("1e").ok());
  EXPECT_FALSE(ParsePricePerToken("1e-13").ok());  // finer than a pico-USD
  EXPECT_FALSE(ParseUsd("1e20").ok());             // does not fit int64 nanos
}

TEST(Money, CostRoundsUpToTheNextNano) {
  TokenPrice price{.input_pico = 3'000'000, .output_pico = 15'000'000, .cache_read_pico = 300};
  EXPECT_EQ(CostNanos(price, 1000, 100), 3'000'000 + 1'500'000);
  // 1 cached token = 300 pico = 0.3 nano -> 1 nano.
  EXPECT_EQ(CostNanos(price, 0, 0, 1), 1);
  EXPECT_EQ(CostNanos(TokenPrice{}, 1'000'000, 1'000'000), 0);
}

TEST(Money, FormatsExactDecimal) {
  EXPECT_EQ(FormatNanosAsUsd(1'500'000'000), "1.5");
  EXPECT_EQ(FormatNanosAsUsd(0), "0");
  EXPECT_EQ(FormatNanosAsUsd(-2), "-0.000000002");
  EXPECT_EQ(FormatNanosAsUsd(50 * kNanoPerUsd), "50");
  EXPECT_EQ(*ParseUsd(FormatNanosAsUsd(123'456'789'012)), 123'456'789'012);
}

// Amounts written by others may be finer than the unit: they round up to the
// next unit (never down, never dropped), and say so.
TEST(Money, ParseRoundingUpCountsSubUnitCharges) {
  bool rounded = true;
  auto exact = ParseDecimalScaledRoundingUp("0.25", 9, &rounded);
  ASSERT_TRUE(exact.ok());
  EXPECT_EQ(*exact, 250'000'000);
  EXPECT_FALSE(rounded);
  auto fine = ParseDecimalScaledRoundingUp("0.000123456789012", 9, &rounded);
  ASSERT_TRUE(fine.ok());
  EXPECT_EQ(*fine, 123'457);  // 123456.789012 nano-USD, rounded up
  EXPECT_TRUE(rounded);
  auto tiny = ParseDecimalScaledRoundingUp("3e-15", 9, &rounded);
  ASSERT_TRUE(tiny.ok());
  EXPECT_EQ(*tiny, 1);
  EXPECT_TRUE(rounded);
  auto zero = ParseDecimalScaledRoundingUp("0.0000000000", 9, &rounded);
  ASSERT_TRUE(zero.ok());
  EXPECT_EQ(*zero, 0);
  EXPECT_FALSE(rounded);
  EXPECT_FALSE(ParseDecimalScaledRoundingUp("-0.1", 9, &rounded).ok());
  EXPECT_FALSE(ParseDecimalScaledRoundingUp("1e30", 9, &rounded).ok());
  EXPECT_FALSE(ParseDecimalScaledRoundingUp("abc", 9, &rounded).ok());
}

}  // namespace
}  // namespace ukairo
