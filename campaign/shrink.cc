// campaign/shrink.cc: the shrink driver (shrink.h): replay the bundle, fix
// the class to keep, then run the passes (shrink_passes.h) in rounds.
#include "campaign/shrink.h"

#include <chrono>
#include <set>

#include "campaign/repro_bundle.h"
#include "campaign/shrink_limits.h"
#include "campaign/shrink_oracle.h"
#include "campaign/shrink_passes.h"

namespace fl::campaign {

namespace fs = std::filesystem;

std::vector<std::string> failure_class(const TrialRecord& record) {
  if (record.status != TrialStatus::kFail) return {};
  if (!record.anomaly_types.empty()) return record.anomaly_types;  // sorted ([rec] anomaly_types)
  std::set<std::string> kinds;
  for (const std::string& finding : record.findings) {  // "kind (epoch N): detail"
    const std::string kind = finding.substr(0, finding.find(' '));
    if (kind == "integrity" || kind == "recovery" || kind == "liveness") kinds.insert(kind);  // [rec.2]
  }
  return {kinds.begin(), kinds.end()};
}

Result<ShrinkSize> shrink_size(const TrialConfig& config) {
  FL_ASSIGN_OR_RETURN(faultvfs::FaultPlan plan, effective_plan(config));
  return ShrinkSize{config.clients, config.txns, config.keys, plan.rules.size()};
}

std::string size_text(const ShrinkSize& size) {
  auto count = [](uint64_t n, const char* one, const char* many) {
    return std::to_string(n) + " " + (n == 1 ? one : many);
  };
  return count(size.clients, "client", "clients") + ", " + count(size.txns, "txn", "txns") + ", " +
         count(size.keys, "key", "keys") + ", " + count(size.rules, "rule", "rules");
}

namespace {

using shrink_internal::ShrinkOracle;
using shrink_internal::ShrinkState;

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// The original: replayed, with its class and (for planted bugs) whether it
// passes with them off. kInvalidArgument when there is nothing to shrink.
Status replay_original(const fs::path& bundle, ShrinkOracle& oracle, ShrinkResult& result) {
  FL_ASSIGN_OR_RETURN(ReproBundle read, read_repro_bundle(bundle));
  result.original = read.config;
  std::optional<TrialRecord> replayed = oracle.run(read.config);
  FL_ASSERT(replayed.has_value());  // the first trial is always within budget
  if (replayed->status == TrialStatus::kError) return oracle.last_error();
  result.original_record = std::move(*replayed);
  const TrialRecord& record = result.original_record;
  if (record.status != TrialStatus::kFail) {
    return Status::invalid_argument(bundle.string(), "its replay passes (" + record.headline +
                                                         "): there is no failure to shrink");
  }
  if (record.history_sha256 != read.history_sha256 || record.anomaly_types != read.anomaly_types) {
    result.notes.push_back("the replay differs from the bundle (faultline repro says how); shrinking the replay: " +
                           record.headline);
  }
  result.original_class = failure_class(record);
  FL_ASSERT(!result.original_class.empty());  // a failing trial has a class ([shrink.1])
  FL_ASSIGN_OR_RETURN(result.original_size, shrink_size(read.config));
  return Status::success();
}

// [shrink.2]: with planted bugs, does the original pass with them off?
void check_bug_free(ShrinkOracle& oracle, ShrinkResult& result) {
  if (result.original.bugs.empty()) return;
  TrialConfig bug_free = result.original;
  bug_free.bugs.clear();
  std::optional<TrialRecord> record = oracle.run(bug_free);
  if (record && record->status == TrialStatus::kPass) {
    result.bug_free_passes = true;
    oracle.require_bug_free_pass(true);
    return;
  }
  result.notes.push_back("the bundle fails with its bugs off too" +
                         (record ? " (" + record->headline + ")" : std::string()) +
                         ": the shrink keeps the failure only, and the regression test asserts only it");
}

// One round of every dimension ([shrink.3]); true when it kept anything.
bool shrink_round(ShrinkState& state) {
  bool kept = false;
  kept = shrink_internal::shrink_txns(state) || kept;
  kept = shrink_internal::shrink_clients(state) || kept;
  kept = shrink_internal::shrink_keys(state) || kept;
  if (state.current.plan) {
    kept = shrink_internal::shrink_rules(state) || kept;
    kept = shrink_internal::shrink_device(state) || kept;
    if (shrink_internal::fix_fired_faults(state)) {
      kept = true;
      shrink_internal::shrink_rules(state);
    }
    kept = shrink_internal::shrink_rule_times(state) || kept;
    kept = shrink_internal::shrink_rule_after_op(state) || kept;
  }
  return kept;
}

// [shrink.4]: the plan as an override, when that still fails (it differs
// from the profile run only in the history's :faults "custom").
void make_plan_explicit(ShrinkState& state) {
  if (state.current.plan) return;
  Result<faultvfs::FaultPlan> plan = effective_plan(state.current);
  faultvfs::FaultPlan nothing;  // what `none` generates: no rule, no knob to shrink
  nothing.seed = state.current.seed;
  if (!plan.ok() || *plan == nothing) return;
  TrialConfig candidate = state.current;
  candidate.plan = std::move(*plan);
  TrialRecord record;
  if (!state.oracle.keeps(candidate, &record)) return;
  state.current = std::move(candidate);
  state.record = std::move(record);
}

// [shrink.4]: back to a profile when the plan is still the profile's, or
// has become `none`'s (no rule, no knob).
void drop_plan_if_profile(ShrinkState& state) {
  if (!state.current.plan) return;
  for (const std::string& faults : {state.current.faults, std::string("none")}) {
    Result<faultvfs::FaultPlan> profile = faultvfs::generate_fault_plan(faults, state.current.seed);
    if (!profile.ok() || *profile != *state.current.plan) continue;
    TrialConfig candidate = state.current;
    candidate.faults = faults;
    candidate.plan.reset();
    TrialRecord record;
    if (!state.oracle.keeps(candidate, &record)) continue;
    state.current = std::move(candidate);
    state.record = std::move(record);
    return;
  }
}

}  // namespace

Result<ShrinkResult> shrink_bundle(const fs::path& bundle, const ShrinkOptions& options) {
  if (!(options.time_budget_seconds > 0)) return Status::invalid_argument("--time-budget", "must be positive");
  const auto start = std::chrono::steady_clock::now();
  ShrinkResult result;
  result.bundle = bundle;
  result.exact_class = options.exact_class;
  ShrinkOracle oracle(options.exact_class, options.time_budget_seconds);
  FL_TRY(replay_original(bundle, oracle, result));
  oracle.set_original_class(result.original_class);
  check_bug_free(oracle, result);
  ShrinkState state{oracle, result.original, result.original_record, result.steps, options.progress};
  make_plan_explicit(state);
  while (result.rounds < kShrinkRoundsMax && !oracle.exhausted()) {
    ++result.rounds;
    if (!shrink_round(state)) break;
  }
  drop_plan_if_profile(state);
  result.shrunk = state.current;
  result.shrunk_record = state.record;
  result.shrunk_class = failure_class(state.record);
  FL_ASSIGN_OR_RETURN(result.shrunk_size, shrink_size(result.shrunk));
  result.trials = oracle.trials();
  result.budget_ran_out = oracle.budget_ran_out();
  result.trials_ran_out = oracle.trials_ran_out();
  result.seconds = seconds_since(start);
  return result;
}

}  // namespace fl::campaign
