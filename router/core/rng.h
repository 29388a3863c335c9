// A small deterministic PRNG for the router core and the simulator.
//
// xoshiro256** (Blackman & Vigna) seeded through splitmix64, so one uint64
// seed decides a whole run. Probabilities are integer ratios, never floats,
// which keeps runs bit-identical across compilers (TigerBeetle stdx/prng).
//
// Thread safety: a value; one owner.
#pragma once

#include "base/check.h"

#include <cstdint>

namespace ukairo::router {

__extension__ typedef unsigned __int128 Uint128;  // GCC/Clang builtin
__extension__ typedef __int128 Int128;

// SplitMix64 (Steele, Lea, Flood 2014): advances *state and returns the next
// well-mixed word. Seeds the Rng below and derives independent seeds.
inline uint64_t SplitMix64(uint64_t* state) {
  uint64_t z = (*state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

class Rng {
 public:
  explicit Rng(uint64_t seed) {
    uint64_t x = seed;
    for (auto& word : s_) word = SplitMix64(&x);
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
    UKAIRO_CHECK(bound > 0);
    for (;;) {
      const Uint128 m = static_cast<Uint128>(Next()) * bound;
      const uint64_t low = static_cast<uint64_t>(m);
      if (low >= bound || low >= (-bound) % bound) return static_cast<uint64_t>(m >> 64);
    }
  }

  // True with probability numerator/denominator. REQUIRES: denominator > 0.
  bool Chance(uint64_t numerator, uint64_t denominator) {
    UKAIRO_CHECK(denominator > 0);
    UKAIRO_CHECK(numerator <= denominator);
    return Below(denominator) < numerator;
  }

 private:
  static uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

  uint64_t s_[4];
};

}  // namespace ukairo::router
