// base/prng.h: the seeded PRNG with named streams.
//
// [prng.1] Output depends only on the seed (and stream name): no global state,
//          no std::random_device, no std::*_distribution (whose output differs
//          between standard libraries).
// [prng.2] Prng::stream(seed, "faults") and Prng::stream(seed, "workload") are
//          independent; adding a stream never shifts another.
// [prng.3] Probabilities are integer ratios, so no floating point reaches a
//          decision that must replay byte for byte.
//
// The generator is xoshiro256** (Blackman and Vigna), seeded through
// splitmix64. Written here because base/ may include only the standard
// library, and the generator's exact output is part of every trial's replay.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

#include "base/assert.h"

namespace fl {

// A probability numerator/denominator; Ratio{0, 1} never fires, Ratio{1, 1} always.
struct Ratio {
  uint64_t numerator = 0;
  uint64_t denominator = 1;
  constexpr bool valid() const { return denominator != 0 && numerator <= denominator; }
  constexpr bool never() const { return numerator == 0; }
  friend constexpr bool operator==(const Ratio&, const Ratio&) = default;
};

constexpr uint64_t splitmix64(uint64_t& state) {
  uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// FNV-1a, 64 bit: stable across platforms, used to derive stream seeds.
constexpr uint64_t fnv1a64(std::string_view text, uint64_t hash = 0xcbf29ce484222325ULL) {
  for (char c : text) {
    hash ^= static_cast<uint8_t>(c);
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

class Prng {
 public:
  explicit constexpr Prng(uint64_t seed) {
    uint64_t state = seed;
    for (auto& word : s_) word = splitmix64(state);
  }

  // The stream `name` of the trial seeded with `seed` ([prng.2]).
  static constexpr Prng stream(uint64_t seed, std::string_view name) {
    uint64_t mixed = seed;
    uint64_t salt = fnv1a64(name);
    return Prng(splitmix64(mixed) ^ salt);
  }

  constexpr uint64_t next() {
    const uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }

  // Uniform in [0, bound), bound > 0, without modulo bias (Lemire's method).
  constexpr uint64_t uniform(uint64_t bound) {
    FL_ASSERT(bound > 0);
    __uint128_t product = static_cast<__uint128_t>(next()) * bound;
    uint64_t low = static_cast<uint64_t>(product);
    if (low < bound) {
      const uint64_t threshold = (0 - bound) % bound;
      while (low < threshold) {
        product = static_cast<__uint128_t>(next()) * bound;
        low = static_cast<uint64_t>(product);
      }
    }
    return static_cast<uint64_t>(product >> 64);
  }

  // Uniform in [low, high], low <= high.
  constexpr uint64_t range_inclusive(uint64_t low, uint64_t high) {
    FL_ASSERT(low <= high);
    if (high - low == UINT64_MAX) return next();
    return low + uniform(high - low + 1);
  }

  constexpr bool chance(Ratio ratio) {
    FL_ASSERT(ratio.valid());
    if (ratio.numerator == 0) return false;
    if (ratio.numerator == ratio.denominator) return true;
    return uniform(ratio.denominator) < ratio.numerator;
  }

 private:
  static constexpr uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  std::array<uint64_t, 4> s_{};
};

}  // namespace fl
