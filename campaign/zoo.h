// campaign/zoo.h: the planted-bug detection matrix (`faultline zoo`,
// docs/campaign.md "faultline zoo"): for the bug-free engine and for each
// planted bug, the default campaign with that bug on, run until its first
// failing trial or the row's time budget.
//
// [zoo.1] Rows are run one after the other, in the order asked; each row is
//         one or more campaigns (runner.h, stop_at_first_failure) over
//         seeds 1, 2, 3, ... in order, every workload of a seed together.
//         A row's budget is wall clock and covers all of its campaigns.
// [zoo.2] The row `none` plants no bug and runs its whole budget: any
//         failing trial in it is a false alarm. A bug row stops at its
//         first failing trial.
// [zoo.3] A bug row runs the default campaign, unless zoo_attempts() lists
//         other campaign configs for that bug (data in zoo.cc, each entry
//         saying why the default cannot catch it). Several attempts share
//         the budget: each gets an equal part of what the earlier ones left.
// [zoo.4] passed(): `none` (when run) had no failing trial and every bug row
//         detected its bug.
// [zoo.5] With an output directory (missing or empty), attempt k of row B
//         is a whole campaign directory DIR/B/attempt-K/ (campaign.json,
//         summary.json, bundles/...), so a detecting trial's repro bundle
//         is DIR/B/attempt-K/bundles/<workload>-seed<S>/; zoo.json is the
//         matrix. Without one, the campaigns run in a temporary directory
//         that is removed.
// [zoo.6] Bad input (an unknown or repeated row name, no rows, a
//         non-positive budget, jobs outside 1..kJobsMax, a non-empty output
//         directory) is kInvalidArgument before anything runs.
// [zoo.8] A bug row's detecting trial is shrunk (campaign/shrink.h) within
//         shrink_budget_seconds, after the row's clock stopped; the row
//         shows the shrunk size, and with an output directory the shrunk
//         bundle and its regression test are in DIR/B/attempt-K/shrunk/.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "campaign/campaign_config.h"

namespace fl::campaign {

inline constexpr std::string_view kZooNoBug = "none";

// One campaign a bug row may run: changes to the default CampaignConfig.
struct ZooAttempt {
  std::string label;  // "default", or what differs ("isolation=snapshot")
  CampaignConfig config;
};

// [zoo.3]: the campaigns row `bug` runs, in order (the default campaign
// with the bug planted, unless the per-bug list says otherwise; for
// `none`, the default campaign with no bug).
std::vector<ZooAttempt> zoo_attempts(std::string_view bug);

// "none" followed by every planted bug, in engine/planted_bugs.h order.
std::vector<std::string> zoo_all_rows();

struct ZooOptions {
  double budget_seconds = 60;  // per row
  uint32_t jobs = 1;
  std::vector<std::string> rows = zoo_all_rows();
  std::optional<std::filesystem::path> out_dir;  // [zoo.5]
  std::ostream* progress = nullptr;              // one line per row, or null
  // [zoo.8] Wall clock `faultline shrink` may spend on each detecting
  // trial (not counted in the row's seconds); 0 does not shrink.
  double shrink_budget_seconds = 30;
};

struct ZooRow {
  std::string bug;
  bool detected = false;        // a trial failed (for `none`: a false alarm)
  std::string attempt;          // label of the attempt that ran last
  uint64_t attempts_run = 0;
  // Detected: the failing trial's seed, counting the seeds earlier
  // attempts ran before it. Not detected: the seeds every workload of which
  // finished, over all attempts.
  uint64_t seeds = 0;
  uint64_t trials = 0;          // trials run, all attempts
  uint64_t failures = 0;        // failing or errored trials
  double seconds = 0;           // to the first failure; else the row's wall clock
  std::optional<TrialKey> failing_trial;  // the lowest (seed, workload) that failed
  std::string headline;                   // its headline
  std::vector<std::string> anomaly_class; // its anomaly types, or else its finding kinds
  std::optional<std::string> bundle;      // its bundle, relative to the output directory
  // [zoo.7] A bug row's first failing trial, when it fails with the bug off
  // too: the failure is not the bug's doing, so the row is not detected.
  std::optional<TrialKey> fails_bug_free;
  // [zoo.8] The detecting trial shrunk (size_text of campaign/shrink.h), and
  // where the shrunk bundle is, relative to the output directory.
  std::optional<std::string> shrunk_size;
  std::optional<std::string> shrunk_bundle;
  double shrink_seconds = 0;
};

struct ZooResult {
  std::vector<ZooRow> rows;
  double budget_seconds = 0;
  uint32_t jobs = 1;
  double elapsed_seconds = 0;

  bool passed() const;  // [zoo.4]
};

Status validate_zoo(const ZooOptions& options);      // [zoo.6]
Result<ZooResult> run_zoo(const ZooOptions& options);  // [zoo.1]-[zoo.5]

// The matrix for a person: a header, one line per row starting with the
// row's name, then footnotes (what `shrunk size` means, the verdict).
std::string zoo_table(const ZooResult& result);
// The matrix as one JSON document (docs/campaign.md).
std::string zoo_json(const ZooResult& result);

}  // namespace fl::campaign
