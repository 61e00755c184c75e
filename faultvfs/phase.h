// faultvfs/phase.h: what the engine is doing, for fault rules to target.
//
// An engine marks a step with an RAII scope:
//     faultvfs::PhaseScope scope(faultvfs::Phase::kCheckpointCopy);
// and a fault rule can then select "the 2nd write inside checkpoint.copy".
//
// [phase.1] Phases nest; current_phases() lists the active ones, outermost first.
// [phase.2] The phase stack is per thread and costs two stores per scope.
// [phase.3] Phase names form a closed vocabulary (kPhaseNames); a fault plan
//           naming any other phase is rejected when it is parsed.
// [phase.4] A selector phase matches when an active phase equals it or is
//           below it in the dotted hierarchy ("checkpoint" matches
//           "checkpoint.copy").
//
// Engines that cannot be annotated (SQLite, external binaries) have no phase
// and are targeted by path instead.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

#include "base/assert.h"

namespace fl::faultvfs {

enum class Phase : uint8_t {
  kSetup,
  kWalAppend,
  kWalSync,
  kCommit,
  kCheckpoint,
  kCheckpointCopy,
  kCheckpointSync,
  kCheckpointReset,
  kRecovery,
  kFreelist,
  kCount,
};

inline constexpr std::array<std::string_view, static_cast<size_t>(Phase::kCount)> kPhaseNames = {
    "setup",           "wal.append",      "wal.sync",         "commit",   "checkpoint",
    "checkpoint.copy", "checkpoint.sync", "checkpoint.reset", "recovery", "freelist",
};

constexpr std::string_view phase_name(Phase phase) {
  FL_ASSERT(phase < Phase::kCount);
  return kPhaseNames[static_cast<size_t>(phase)];
}

constexpr std::optional<Phase> phase_from_name(std::string_view name) {
  for (size_t i = 0; i < kPhaseNames.size(); ++i) {
    if (kPhaseNames[i] == name) return static_cast<Phase>(i);
  }
  return std::nullopt;
}

// [phase.4]: does an active phase `active` fall under the selector `wanted`?
constexpr bool phase_matches(Phase wanted, Phase active) {
  std::string_view w = phase_name(wanted);
  std::string_view a = phase_name(active);
  return a == w || (a.size() > w.size() && a.substr(0, w.size()) == w && a[w.size()] == '.');
}

inline constexpr size_t kPhaseDepthMax = 8;

struct PhaseStack {
  std::array<Phase, kPhaseDepthMax> phases{};
  size_t depth = 0;
};

inline PhaseStack& phase_stack() {
  static thread_local PhaseStack stack;
  return stack;
}

// The innermost active phase, if any.
inline std::optional<Phase> current_phase() {
  const PhaseStack& stack = phase_stack();
  if (stack.depth == 0) return std::nullopt;
  return stack.phases[stack.depth - 1];
}

inline bool phase_active(Phase wanted) {
  const PhaseStack& stack = phase_stack();
  for (size_t i = 0; i < stack.depth; ++i) {
    if (phase_matches(wanted, stack.phases[i])) return true;
  }
  return false;
}

class PhaseScope {
 public:
  explicit PhaseScope(Phase phase) {
    PhaseStack& stack = phase_stack();
    FL_ASSERT(stack.depth < kPhaseDepthMax);  // nesting deeper than any engine step needs
    stack.phases[stack.depth++] = phase;
  }
  ~PhaseScope() {
    PhaseStack& stack = phase_stack();
    FL_ASSERT(stack.depth > 0);
    --stack.depth;
  }
  PhaseScope(const PhaseScope&) = delete;
  PhaseScope& operator=(const PhaseScope&) = delete;
};

}  // namespace fl::faultvfs
