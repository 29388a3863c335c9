// A small seeded pseudo-random generator and integer ratios for the simulator.
//
// Every random choice in sim/ comes from an Rng built from the run's seed, so
// a run is reproduced from the seed alone (TigerBeetle's vopr). Probabilities
// are integer ratios, never floats, so decisions are exact on every platform.
//
// Thread safety: an Rng is a value; give each thread (or stream) its own.
#pragma once

#include <cassert>
#include <cstdint>
#include <string_view>

#include "ledger/status.h"

namespace ukairo::sim {

// SplitMix64: used to derive independent stream seeds from (seed, stream).
inline uint64_t SplitMix64(uint64_t* state) {
  uint64_t z = (*state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

// numerator / denominator, 0 <= numerator <= denominator, denominator > 0.
struct Ratio {
  uint64_t numerator = 0;
  uint64_t denominator = 1;
  bool operator==(const Ratio&) const = default;
};

// Parses "1/200", "0.5%", "0.005" or "0" into an exact Ratio.
Result<Ratio> ParseRatio(std::string_view text);

// xoshiro256**: fast, small state, good statistical quality.
class Rng {
 public:
  // `stream` separates independent sequences drawn from one seed (per
  // deployment, per purpose), so adding a consumer does not shift others.
  explicit Rng(uint64_t seed, uint64_t stream = 0) {
    uint64_t sm = seed ^ (stream * 0xD1B54A32D192ED03ULL);
    for (auto& word : s_) word = SplitMix64(&sm);
  }

  uint64_t Next() {
    const uint64_t result = Rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = Rotl(s_[3], 45);
    return result;
  }

  // Uniform in [0, bound). REQUIRES: bound > 0. Lemire's multiply-shift with
  // rejection, so there is no modulo bias.
  uint64_t Below(uint64_t bound) {
    assert(bound > 0);
    __extension__ typedef unsigned __int128 U128;
    U128 m = static_cast<U128>(Next()) * bound;
    uint64_t low = static_cast<uint64_t>(m);
    if (low < bound) {
      const uint64_t threshold = (0 - bound) % bound;
      while (low < threshold) {
        m = static_cast<U128>(Next()) * bound;
        low = static_cast<uint64_t>(m);
      }
    }
    return static_cast<uint64_t>(m >> 64);
  }

  // True with probability ratio.numerator / ratio.denominator, exactly.
  bool Chance(Ratio ratio) {
    assert(ratio.denominator > 0);
    assert(ratio.numerator <= ratio.denominator);
    if (ratio.numerator == 0) return false;
    if (ratio.numerator == ratio.denominator) return true;
    return Below(ratio.denominator) < ratio.numerator;
  }

 private:
  static uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  uint64_t s_[4];
};

}  // namespace ukairo::sim
