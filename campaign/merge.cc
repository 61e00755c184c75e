// campaign/merge.cc: combining shard outputs (merge.h).
#include "campaign/merge.h"

#include <algorithm>
#include <fstream>
#include <map>
#include <system_error>

#include "campaign/files.h"
#include "campaign/json_fields.h"

namespace fl::campaign {

namespace fs = std::filesystem;

namespace {

struct Shard {
  fs::path dir;
  CampaignResult result;
};

Result<Shard> read_shard(const fs::path& dir) {
  std::error_code error;
  if (!fs::is_directory(dir, error)) return Status::invalid_argument(dir.string(), "no such shard directory");
  Shard shard{dir, {}};
  const std::string campaign_file = (dir / "campaign.json").string();
  FL_ASSIGN_OR_RETURN(std::string campaign_text, json_fields::read_file(campaign_file));
  FL_ASSIGN_OR_RETURN(CampaignConfig config, parse_campaign_json(campaign_text, campaign_file));
  const std::string summary_file = (dir / "summary.json").string();
  if (!fs::exists(summary_file, error)) {
    return Status::invalid_argument(summary_file, "missing: the shard's campaign did not finish (rerun it with "
                                                  "--resume)");
  }
  FL_ASSIGN_OR_RETURN(std::string summary_text, json_fields::read_file(summary_file));
  FL_ASSIGN_OR_RETURN(shard.result, parse_summary_json(summary_text, summary_file));
  if (!(shard.result.config == config)) {
    return Status::invalid_argument(summary_file, "its campaign differs from campaign.json beside it");
  }
  return shard;
}

// [merge.1]
Status check_shards(const std::vector<Shard>& shards) {
  const Shard& base = shards.front();
  const uint32_t count = base.result.config.shard.count;
  std::map<uint32_t, const Shard*> by_index;
  for (const Shard& shard : shards) {
    const CampaignConfig& config = shard.result.config;
    const std::vector<std::string> differences = campaign_differences(base.result.config, config, true);
    if (!differences.empty()) {
      std::string list;
      for (const std::string& difference : differences) list += "\n  " + difference;
      return Status::invalid_argument(shard.dir.string(), "is from another campaign than " + base.dir.string() +
                                                              " (\"before\" is " + base.dir.string() + "):" + list);
    }
    if (config.shard.count != count) {
      return Status::invalid_argument(shard.dir.string(), "is shard " + shard_text(config.shard) + " but " +
                                                              base.dir.string() + " is shard " +
                                                              shard_text(base.result.config.shard) +
                                                              ": different shard counts");
    }
    const auto [it, inserted] = by_index.emplace(config.shard.index, &shard);
    if (!inserted) {
      return Status::invalid_argument(shard.dir.string(), "and " + it->second->dir.string() + " are both shard " +
                                                              shard_text(config.shard));
    }
  }
  std::string missing;
  for (uint32_t index = 0; index < count; ++index) {
    if (by_index.count(index) == 0) missing += (missing.empty() ? "" : ", ") + shard_text(ShardSpec{index, count});
  }
  if (!missing.empty()) return Status::invalid_argument("merge", "missing shard(s) " + missing);
  return Status::success();
}

Status copy_bundle(const fs::path& from_dir, const fs::path& to_dir, const std::string& bundle) {
  // summary.json came from outside: a bundle path must stay inside its shard.
  const fs::path relative = fs::path(bundle).lexically_normal();
  if (relative.is_absolute() || relative.empty() || *relative.begin() == "..") {
    return Status::invalid_argument((from_dir / "summary.json").string(),
                                    "bundle \"" + bundle + "\" is outside the shard directory");
  }
  std::error_code error;
  fs::create_directories((to_dir / relative).parent_path(), error);
  fs::copy(from_dir / relative, to_dir / relative, fs::copy_options::recursive, error);
  if (error) {
    return Status::invalid_argument((from_dir / relative).string(), "cannot copy the bundle: " + error.message());
  }
  return Status::success();
}

}  // namespace

Result<CampaignResult> merge_campaigns(const std::vector<fs::path>& shard_dirs, const fs::path& out_dir) {
  if (shard_dirs.empty()) return Status::invalid_argument("merge", "no shard directories given");
  std::error_code error;
  if (fs::exists(out_dir, error) && !(fs::is_directory(out_dir, error) && fs::is_empty(out_dir, error))) {
    return Status::invalid_argument(out_dir.string(), "is not empty: choose another --out");
  }
  std::vector<Shard> shards;
  for (const fs::path& dir : shard_dirs) {
    if (fs::exists(out_dir, error) && fs::equivalent(dir, out_dir, error)) {
      return Status::invalid_argument(dir.string(), "is also the --out directory");
    }
    FL_ASSIGN_OR_RETURN(Shard shard, read_shard(dir));
    shards.push_back(std::move(shard));
  }
  FL_TRY(check_shards(shards));
  CampaignResult merged;
  merged.config = shards.front().result.config;
  merged.config.shard = ShardSpec{};
  fs::create_directories(out_dir / "bundles", error);
  if (error) return Status::io_error(out_dir.string() + ": " + error.message(), error.value());
  for (Shard& shard : shards) {
    merged.elapsed_seconds = std::max(merged.elapsed_seconds, shard.result.elapsed_seconds);
    for (TrialRecord& record : shard.result.records) {
      if (record.bundle) FL_TRY(copy_bundle(shard.dir, out_dir, *record.bundle));
      merged.records.push_back(std::move(record));
    }
  }
  FL_TRY(normalize_records(merged.config, merged.records, "merge"));
  FL_TRY(write_file(out_dir / "campaign.json", campaign_json(merged.config)));
  std::string log;
  for (const TrialRecord& record : merged.records) log += trial_record_json(record) + "\n";
  FL_TRY(write_file(out_dir / "trials.jsonl", log));
  FL_TRY(write_campaign_reports(out_dir, merged));
  return merged;
}

}  // namespace fl::campaign
