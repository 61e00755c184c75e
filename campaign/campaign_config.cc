// campaign/campaign_config.cc: campaign.json and the trial list
// (campaign_config.h).
#include "campaign/campaign_config.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>

#include "campaign/json_fields.h"

namespace fl::campaign {

bool output_order(const TrialKey& a, const TrialKey& b) {
  if (a.workload != b.workload) return a.workload < b.workload;
  return a.seed < b.seed;
}

TrialConfig trial_config(const CampaignConfig& config, const TrialKey& key) {
  TrialConfig trial;
  trial.engine = config.engine;
  trial.workload = key.workload;
  trial.clients = config.clients;
  trial.txns = config.txns;
  trial.keys = config.keys;
  trial.faults = config.faults;
  trial.seed = key.seed;
  trial.bugs = config.bugs;
  trial.isolation = config.isolation;
  trial.durability = config.durability;
  return trial;
}

Status validate_campaign(const CampaignConfig& config) {
  if (config.workloads.empty()) return Status::invalid_argument("workloads", "no workload given");
  std::set<std::string> seen;
  for (const std::string& workload : config.workloads) {
    if (!seen.insert(workload).second) {
      return Status::invalid_argument("workloads", "\"" + workload + "\" is listed twice");
    }
    FL_TRY(validate(trial_config(config, TrialKey{1, workload})));
  }
  std::set<std::string> bugs(config.bugs.begin(), config.bugs.end());
  if (bugs.size() != config.bugs.size()) return Status::invalid_argument("bug", "a planted bug is listed twice");
  FL_TRY(validate_seed_ranges(config.seeds));
  if (config.shard.count == 0 || config.shard.index >= config.shard.count) {
    return Status::invalid_argument("shard", "index " + std::to_string(config.shard.index) +
                                                 " is not below count " + std::to_string(config.shard.count));
  }
  return Status::success();
}

namespace {

nlohmann::ordered_json campaign_object(const CampaignConfig& config, bool with_shard) {
  nlohmann::ordered_json j;
  j["faultline_version"] = config.faultline_version;
  j["engine"] = config.engine;
  j["workloads"] = config.workloads;
  j["faults"] = config.faults;
  nlohmann::ordered_json seeds = nlohmann::ordered_json::array();
  for (const SeedRange& range : config.seeds) {
    nlohmann::ordered_json r;
    r["first"] = range.first;
    r["last"] = range.last;
    seeds.push_back(r);
  }
  j["seeds"] = seeds;
  if (with_shard) j["shard"] = {{"index", config.shard.index}, {"count", config.shard.count}};
  j["bugs"] = config.bugs;
  j["clients"] = config.clients;
  j["txns"] = config.txns;
  j["keys"] = config.keys;
  j["isolation"] = config.isolation;
  j["durability"] = config.durability;
  return j;
}

Result<uint32_t> u32(const json_fields::Object& object, const char* key) {
  FL_ASSIGN_OR_RETURN(uint64_t value, object.u64(key));
  if (value > UINT32_MAX) return object.bad(key, "larger than " + std::to_string(UINT32_MAX));
  return static_cast<uint32_t>(value);
}

Result<std::vector<SeedRange>> parse_seeds(const nlohmann::json& j, const std::string& file) {
  if (!j.is_array()) return Status::invalid_argument(file, "seeds: expected an array of {first, last}");
  std::vector<SeedRange> ranges;
  for (size_t i = 0; i < j.size(); ++i) {
    const json_fields::Object range(j[i], file + ": seeds[" + std::to_string(i) + "]");
    FL_ASSIGN_OR_RETURN(uint64_t first, range.u64("first"));
    FL_ASSIGN_OR_RETURN(uint64_t last, range.u64("last"));
    ranges.push_back(SeedRange{first, last});
  }
  if (Status valid = validate_seed_ranges(ranges); !valid.ok()) {
    return Status::invalid_argument(file, "seeds: " + std::string(valid.message()));
  }
  return ranges;
}

}  // namespace

std::string campaign_json(const CampaignConfig& config) { return campaign_object(config, true).dump(2) + "\n"; }

Result<CampaignConfig> parse_campaign_json(std::string_view text, const std::string& file) {
  FL_ASSIGN_OR_RETURN(nlohmann::json j, json_fields::parse(text, file));
  const json_fields::Object object(j, file);
  FL_TRY(object.is_object());
  CampaignConfig config;
  FL_ASSIGN_OR_RETURN(config.faultline_version, object.string("faultline_version"));
  FL_ASSIGN_OR_RETURN(config.engine, object.string("engine"));
  FL_ASSIGN_OR_RETURN(config.workloads, object.strings("workloads"));
  FL_ASSIGN_OR_RETURN(config.faults, object.string("faults"));
  FL_ASSIGN_OR_RETURN(const nlohmann::json* seeds, object.field("seeds"));
  FL_ASSIGN_OR_RETURN(config.seeds, parse_seeds(*seeds, file));
  FL_ASSIGN_OR_RETURN(const nlohmann::json* shard, object.field("shard"));
  const json_fields::Object shard_object(*shard, file + ": shard");
  FL_ASSIGN_OR_RETURN(config.shard.index, u32(shard_object, "index"));
  FL_ASSIGN_OR_RETURN(config.shard.count, u32(shard_object, "count"));
  FL_ASSIGN_OR_RETURN(config.bugs, object.strings("bugs"));
  FL_ASSIGN_OR_RETURN(config.clients, u32(object, "clients"));
  FL_ASSIGN_OR_RETURN(config.txns, object.u64("txns"));
  FL_ASSIGN_OR_RETURN(config.keys, u32(object, "keys"));
  FL_ASSIGN_OR_RETURN(config.isolation, object.string("isolation"));
  FL_ASSIGN_OR_RETURN(config.durability, object.string("durability"));
  if (Status valid = validate_campaign(config); !valid.ok()) {
    return Status::invalid_argument(file, valid.to_string());
  }
  return config;
}

std::vector<std::string> campaign_differences(const CampaignConfig& old_config, const CampaignConfig& new_config,
                                              bool ignore_shard) {
  const nlohmann::ordered_json a = campaign_object(old_config, !ignore_shard);
  const nlohmann::ordered_json b = campaign_object(new_config, !ignore_shard);
  std::vector<std::string> out;
  for (const auto& [key, value] : a.items()) {
    if (b.at(key) != value) out.push_back(key + ": " + value.dump() + " before, " + b.at(key).dump() + " now");
  }
  return out;
}

std::vector<TrialKey> campaign_trials(const CampaignConfig& config) {
  std::vector<TrialKey> trials;
  for (uint64_t seed : shard_seeds(config.seeds, config.shard)) {
    for (const std::string& workload : config.workloads) trials.push_back(TrialKey{seed, workload});
  }
  return trials;
}

}  // namespace fl::campaign
