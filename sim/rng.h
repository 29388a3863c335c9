// A small seeded pseudo-random generator and integer ratios for the simulator.
//
// Every random choice in sim/ comes from an Rng built from the run's seed, so
// a run is reproduced from the seed alone (TigerBeetle's vopr). Probabilities
// are integer ratios, never floats, so decisions are exact on every platform.
//
// Thread safety: an Rng is a value; give each thread (or stream) its own.
#pragma once

#include <cstdint>
#include <string_view>

#include "base/check.h"
#include "base/status.h"
#include "router/core/rng.h"

namespace ukairo::sim {

// SplitMix64 derives independent stream seeds from (seed, stream).
using router::SplitMix64;

// numerator / denominator, 0 <= numerator <= denominator, denominator > 0.
struct Ratio {
  uint64_t numerator = 0;
  uint64_t denominator = 1;
  bool operator==(const Ratio&) const = default;
};

// Parses "1/200", "0.5%", "0.005" or "0" into an exact Ratio.
Result<Ratio> ParseRatio(std::string_view text);

// The router core's xoshiro256** (router/core/rng.h), with per-stream seeding
// and exact integer-ratio chances for the simulator.
class Rng : public router::Rng {
 public:
  // `stream` separates independent sequences drawn from one seed (per
  // deployment, per purpose), so adding a consumer does not shift others.
  explicit Rng(uint64_t seed, uint64_t stream = 0)
      : router::Rng(seed ^ (stream * 0xD1B54A32D192ED03ULL)) {}

  // True with probability ratio.numerator / ratio.denominator, exactly.
  // Certain outcomes draw nothing, so a 0 or 1 ratio does not shift the
  // stream.
  bool Chance(Ratio ratio) {
    UKAIRO_CHECK(ratio.denominator > 0);
    UKAIRO_CHECK(ratio.numerator <= ratio.denominator);
    if (ratio.numerator == 0) return false;
    if (ratio.numerator == ratio.denominator) return true;
    return Below(ratio.denominator) < ratio.numerator;
  }
};

}  // namespace ukairo::sim
