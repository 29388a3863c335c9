// Money in ukairo is integers, never floating point.
//
// Units (documented here, used everywhere: events, projections, config):
//   * amounts (costs, spend, budgets, reservations): nano-USD, int64_t.
//     1 USD = 1'000'000'000 nano-USD; int64 holds ±9.2 billion USD.
//   * prices per token: pico-USD per token, int64_t.
//     $5 per million tokens = 5e-6 USD/token = 5'000'000 pico-USD/token.
// A cost is sum(tokens × pico-price) / 1000, computed exactly in 128 bits and
// rounded *up* to the next nano-USD, so that ukairo never under-counts spend.
// Decimal text ("1e-07", "0.000015", "50") is parsed into these units without
// binary floating point; see ParseDecimalScaled.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.h"

namespace ukairo {

using NanoUsd = int64_t;
using PicoUsdPerToken = int64_t;

inline constexpr NanoUsd kNanoPerUsd = 1'000'000'000;
inline constexpr int64_t kPicoPerNano = 1'000;

struct TokenPrice {
  PicoUsdPerToken input_pico = 0;
  PicoUsdPerToken output_pico = 0;
  PicoUsdPerToken cache_read_pico = 0;  // price of a cached input token
  PicoUsdPerToken cache_write_pico = 0; // price of an input token written to the cache
  bool operator==(const TokenPrice&) const = default;
};

// Cost in nano-USD of `input_tokens` uncached input, `cached_tokens` cached
// input, `cache_write_tokens` input written to the cache and `output_tokens`
// output at `price`, rounded up once over the sum.
// REQUIRES: token counts >= 0. Saturates at INT64_MAX instead of overflowing.
NanoUsd CostNanos(const TokenPrice& price, int64_t input_tokens, int64_t output_tokens,
                  int64_t cached_tokens = 0, int64_t cache_write_tokens = 0);

// Parses a non-negative decimal number in plain or exponent notation ("50",
// "0.5", "1e-07", "1.25E-7", "3.0e+2") and returns it multiplied by
// 10^scale_digits, exactly. Digits below the unit make it an error (the
// value is not representable), so no money is silently rounded away.
// Example: ParseDecimalScaled("1e-07", 12) == 100000 (pico-USD per token).
Result<int64_t> ParseDecimalScaled(std::string_view text, int scale_digits);

// ParseDecimalScaled, except that digits below the unit round the value up
// to the next unit (and set *rounded) instead of failing: for amounts written
// by others (a price table, a LiteLLM spend log) where a charge finer than
// the unit must still be counted, never dropped.
Result<int64_t> ParseDecimalScaledRoundingUp(std::string_view text, int scale_digits,
                                             bool* rounded);

// USD text ("50", "0.25") → nano-USD.
inline Result<NanoUsd> ParseUsd(std::string_view text) { return ParseDecimalScaled(text, 9); }
// USD-per-token text ("1e-07") → pico-USD per token.
inline Result<PicoUsdPerToken> ParsePricePerToken(std::string_view text) {
  return ParseDecimalScaled(text, 12);
}

// Exact decimal text of an amount: FormatNanosAsUsd(1500000000) == "1.5",
// FormatNanosAsUsd(-2) == "-0.000000002". No trailing zeros, no exponent.
std::string FormatNanosAsUsd(NanoUsd nanos);

}  // namespace ukairo
