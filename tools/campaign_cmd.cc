// tools/campaign_cmd.cc: campaign, merge and repro (campaign_cmd.h).
#include "tools/campaign_cmd.h"

#include <unistd.h>

#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "campaign/campaign_limits.h"
#include "campaign/merge.h"
#include "campaign/repro_bundle.h"
#include "campaign/runner.h"
#include "campaign/seeds.h"
#include "tools/bundle_tar.h"

namespace fl::tools {

namespace {

constexpr int kExitPassed = 0;
constexpr int kExitFailed = 1;  // findings, or a harness failure
constexpr int kExitBadInput = 2;

int status_exit(const char* command, const Status& status) {
  std::cerr << "faultline " << command << ": " << status.to_string() << "\n";
  return status.is(Code::kInvalidArgument) ? kExitBadInput : kExitFailed;
}

uint32_t default_jobs() {
  const unsigned cores = std::thread::hardware_concurrency();
  return cores == 0 ? 1 : std::min<uint32_t>(cores, campaign::kJobsMax);
}

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= text.size()) {
    const size_t comma = std::min(text.find(',', start), text.size());
    std::string item = text.substr(start, comma - start);
    while (!item.empty() && item.front() == ' ') item.erase(item.begin());
    while (!item.empty() && item.back() == ' ') item.pop_back();
    out.push_back(item);
    start = comma + 1;
  }
  return out;
}

}  // namespace

struct CampaignCommands {
  CLI::App* campaign = nullptr;
  CLI::App* merge = nullptr;
  CLI::App* repro = nullptr;
  // campaign
  campaign::CampaignConfig config;
  std::string workloads = "list-append,rw-register,bank";
  std::string seeds = "1..500";
  std::string shard;
  std::string time_budget;
  uint32_t jobs = default_jobs();
  std::string out;
  bool resume = false;
  bool quiet = false;
  bool tar = false;
  // merge
  std::vector<std::string> shard_dirs;
  std::string merge_out;
  // repro
  std::string bundle;
};

