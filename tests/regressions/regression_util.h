// tests/regressions/regression_util.h: what the regression tests that
// `faultline shrink` generates (campaign/shrink_regression.h) have in
// common, so each of them is a config and one assertion.
//
// A regression test pins one shrunk trial: with its planted bugs on it
// fails, with (at least) the recorded failure class (campaign/shrink.h
// [shrink.1]); with them off it passes. A trial is a pure function of its
// config ([trial.1]), so these tests are deterministic; they assert the
// class, not the history hash, so unrelated changes to the history's bytes
// do not break them. A change to the workload generator or the fault
// streams can: then regenerate them (tests/regressions/regenerate.sh).
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "campaign/shrink.h"
#include "campaign/trial.h"
#include "campaign/trial_record.h"
#include "faultvfs/fault_plan.h"

namespace fl::regressions {

// REQUIRES: a valid plan (the generator wrote it with faultvfs::to_json).
inline faultvfs::FaultPlan plan_from_json(std::string_view json) {
  Result<faultvfs::FaultPlan> plan = faultvfs::parse_fault_plan(json);
  EXPECT_TRUE(plan.ok()) << plan.status().to_string();
  return plan.ok() ? *plan : faultvfs::FaultPlan{};
}

// The trial's record, or an error record when it could not run.
inline campaign::TrialRecord run_regression_trial(const campaign::TrialConfig& config) {
  Result<campaign::TrialOutput> output = campaign::run_trial(config);
  if (!output.ok()) return campaign::error_record({config.seed, config.workload}, output.status());
  return campaign::evaluate_trial(config, *output).record;
}

inline std::string class_text(const std::vector<std::string>& failure_class) {
  std::string out;
  for (const std::string& member : failure_class) out += (out.empty() ? "" : ",") + member;
  return out.empty() ? "(none)" : out;
}

// The trial fails, and its failure class has every member of
// `expected_class` (it may have more: a checker that learns to name one
// more anomaly of the same history does not break the regression).
inline void expect_failure(const campaign::TrialConfig& config, const std::vector<std::string>& expected_class) {
  const campaign::TrialRecord record = run_regression_trial(config);
  EXPECT_EQ(record.status, campaign::TrialStatus::kFail) << "expected a failure; got: " << record.headline;
  const std::vector<std::string> got = campaign::failure_class(record);
  for (const std::string& member : expected_class) {
    EXPECT_TRUE(std::find(got.begin(), got.end(), member) != got.end())
        << "expected " << member << " in the failure class " << class_text(got) << ": " << record.headline;
  }
}

// expect_failure(), and the same config passes with its bugs off.
inline void expect_caught_only_with_bugs(const campaign::TrialConfig& config,
                                         const std::vector<std::string>& expected_class) {
  ASSERT_FALSE(config.bugs.empty());
  expect_failure(config, expected_class);
  campaign::TrialConfig bug_free = config;
  bug_free.bugs.clear();
  const campaign::TrialRecord record = run_regression_trial(bug_free);
  EXPECT_EQ(record.status, campaign::TrialStatus::kPass) << "the bug-free engine fails: " << record.headline;
}

}  // namespace fl::regressions
