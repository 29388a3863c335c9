// Money is integers: decimal text parses exactly into nano-USD and
// pico-USD-per-token, costs round up, formatting round-trips.
#include "ledger/money.h"

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

}  // namespace
}  // namespace ukairo