namespace {

void add_campaign(CLI::App& app, CampaignCommands& c) {
  c.campaign = app.add_subcommand("campaign", "run many trials (seeds x workloads), write summary.json, junit.xml "
                                              "and a repro bundle per failure");
  CLI::App* s = c.campaign;
  s->add_option("--engine", c.config.engine, "engine under test")->capture_default_str();
  s->add_option("--workloads", c.workloads, "comma-separated: list-append, rw-register, bank")->capture_default_str();
  s->add_option("--faults", c.config.faults, "fault profile")->capture_default_str();
  s->add_option("--seeds", c.seeds, "seed ranges: 1..500, 7, 1..10,20..30")->capture_default_str();
  s->add_option("--shard", c.shard,
                "run shard K of N (1-based); default: from FAULTLINE_SHARD, JOB_COMPLETION_INDEX + "
                "FAULTLINE_SHARD_COUNT, CI_NODE_INDEX/CI_NODE_TOTAL, BUILDKITE_PARALLEL_JOB(_COUNT), "
                "CIRCLE_NODE_INDEX/TOTAL, else 1/1");
  s->add_option("--time-budget", c.time_budget, "start no trial after this long (300s, 5m, 2h); the rest is "
                                                "not run");
  s->add_option("--jobs", c.jobs, "trials run at once (threads)")->capture_default_str();
  s->add_option("--bug", c.config.bugs, "planted bug to switch on (repeatable)");
  s->add_option("--txns", c.config.txns, "transactions per trial")->capture_default_str();
  s->add_option("--clients", c.config.clients, "logical clients per trial")->capture_default_str();
  s->add_option("--keys", c.config.keys, "active keys")->capture_default_str();
  s->add_option("--isolation", c.config.isolation, "serializable or snapshot")->capture_default_str();
  s->add_option("--durability", c.config.durability, "full, group or off")->capture_default_str();
  s->add_option("--out", c.out, "output directory (missing or empty, unless --resume)")->required();
  s->add_flag("--resume", c.resume, "continue the campaign in --out, skipping the trials it finished");
  s->add_flag("--quiet", c.quiet, "no progress on stderr");
  s->add_flag("--tar", c.tar, "also write each repro bundle as one file, bundles/NAME.tar (faultline repro reads it)");
  s->footer("Exit: 0 all trials run passed, 1 a trial failed or errored, 2 bad input. See docs/campaign.md.");
}

int run_campaign_command(const CampaignCommands& c) {
  campaign::CampaignConfig config = c.config;
  config.workloads = split_list(c.workloads);
  Result<std::vector<campaign::SeedRange>> seeds = campaign::parse_seed_ranges(c.seeds);
  if (!seeds.ok()) return status_exit("campaign", seeds.status());
  config.seeds = *seeds;
  std::string shard_source = "--shard";
  if (!c.shard.empty()) {
    Result<campaign::ShardSpec> shard = campaign::parse_shard(c.shard);
    if (!shard.ok()) return status_exit("campaign", shard.status());
    config.shard = *shard;
  } else {
    Result<campaign::ShardSource> shard = campaign::shard_from_env(campaign::process_env());
    if (!shard.ok()) return status_exit("campaign", shard.status());
    config.shard = shard->shard;
    shard_source = shard->source;
  }
  campaign::RunOptions options;
  options.out_dir = c.out;
  options.jobs = c.jobs;
  options.resume = c.resume;
  options.progress = c.quiet ? nullptr : &std::cerr;
  options.progress_tty = ::isatty(STDERR_FILENO) == 1;
  if (!c.time_budget.empty()) {
    Result<double> budget = campaign::parse_time_budget(c.time_budget);
    if (!budget.ok()) return status_exit("campaign", budget.status());
    options.time_budget_seconds = *budget;
  }
  if (Status valid = campaign::validate_campaign(config); !valid.ok()) return status_exit("campaign", valid);
  if (!c.quiet) {
    std::cerr << "faultline campaign: " << config.engine << ", seeds " << campaign::seed_ranges_text(config.seeds)
              << ", shard " << campaign::shard_text(config.shard) << " (" << shard_source << "), "
              << campaign::campaign_trials(config).size() << " trials, " << options.jobs << " jobs\n";
  }
  Result<campaign::RunReport> report = campaign::run_campaign(config, options);
  if (!report.ok()) return status_exit("campaign", report.status());
  const campaign::CampaignResult& result = report->result;
  std::cout << campaign::summary_table(result);
  if (report->resumed > 0) std::cout << "resumed: " << report->resumed << " trials were already finished\n";
  if (report->budget_ran_out) std::cout << "the time budget ran out: " << result.totals().not_run
                                        << " trials not run (--resume runs them)\n";
  for (const campaign::TrialRecord& record : result.records) {
    if (record.status == campaign::TrialStatus::kPass || !record.bundle) continue;
    std::cout << "first failure: " << record.key.workload << " seed " << record.key.seed << ": " << record.headline
              << "\n  faultline repro " << (options.out_dir / *record.bundle).string() << "\n";
    break;
  }
  std::cout << "results: " << (options.out_dir / "summary.json").string() << ", "
            << (options.out_dir / "junit.xml").string() << "\nreport:  " << (options.out_dir / "report.html").string()
            << "\n";
  if (c.tar) {
    for (const campaign::TrialRecord& record : result.records) {
      if (!record.bundle) continue;
      if (Status tarred = tar_bundle(options.out_dir / *record.bundle); !tarred.ok()) {
        std::cerr << "faultline campaign: " << tarred.to_string() << "\n";
        return kExitFailed;
      }
    }
  }
  return result.all_passed() ? kExitPassed : kExitFailed;
}

void add_merge(CLI::App& app, CampaignCommands& c) {
  c.merge = app.add_subcommand("merge", "combine the output directories of a campaign's shards into one");
  c.merge->add_option("shards", c.shard_dirs, "the shards' --out directories")->required();
  c.merge->add_option("--out", c.merge_out, "output directory (missing or empty)")->required();
  c.merge->footer("Exit: 0 every merged trial passed, 1 some failed, 2 the shards do not make one whole campaign.");
}

int run_merge_command(const CampaignCommands& c) {
  std::vector<std::filesystem::path> dirs(c.shard_dirs.begin(), c.shard_dirs.end());
  Result<campaign::CampaignResult> merged = campaign::merge_campaigns(dirs, c.merge_out);
  if (!merged.ok()) return status_exit("merge", merged.status());
  std::cout << campaign::summary_table(*merged);
  std::cout << "merged " << dirs.size() << " shards: " << c.merge_out << "/summary.json, " << c.merge_out
            << "/junit.xml\n";
  return merged->all_passed() ? kExitPassed : kExitFailed;
}

void add_repro(CLI::App& app, CampaignCommands& c) {
  c.repro = app.add_subcommand("repro", "replay a repro bundle and check that it gives the same history and verdict");
  c.repro->add_option("bundle", c.bundle, "the bundle directory, or its .tar (campaign --tar)")->required();
  c.repro->footer("Exit: 0 reproduced, 1 the history or verdict differs, 2 missing or corrupt bundle.");
}

int run_repro_command(const CampaignCommands& c) {
  Result<BundleDir> bundle = BundleDir::open(c.bundle);
  if (!bundle.ok()) return status_exit("repro", bundle.status());
  Result<campaign::ReproOutcome> outcome = campaign::replay_bundle(bundle->dir());
  if (!outcome.ok()) return status_exit("repro", bundle->relabel(outcome.status()));
  for (const std::string& note : outcome->notes) std::cerr << "faultline repro: note: " << note << "\n";
  const campaign::TrialConfig& config = outcome->bundle.config;
  std::cout << "faultline repro: " << c.bundle << " (" << config.workload << ", seed " << config.seed << ")\n";
  std::cout << "  replay: " << outcome->replayed.headline << "\n";
  if (outcome->differences.empty()) {
    std::cout << "  reproduced: history sha256 " << outcome->replayed.history_sha256 << ", verdict "
              << outcome->replayed.validity << "\n";
    if (const auto& images = outcome->bundle.crash_images; images && !images->empty()) {
      std::cout << "  crash images: " << images->size() << " identical to index.json's";
      if (outcome->crash_image_files_differing > 0) {
        std::cout << "; " << outcome->crash_image_files_differing << " file(s) on disk are not (see the notes)";
      } else if (!bundle->extracted()) {
        std::cout << " (" << (bundle->dir() / "crash-images").string() << ")";
      }
      std::cout << "\n";
    }
    return kExitPassed;
  }
  std::cout << "  NOT reproduced:\n";
  for (const std::string& difference : outcome->differences) std::cout << "    " << difference << "\n";
  return kExitFailed;
}

}  // namespace

std::shared_ptr<CampaignCommands> add_campaign_commands(CLI::App& app) {
  auto commands = std::make_shared<CampaignCommands>();
  add_campaign(app, *commands);
  add_merge(app, *commands);
  add_repro(app, *commands);
  return commands;
}

std::optional<int> run_campaign_commands(const CampaignCommands& commands) {
  if (commands.campaign->parsed()) return run_campaign_command(commands);
  if (commands.merge->parsed()) return run_merge_command(commands);
  if (commands.repro->parsed()) return run_repro_command(commands);
  return std::nullopt;
}

}  // namespace fl::tools
