// checkers/check.h: every checker that applies to a history, run together:
// what `faultline check` and `faultline run` print.
//
// [check.1] The workload is CheckOptions::workload when set, else the
//           metadata :workload, else inferred from the operations (:f
//           :transfer/:read is bank; an :append micro-op list-append; a :w
//           micro-op rw-register). A history none of these fits is unknown.
// [check.2] list-append: the isolation checker (check_list_append) for the
//           requested models, plus durability (durability.h). rw-register:
//           the rw-register isolation checker (check_rw_register, Elle's
//           default version-order inference only: wfr-keys and the other
//           opt-in inferences are not switched on here), plus durability.
//           bank: check_bank.
// [check.3] The verdicts combine with merge(): any anomaly makes the result
//           invalid. Durability anomalies (lost-write, atomicity) are never
//           rewritten as isolation ones; when transactions were lost at a
//           crash a note lists how many, since isolation anomalies touching
//           them may be consequences of the loss (durability.h [dur.7]).
// [check.4] Isolation is judged per crash epoch (durability.h): each
//           epoch's client operations form a history of their own, in which
//           a list read drops its leading elements appended before the
//           epoch and a register read of a value written before the epoch
//           reads nil (the recovered state is the epoch's initial state;
//           the durability checker judges it). An epoch that relates no two
//           transactions adds a note; when none does, isolation is unknown.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "checkers/durability.h"
#include "checkers/verdict.h"
#include "history/compact.h"
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

// [check.5] The same verdict for a history in flat arrays (what `faultline
// check` loads). A list-append history without crashes is checked in place
// (durability has nothing to judge, [dur.6]); any other is converted to a
// History first.
CheckResult check_history(const history::CompactHistory& history, const CheckOptions& options = {});

}  // namespace fl::checkers
