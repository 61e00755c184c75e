// campaign/campaign_dir.h: internal to the runner (runner.h [run.2]-[run.4]).
#pragma once

#include <filesystem>
#include <vector>

#include "base/status.h"
#include "campaign/campaign_config.h"
#include "campaign/runner.h"
#include "campaign/trial_record.h"

namespace fl::campaign {

// Checks and sets up `dir` for a run of `config`: refuses a non-empty
// directory without `resume` and a different campaign with it, writes
// campaign.json, removes the files only a finished run leaves, and returns
// the records of the trials already finished (sorted, checked).
Result<std::vector<TrialRecord>> prepare_out_dir(const CampaignConfig& config, const std::filesystem::path& dir,
                                                 bool resume);

}  // namespace fl::campaign
