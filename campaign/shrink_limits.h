// campaign/shrink_limits.h: the bounds of `faultline shrink` (shrink.h).
#pragma once

#include <cstdint>

namespace fl::campaign {

// Trials one shrink may run (candidates and their bug-off runs). The zoo's
// bundles (default trials, 500 txns) shrank in 38 to 1094 trials, 0.3 to
// 30 s (2026-11-23, 2 busy cores); the bound stops a pathological bundle
// deterministically ([shrink.5]).
inline constexpr uint64_t kShrinkTrialsMax = 4000;
// Rounds over every dimension ([shrink.3]); a round that keeps nothing ends
// the search first. Each kept step shrinks a number or a list, so this is a
// bound, not the usual end.
inline constexpr uint64_t kShrinkRoundsMax = 16;
// --time-budget default (seconds), as the issue asks.
inline constexpr double kShrinkTimeBudgetSecondsDefault = 120;

static_assert(kShrinkRoundsMax >= 2);  // a round that keeps something is always followed by one more

}  // namespace fl::campaign
