// checkers/check.h: every checker that applies to a history, run together:
// what `faultline check` and `faultline run` print.
//
// [check.1] The workload is CheckOptions::workload when set, else the
//           metadata :workload, else inferred from the operations (:f
//           :transfer/:read is bank; an :append micro-op list-append; a :w
//           micro-op rw-register). A history none of these fits is unknown.
// [check.2] list-append: the isolation checker (check_list_append) for the
//           requested models, plus durability (durability.h). rw-register:
//           durability, plus the rw-register isolation checker once it
//           exists (until then a note says isolation was not judged and the
//           verdict is at best unknown). bank: check_bank.
// [check.3] The verdicts combine with merge(): any anomaly makes the result
//           invalid. Durability anomalies (lost-write, atomicity) are never
//           rewritten as isolation ones; when transactions were lost at a
//           crash a note lists how many, since isolation anomalies touching
//           them may be consequences of the loss (durability.h [dur.7]).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "checkers/durability.h"
#include "checkers/verdict.h"
#include "history/history.h"

namespace fl::checkers {

inline constexpr std::string_view kWorkloadNames[] = {"list-append", "rw-register", "bank"};

struct CheckOptions {
  std::optional<std::string> workload;                        // one of kWorkloadNames
  std::vector<std::string> models{"strict-serializable"};     // consistency_models.h names
  std::optional<DurabilityPromise> durability;                // overrides the metadata
};

struct CheckResult {
  Verdict verdict;
  std::string workload;  // as decided by [check.1]; empty when none fits
  DurabilityPromise promise = DurabilityPromise::kAcked;
  uint64_t crashes = 0;
};

// The workload of [check.1], or empty.
std::string detect_workload(const history::History& history);

CheckResult check_history(const history::History& history, const CheckOptions& options = {});

}  // namespace fl::checkers
