// campaign/campaign_config.h: a campaign's configuration and its
// campaign.json (docs/formats/campaign.md).
//
// [camp.1] validate_campaign() checks every field the way validate()
//          (trial.h) checks a trial, for each workload, plus: at least one
//          workload, none twice, valid seed ranges ([seeds.1]) and shard.
//          Errors are kInvalidArgument naming the field.
// [camp.2] campaign_json() is a pure function of the config; keys in the
//          order of the format doc. parse_campaign_json(campaign_json(c))
//          == c.
// [camp.3] campaign_differences() lists, field by field, where two configs
//          differ ("txns: 300 before, 500 now", before = the
//          first argument); empty when equal.
//          With ignore_shard, `shard` is not compared (what merge needs).
// [camp.4] campaign_trials(): the shard's trials, ordered by seed, then by
//          workload in the config's order: the order they start in, so a
//          time budget leaves the highest seeds of every workload undone.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/status.h"
#include "campaign/seeds.h"
#include "campaign/trial.h"

namespace fl::campaign {

struct CampaignConfig {
  // The version that wrote campaign.json: resume and merge refuse to mix
  // versions, since a trial is a pure function of the code version too.
  std::string faultline_version{kFaultlineVersion};
  std::string engine = "refdb";
  std::vector<std::string> workloads{"list-append", "rw-register", "bank"};
  std::string faults = "everything";
  std::vector<SeedRange> seeds{SeedRange{1, 500}};
  ShardSpec shard;
  std::vector<std::string> bugs;
  uint32_t clients = 8;
  // ~10-30 ms per trial on one core, checking included (measured with
  // `faultline run` on everything: 300 txns 16 ms, 500 txns 22 ms, 1000 txns
  // 38 ms per process): many seeds beat long trials at finding bugs.
  uint64_t txns = 500;
  uint32_t keys = 8;
  std::string isolation = "serializable";
  std::string durability = "full";
  friend bool operator==(const CampaignConfig&, const CampaignConfig&) = default;
};

struct TrialKey {
  uint64_t seed = 0;
  std::string workload;
  friend bool operator==(const TrialKey&, const TrialKey&) = default;
};
// Output order: (workload, seed), workloads by name.
bool output_order(const TrialKey& a, const TrialKey& b);

Status validate_campaign(const CampaignConfig& config);  // [camp.1]
TrialConfig trial_config(const CampaignConfig& config, const TrialKey& key);

std::string campaign_json(const CampaignConfig& config);  // [camp.2]
// `file` names the source in errors ("DIR/campaign.json").
Result<CampaignConfig> parse_campaign_json(std::string_view text, const std::string& file);
std::vector<std::string> campaign_differences(const CampaignConfig& old_config, const CampaignConfig& new_config,
                                              bool ignore_shard);  // [camp.3]

std::vector<TrialKey> campaign_trials(const CampaignConfig& config);  // [camp.4]

}  // namespace fl::campaign
