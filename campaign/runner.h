// campaign/runner.h: running a campaign (or one shard of it) into an output
// directory (docs/formats/campaign.md).
//
// [run.1] The output does not depend on RunOptions::jobs: trials are
//         independent pure functions of their config ([trial.1]; the
//         simulator keeps no global state: its phase stack and page pools
//         are thread_local), and every file but trials.jsonl is written
//         sorted. trials.jsonl lists trials as they finish.
// [run.2] Without `resume`, `out_dir` must be missing or empty. With it,
//         a directory holding a campaign.json equal to this config
//         ([camp.3], shard included) is continued: trials listed in its
//         trials.jsonl are not run again. A different campaign.json is
//         kInvalidArgument listing the differences. A missing or empty
//         directory simply starts.
// [run.3] A trial's bundle is complete on disk before its line is
//         appended to trials.jsonl, and each line is flushed as it is
//         written: a killed campaign loses at most the trials running at
//         the time. A torn last line (no newline) is dropped on resume;
//         a malformed complete line is kInvalidArgument naming the line.
// [run.4] summary.json and junit.xml are removed when a run starts and
//         written when it ends, so their presence means the run finished.
// [run.5] With a time budget, no trial starts after it ran out; the
//         trials left are not run (and a later --resume runs them).
// [run.6] A harness error in one trial is that trial's "error" record;
//         failing to write the output directory stops the campaign with
//         that Status.
// [run.7] With stop_at_first_failure, no trial starts after one failed or
//         errored (trials already running finish and are kept); the rest
//         are not run, as with a time budget. `faultline zoo` uses it: it
//         wants the first detection, not every one.
#pragma once

#include <filesystem>
#include <optional>
#include <ostream>

#include "base/status.h"
#include "campaign/campaign_config.h"
#include "campaign/campaign_summary.h"

namespace fl::campaign {

struct RunOptions {
  std::filesystem::path out_dir;
  uint32_t jobs = 1;                          // worker threads, 1..kJobsMax
  std::optional<double> time_budget_seconds;  // [run.5]
  bool resume = false;                        // [run.2]
  std::ostream* progress = nullptr;           // stderr, or null for silence
  bool progress_tty = false;                  // redraw one line in place
  bool stop_at_first_failure = false;         // [run.7]
};

struct RunReport {
  CampaignResult result;
  uint64_t resumed = 0;  // trials found finished in trials.jsonl
  uint64_t ran = 0;      // trials run now
  bool budget_ran_out = false;
  // Wall clock from the start of the trials to the end of the first trial
  // that failed or errored (in finishing order); none when all passed.
  std::optional<double> first_failure_seconds;
};

Result<RunReport> run_campaign(const CampaignConfig& config, const RunOptions& options);

// "300s", "5m", "2h", "90" (seconds); positive, at most kTimeBudgetSecondsMax.
Result<double> parse_time_budget(std::string_view text);

// trials.jsonl of `dir` (missing: none). [run.3] for torn and bad lines.
Result<std::vector<TrialRecord>> read_trial_log(const std::filesystem::path& dir, bool drop_torn_tail);

}  // namespace fl::campaign
