// campaign/merge.h: `faultline merge`: the outputs of the N shards of one
// campaign, combined into the output of the whole campaign
// (docs/formats/campaign.md "summary.json").
//
// [merge.1] Every shard directory must hold campaign.json and summary.json
//           (a finished run, [run.4]); their campaigns must be equal
//           except for shard.index ([camp.3]), have the same shard count,
//           and the indices must be exactly 0..count-1, each once.
//           Anything else is kInvalidArgument naming the directories and
//           the difference, the duplicate or the missing shard.
// [merge.2] `out_dir` (missing or empty, and none of the shards) gets
//           campaign.json with shard 0 of 1, trials.jsonl and summary.json
//           with every shard's trials in output order, junit.xml, and a
//           copy of every bundle. Apart from the wall-clock fields the
//           summary equals that of the unsharded campaign; its
//           elapsed_seconds is the longest shard's.
#pragma once

#include <filesystem>
#include <vector>

#include "base/status.h"
#include "campaign/campaign_summary.h"

namespace fl::campaign {

Result<CampaignResult> merge_campaigns(const std::vector<std::filesystem::path>& shard_dirs,
                                       const std::filesystem::path& out_dir);

}  // namespace fl::campaign
