// tests/campaign/campaign_util.h: helpers for the campaign tests: small
// campaigns (a few ms per trial), file access, and summary.json / junit.xml
// with their wall-clock fields removed (docs/formats/campaign.md marks
// them; nothing else may differ between runs of one campaign).
#pragma once

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>
#include <string>

#include "campaign/campaign_config.h"
#include "campaign/runner.h"
#include "tests/faultvfs/temp_dir.h"

namespace fl::campaign::testing {

namespace fs = std::filesystem;
using faultvfs::TempDir;

inline std::string slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

inline void spit(const fs::path& path, const std::string& text) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
}

// Trials of ~150 transactions: a few ms each, still with crashes.
inline CampaignConfig small_campaign(uint64_t first_seed, uint64_t last_seed) {
  CampaignConfig config;
  config.seeds = {SeedRange{first_seed, last_seed}};
  config.txns = 150;
  return config;
}

inline RunOptions quiet_run(const fs::path& out, uint32_t jobs) {
  RunOptions options;
  options.out_dir = out;
  options.jobs = jobs;
  return options;
}

// summary.json without "elapsed_seconds" and every trial's "seconds";
// with `drop_shard`, without campaign.shard either.
inline std::string stable_summary(const fs::path& dir, bool drop_shard = false) {
  nlohmann::json j = nlohmann::json::parse(slurp(dir / "summary.json"));
  j.erase("elapsed_seconds");
  for (nlohmann::json& trial : j["trials"]) trial.erase("seconds");
  if (drop_shard) j["campaign"].erase("shard");
  return j.dump(1);
}

// junit.xml without its time="..." attributes, and with the campaign
// directory (named in each failure's repro command) written as DIR.
inline std::string stable_junit(const fs::path& dir) {
  std::string text = std::regex_replace(slurp(dir / "junit.xml"), std::regex(" time=\"[0-9.]+\""), "");
  const std::string name = dir.string();
  for (size_t at = text.find(name); at != std::string::npos; at = text.find(name, at)) text.replace(at, name.size(), "DIR");
  return text;
}

// Every file under dir/bundles, by relative path -> bytes.
inline std::map<std::string, std::string> bundle_files(const fs::path& dir) {
  std::map<std::string, std::string> files;
  if (!fs::exists(dir / "bundles")) return files;
  for (const fs::directory_entry& entry : fs::recursive_directory_iterator(dir / "bundles")) {
    if (entry.is_regular_file()) files[fs::relative(entry.path(), dir).string()] = slurp(entry.path());
  }
  return files;
}

}  // namespace fl::campaign::testing
