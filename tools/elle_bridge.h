// tools/elle_bridge.h: `faultline check HISTORY --elle`: the same history
// through Elle (jepsen-io/elle, run as the `elle-check` driver of an Elle
// build, in a JVM) and through our checkers, and the difference between the
// two (docs/checking.md, "Comparing with Elle"). The checkers know nothing
// of this file (ARCHITECTURE.md: checkers/ includes only history/ and base/).
//
// [elle.1] locate_elle_check(): the --elle-path given, which must be an
//          executable file (else kInvalidArgument naming it: a usage
//          error); without one, the first executable of: the build's default
//          (FAULTLINE_ELLE_CHECK_DEFAULT, <source tree>/../shared/elle/elle-check)
//          and ../shared/elle/elle-check under the current directory. When
//          none is, kNotFound naming every place tried.
// [elle.2] run_elle() exports the history as EDN (history/edn_writer.h) to
//          a temporary file (removed afterwards) and runs
//          `elle-check --format json --workload W --model M[,M...] FILE`
//          with our models and workload. Bank histories (and histories of
//          no recognised workload) are kNotApplicable: Elle has no checker
//          for them. No `java` (the JAVA variable, else PATH) is
//          kNotAvailable, before anything runs.
// [elle.3] The child runs with stdin closed and stdout and stderr captured,
//          as the leader of a new process group (elle-check is a script
//          whose JVM is its own child). When it has not finished after
//          timeout_seconds, the whole group is killed (SIGKILL) and the
//          result is kFailed ("timed out"). Timing uses the wall clock: it
//          bounds a real process, and never reaches a verdict.
// [elle.4] kCompared only when Elle printed its JSON summary with a verdict
//          (valid? true, false or "unknown") and exited 0, 1 or 3
//          accordingly. Everything else is kFailed with the reason: Elle's
//          own "error" (it asserts, rather than reports, on some inputs:
//          a read of a value nobody wrote stops it with "No transaction
//          wrote ..."), death by a signal, a timeout, an exit status
//          without a summary, or output that is not one. run_elle() never
//          throws and never aborts on what the child does.
// [elle.5] compare_with_elle() compares Elle's anomaly types (minus the
//          informational `empty-transaction-graph`) with ours, except the
//          types Elle has no check for (lost-write, atomicity, garbage-read,
//          bank-total, negative-balance, integrity), which are listed as
//          "not judged by Elle". The two agree when the remaining types are
//          equal, the verdicts are equal (or differ only by those types),
//          and, when both are invalid, the impossible models are equal by
//          canonical name (Elle says strong-serializable, we
//          strict-serializable).
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "checkers/verdict.h"
#include "history/history.h"

namespace fl::tools {

inline constexpr uint64_t kElleTimeoutSecondsDefault = 300;
inline constexpr uint64_t kElleTimeoutSecondsMax = 86400;
inline constexpr size_t kElleStderrTailBytesMax = 2000;  // of Elle's stderr, kept for the report

struct ElleOptions {
  std::optional<std::string> elle_path;  // --elle-path
  std::vector<std::string> models;       // our --model values, passed on
  std::string workload;                  // as checkers::check_history decided it
  uint64_t timeout_seconds = kElleTimeoutSecondsDefault;
};

enum class ElleStatus : uint8_t { kCompared, kNotApplicable, kNotAvailable, kFailed };
std::string_view elle_status_name(ElleStatus status);   // "compared", "not-applicable", "not-available", "failed"
std::string_view elle_status_words(ElleStatus status);  // "compared", "not applicable", "not available", "failed"

struct ElleResult {
  ElleStatus status = ElleStatus::kNotAvailable;
  std::string why;         // unless kCompared: one sentence
  std::string elle_check;  // the path run, when one was
  int exit_code = -1;      // the child's exit status; -1 when it did not exit
  double seconds = 0;      // wall time of the child
  std::string stderr_tail; // the end of Elle's stderr
  // kCompared only:
  std::string validity;                   // "valid", "invalid", "unknown"
  std::set<std::string> anomaly_types;    // Elle's names, informational ones dropped
  std::set<std::string> impossible_models;  // Elle's "not" and "also-not"
};

// [elle.1] `tried` receives every path looked at.
Result<std::string> locate_elle_check(const std::optional<std::string>& elle_path, std::vector<std::string>* tried);

// [elle.2]-[elle.4]
ElleResult run_elle(const history::History& history, const ElleOptions& options);

struct ElleComparison {
  std::string our_validity;  // checkers::validity_name()
  bool verdicts_agree = false;
  bool types_agree = false;
  bool models_agree = false;
  std::set<std::string> both, only_ours, only_elle;
  std::set<std::string> not_judged_by_elle;  // ours, of the types Elle has no check for
  bool agree() const { return verdicts_agree && types_agree && models_agree; }
};

// [elle.5] REQUIRES: elle.status == kCompared.
ElleComparison compare_with_elle(const checkers::Verdict& ours, const ElleResult& elle);

// The "ELLE" section of the text report; `comparison` is null unless
// elle.status == kCompared. `crashes`: the history's crash count (Elle
// ignores crashes, so the section says how that may show).
std::string elle_text(const ElleResult& elle, const ElleComparison* comparison, uint64_t crashes);

// `verdict_json` (checkers/report.h [report.1]) with one more key at the
// end, "elle": {"status", "why" | the comparison ...}.
std::string with_elle_json(std::string_view verdict_json, const ElleResult& elle, const ElleComparison* comparison,
                           uint64_t crashes);

}  // namespace fl::tools
