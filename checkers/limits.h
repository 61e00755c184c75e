// checkers/limits.h: every bound the checkers enforce. Budgets count steps,
// not milliseconds, so running out is deterministic; when one runs out the
// verdict says so (a note, and `cycle-search-truncated`), never a silent pass.
#pragma once

#include <cstddef>
#include <cstdint>

namespace fl::checkers {

// States (vertex, edge-count class) a cycle search may expand in one strongly
// connected component, over all anomaly classes it looks for. Elle bounds the
// same search by wall time (one second per component); 2^24 expansions take
// well under a second here.
constexpr uint64_t kCycleSearchStepsMax = uint64_t{1} << 24;

// Cycles reported per anomaly type per component: the first found. More
// examples come from other components, up to kExamplesPerType (verdict.h).
constexpr size_t kCyclesPerTypePerSccMax = 1;

// Operations listed for a "<model>-cycle-exists" anomaly (the component may
// hold millions); the explanation gives the full count.
constexpr size_t kCycleExistsOpsShownMax = 64;

// rw-register: steps (set insertions) the sequential-keys and
// linearizable-keys version-order inferences may take together. Each walks
// an order graph to find, per transaction and key, the next transactions
// that touch the key (Elle's ext-key-graph), which is quadratic at worst;
// when the budget runs out that inference is skipped and a note says so.
constexpr uint64_t kVersionInferenceStepsMax = uint64_t{1} << 24;

// Elements shown when an explanation prints a list read: long reads are cut
// to their last elements ("[... 7 8 9]") so explanations stay short.
constexpr size_t kExplainedListElementsMax = 8;

}  // namespace fl::checkers
