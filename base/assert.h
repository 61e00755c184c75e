// base/assert.h: FL_ASSERT, on in every build type.
//
// FL_ASSERT guards programmer errors only (a broken invariant, a misused API).
// Faults that faultline injects (a torn frame, EIO, a bad checksum) are values
// (Status), never assertions. A fired assertion prints file, line, the
// expression and, when a trial registered one, its seed, then aborts.
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstdlib>

namespace fl {

// The seed of the trial running on this thread, printed when an assertion
// fires so the failure can be replayed. 0 means "no trial".
inline thread_local uint64_t assert_trial_seed = 0;

[[noreturn]] inline void assert_fail(const char* expr, const char* file, int line) {
  std::fprintf(stderr, "%s:%d: FL_ASSERT failed: %s", file, line, expr);
  if (assert_trial_seed != 0) {
    std::fprintf(stderr, " (trial seed %llu)", static_cast<unsigned long long>(assert_trial_seed));
  }
  std::fprintf(stderr, "\n");
  std::fflush(stderr);
  std::abort();
}

}  // namespace fl

#define FL_ASSERT(cond) \
  ((cond) ? static_cast<void>(0) : ::fl::assert_fail(#cond, __FILE__, __LINE__))
