// checkers/verdict.h: what every checker returns (ARCHITECTURE.md
// "checkers"): a three-valued verdict with named anomalies, each with the
// operations that show it and an explanation a person can read.
//
// [verdict.1] kInvalid when at least one anomaly was found; kUnknown when no
//             anomaly was found but a precondition failed (duplicate appended
//             values, nothing to judge) — Elle's :unknown; kValid otherwise.
// [verdict.2] Anomaly type names are Elle's (G0, G1a, G1b, G1c, G-single,
//             G-nonadjacent, G2-item, ... lost-update, incompatible-order,
//             duplicate-elements, internal, dirty-update, future-read,
//             cyclic-versions) plus ours, each documented in docs/anomalies.md
//             (garbage-read, lost-write, atomicity, bank-total,
//             negative-balance, integrity).
// [verdict.3] merge() combines checkers' verdicts: invalid beats unknown
//             beats valid; anomalies and notes concatenate.
//
// checkers/ may include nothing of ours but history/ and base/.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace fl::checkers {

enum class Validity : uint8_t { kValid, kInvalid, kUnknown };
std::string_view validity_name(Validity validity);  // "valid", "invalid", "unknown"

struct Anomaly {
  std::string type;               // [verdict.2]
  std::vector<int64_t> op_indices;  // :index of the operations involved, in explanation order
  std::string explanation;        // sentences; every edge of a cycle explained in words
  std::string dot;                // Graphviz DOT of the cycle, empty when not a cycle
};

struct Verdict {
  Validity validity = Validity::kValid;
  // type -> examples (at most kExamplesPerType kept; counts are exact)
  std::map<std::string, std::vector<Anomaly>> anomalies;
  std::map<std::string, uint64_t> anomaly_counts;
  // Consistency models the history violates, each with the anomaly types
  // that rule it out; and the strongest models still possible.
  std::map<std::string, std::vector<std::string>> violated_models;
  std::vector<std::string> possible_models;
  std::vector<std::string> notes;  // preconditions, skipped parts, why unknown

  void add(Anomaly anomaly);  // keeps counts exact and at most kExamplesPerType examples
  void unknown(std::string note);  // [verdict.1]
};

inline constexpr size_t kExamplesPerType = 8;

void merge(Verdict& into, Verdict other);  // [verdict.3]

}  // namespace fl::checkers
