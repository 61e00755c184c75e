// campaign/shrink_oracle.cc: judging shrink candidates (shrink_oracle.h).
#include "campaign/shrink_oracle.h"

#include <algorithm>

#include "campaign/shrink.h"
#include "campaign/shrink_limits.h"

namespace fl::campaign::shrink_internal {

bool same_class(const std::vector<std::string>& candidate, const std::vector<std::string>& original, bool exact) {
  if (candidate.empty()) return false;  // a passing trial has no class
  if (exact) return candidate == original;
  for (const std::string& member : candidate) {
    if (std::binary_search(original.begin(), original.end(), member)) return true;
  }
  return false;
}

ShrinkOracle::ShrinkOracle(bool exact_class, double time_budget_seconds)
    : exact_class_(exact_class), time_budget_seconds_(time_budget_seconds), start_(std::chrono::steady_clock::now()) {
  FL_ASSERT(time_budget_seconds_ > 0);
}

void ShrinkOracle::set_original_class(std::vector<std::string> original_class) {
  FL_ASSERT(!original_class.empty());
  FL_ASSERT(std::is_sorted(original_class.begin(), original_class.end()));
  original_class_ = std::move(original_class);
}

bool ShrinkOracle::may_start_trial() {
  if (trials_ >= kShrinkTrialsMax) trials_ran_out_ = true;
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  if (elapsed >= time_budget_seconds_) budget_ran_out_ = true;
  if (exhausted()) return false;
  ++trials_;
  return true;
}

std::optional<TrialRecord> ShrinkOracle::run(const TrialConfig& config) {
  if (!may_start_trial()) return std::nullopt;
  Result<TrialOutput> output = run_trial(config);
  if (!output.ok()) {
    last_error_ = output.status();
    return error_record({config.seed, config.workload}, last_error_);
  }
  return evaluate_trial(config, *output).record;
}

std::optional<std::string> ShrinkOracle::fault_log(const TrialConfig& config) {
  if (!may_start_trial()) return std::nullopt;
  Result<TrialOutput> output = run_trial(config);
  if (!output.ok()) return std::nullopt;
  return std::move(output->sim.fault_log_jsonl);
}

bool ShrinkOracle::judge(const TrialConfig& candidate, TrialRecord* record) {
  std::optional<TrialRecord> failing = run(candidate);
  if (!failing) return false;  // [oracle.3]
  *record = std::move(*failing);
  // An error record is not kFail: a candidate that cannot run is refused ([oracle.2]).
  if (record->status != TrialStatus::kFail) return false;
  if (!same_class(failure_class(*record), original_class_, exact_class_)) return false;
  if (!require_bug_free_pass_) return true;
  TrialConfig bug_free = candidate;
  bug_free.bugs.clear();
  std::optional<TrialRecord> passing = run(bug_free);
  // Out of budget here: unknown, so not kept (and not remembered).
  return passing && passing->status == TrialStatus::kPass;
}

bool ShrinkOracle::keeps(const TrialConfig& candidate, TrialRecord* record) {
  FL_ASSERT(!original_class_.empty());  // set_original_class() came first
  const std::string key = config_json(candidate);
  if (const auto found = memo_.find(key); found != memo_.end()) {
    if (found->second.keeps) *record = found->second.record;
    return found->second.keeps;
  }
  if (exhausted()) return false;
  Memo memo;
  memo.keeps = judge(candidate, &memo.record);
  // A verdict cut short by the budget is not an answer: never remembered.
  if (!exhausted() || memo.keeps) memo_.emplace(key, memo);
  if (memo.keeps) *record = memo.record;
  return memo.keeps;
}

}  // namespace fl::campaign::shrink_internal
