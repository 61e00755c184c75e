// tools/campaign_cmd.h: the `faultline campaign`, `faultline merge` and
// `faultline repro` subcommands (docs/campaign.md,
// docs/formats/campaign.md). faultline.cc only registers them.
//
// Exit statuses (STYLE.md "Command line"):
//   campaign  0 every trial run passed, 1 a trial failed or errored (or the
//             harness failed), 2 bad input (seed range, shard, workload,
//             bug, out directory not empty without --resume, ...).
//   merge     0 / 1 as campaign, for the merged trials; 2 shards that do
//             not make one campaign, or a missing or corrupt shard.
//   repro     0 the bundle reproduced (same history SHA-256, validity and
//             anomaly types), 1 it did not (what differs is printed),
//             2 a missing or corrupt bundle.
#pragma once

#include <CLI/CLI.hpp>

#include <memory>
#include <optional>

namespace fl::tools {

struct CampaignCommands;  // the subcommands and the options they parsed

std::shared_ptr<CampaignCommands> add_campaign_commands(CLI::App& app);
// The exit status of the subcommand the command line chose, or nullopt if
// it chose none of these three.
std::optional<int> run_campaign_commands(const CampaignCommands& commands);

}  // namespace fl::tools
