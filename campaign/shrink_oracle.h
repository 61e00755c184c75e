// campaign/shrink_oracle.h: judging shrink candidates (shrink.h
// [shrink.2]). Internal to campaign/shrink*.
//
// [oracle.1] keeps(c) runs c once: a second question about an equal config
//            (the same config.json text) is answered from memory, without
//            a trial.
// [oracle.2] A candidate that cannot run (an invalid size, a harness error)
//            does not keep the failure.
// [oracle.3] Once the time budget or kShrinkTrialsMax is used up, no trial
//            starts and every new candidate is refused; exhausted() says
//            so, and which budget it was.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "campaign/trial.h"
#include "campaign/trial_record.h"

namespace fl::campaign::shrink_internal {

// [shrink.2]: `candidate` (a failure class, sorted) against the original's.
bool same_class(const std::vector<std::string>& candidate, const std::vector<std::string>& original, bool exact);

class ShrinkOracle {
 public:
  ShrinkOracle(bool exact_class, double time_budget_seconds);

  // REQUIRES: before keeps(); sorted and not empty ([shrink.1]).
  void set_original_class(std::vector<std::string> original_class);

  // With it on, a candidate must also pass with its bugs off.
  void require_bug_free_pass(bool on) { require_bug_free_pass_ = on; }

  // Runs `config` as it is (counted, not remembered): for the bundle's own
  // replay and its bug-off run. nullopt when out of budget ([oracle.3]); a
  // trial that cannot run is an error record (status kError), its Status
  // kept in last_error().
  std::optional<TrialRecord> run(const TrialConfig& config);
  const Status& last_error() const { return last_error_; }
  // Runs `config` (counted, not remembered) for its fault log (faults.jsonl);
  // nullopt when out of budget or when it cannot run.
  std::optional<std::string> fault_log(const TrialConfig& config);

  // [oracle.1]-[oracle.3]; `record` (when kept) gets the candidate's record.
  bool keeps(const TrialConfig& candidate, TrialRecord* record);

  bool exhausted() const { return budget_ran_out_ || trials_ran_out_; }
  bool budget_ran_out() const { return budget_ran_out_; }
  bool trials_ran_out() const { return trials_ran_out_; }
  uint64_t trials() const { return trials_; }

 private:
  bool may_start_trial();
  bool judge(const TrialConfig& candidate, TrialRecord* record);

  struct Memo {
    bool keeps = false;
    TrialRecord record;
  };
  std::vector<std::string> original_class_;
  const bool exact_class_;
  const double time_budget_seconds_;
  const std::chrono::steady_clock::time_point start_;
  bool require_bug_free_pass_ = false;
  std::map<std::string, Memo> memo_;  // by config_json(candidate)
  uint64_t trials_ = 0;
  Status last_error_;
  bool budget_ran_out_ = false;
  bool trials_ran_out_ = false;
};

}  // namespace fl::campaign::shrink_internal
