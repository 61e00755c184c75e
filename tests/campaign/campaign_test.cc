// Campaign runs through the library (campaign/runner.h, merge.h): output
// independent of --jobs, a planted bug caught with bundle and JUnit
// failure, the bug-free engine passing, resume after a kill, and shards
// merged into the unsharded campaign. Trials are ~150 transactions, a few
// ms each; summaries are compared with their wall-clock fields removed.
#include <gtest/gtest.h>

#include "campaign/merge.h"
#include "campaign/runner.h"
#include "tests/campaign/campaign_util.h"

namespace fl::campaign::testing {
namespace {

RunReport run_ok(const CampaignConfig& config, const RunOptions& options) {
  Result<RunReport> report = run_campaign(config, options);
  EXPECT_TRUE(report.ok()) << report.status().to_string();
  return report.ok() ? std::move(*report) : RunReport{};
}

CampaignConfig write_skew_campaign() {
  CampaignConfig config = small_campaign(1, 6);
  config.bugs = {"write-skew"};  // G2-item under serializable (planted_bug_check_test.cc); list-append: 5 of 6 seeds
  return config;
}

TEST(Campaign, OutputIsTheSameWhateverTheJobCount) {  // [run.1], [sum.2]
  TempDir dir;
  const CampaignConfig config = write_skew_campaign();  // with bundles, so they are compared too
  const RunReport one = run_ok(config, quiet_run(fs::path(dir.path()) / "one", 1));
  const RunReport two = run_ok(config, quiet_run(fs::path(dir.path()) / "two", 2));
  EXPECT_EQ(one.ran, 18u);
  EXPECT_EQ(stable_summary(fs::path(dir.path()) / "one"), stable_summary(fs::path(dir.path()) / "two"));
  EXPECT_EQ(stable_junit(fs::path(dir.path()) / "one"), stable_junit(fs::path(dir.path()) / "two"));
  EXPECT_EQ(bundle_files(fs::path(dir.path()) / "one"), bundle_files(fs::path(dir.path()) / "two"));
  EXPECT_EQ(slurp(fs::path(dir.path()) / "one" / "campaign.json"),
            slurp(fs::path(dir.path()) / "two" / "campaign.json"));
}

TEST(Campaign, PlantedWriteSkewFailsWithBundleAndJunitFailure) {  // [rec.2], [bundle.1], [sum.3]
  TempDir dir;
  const fs::path out = fs::path(dir.path()) / "out";
  CampaignConfig config = write_skew_campaign();
  config.workloads = {"list-append"};
  const RunReport report = run_ok(config, quiet_run(out, 2));
  EXPECT_FALSE(report.result.all_passed());
  // Seed 3 passes: a latent sector error in its WAL leaves no database
  // after its third crash (an `unavailable` finding, the device's failure)
  // before any write skew happened. The other five show G2-item.
  EXPECT_EQ(report.result.totals().failed, 5u);
  const TrialRecord& first = report.result.records.front();
  EXPECT_EQ(first.status, TrialStatus::kFail);
  EXPECT_EQ(first.validity, "invalid");
  EXPECT_NE(std::find(first.anomaly_types.begin(), first.anomaly_types.end(), "G2-item"), first.anomaly_types.end());
  ASSERT_TRUE(first.bundle.has_value());
  EXPECT_EQ(*first.bundle, "bundles/list-append-seed1");
  for (const char* file : {"config.json", "plan.json", "faults.jsonl", "history.edn", "history.jsonl",
                           "findings.jsonl", "verdict.json", "verdict.txt", "cycles/0.dot"}) {
    EXPECT_TRUE(fs::exists(out / *first.bundle / file)) << file;
  }
  const nlohmann::json verdict = nlohmann::json::parse(slurp(out / *first.bundle / "verdict.json"));
  EXPECT_EQ(verdict["context"]["history_sha256"], first.history_sha256);
  EXPECT_EQ(verdict["context"]["headline"], first.headline);
  const nlohmann::json summary = nlohmann::json::parse(slurp(out / "summary.json"));
  EXPECT_EQ(summary["first_failure"]["seed"], 1);
  EXPECT_EQ(summary["anomaly_types"]["G2-item"], 5);
  const std::string junit = slurp(out / "junit.xml");
  EXPECT_NE(junit.find("<testsuite name=\"faultline.list-append\" tests=\"6\" failures=\"5\""), std::string::npos);
  EXPECT_NE(junit.find("<failure message=\"invalid: G2-item"), std::string::npos);
  EXPECT_NE(junit.find("faultline repro " + (out / "bundles/list-append-seed1").string()), std::string::npos);
  EXPECT_EQ(slurp(out / "trials.jsonl").size() > 0, true);
}

TEST(Campaign, BugFreeEnginePassesThirtySeedsOfEveryWorkload) {  // ARCHITECTURE.md "Planted bugs"
  TempDir dir;
  const fs::path out = fs::path(dir.path()) / "out";
  const RunReport report = run_ok(small_campaign(1, 30), quiet_run(out, 2));
  const CampaignTotals totals = report.result.totals();
  EXPECT_EQ(totals.trials, 90u);
  EXPECT_EQ(totals.passed, 90u);
  for (const TrialRecord& record : report.result.records) {
    EXPECT_EQ(record.status, TrialStatus::kPass) << record.key.workload << " seed " << record.key.seed << ": "
                                                 << record.headline;
  }
  EXPECT_FALSE(fs::exists(out / "bundles" / "list-append-seed1"));
  EXPECT_EQ(slurp(out / "junit.xml").find("<failure"), std::string::npos);
}

TEST(Campaign, ResumeAfterAKillRunsOnlyTheRest) {  // [run.2], [run.3], [run.4]
  TempDir dir;
  const fs::path whole = fs::path(dir.path()) / "whole";
  const fs::path killed = fs::path(dir.path()) / "killed";
  const CampaignConfig config = write_skew_campaign();
  run_ok(config, quiet_run(whole, 2));
  run_ok(config, quiet_run(killed, 2));
  // The kill: 7 of 18 lines made it, the 8th was cut, the summary never came.
  const std::string log = slurp(killed / "trials.jsonl");
  size_t cut = 0;
  for (int line = 0; line < 7; ++line) cut = log.find('\n', cut) + 1;
  spit(killed / "trials.jsonl", log.substr(0, cut) + log.substr(cut, 40));
  fs::remove(killed / "summary.json");
  fs::remove(killed / "junit.xml");

  RunOptions again = quiet_run(killed, 2);
  EXPECT_FALSE(run_campaign(config, again).ok());  // not empty, no --resume
  again.resume = true;
  const RunReport report = run_ok(config, again);
  EXPECT_EQ(report.resumed, 7u);
  EXPECT_EQ(report.ran, 11u);
  EXPECT_EQ(stable_summary(killed), stable_summary(whole));
  EXPECT_EQ(bundle_files(killed), bundle_files(whole));
  Result<std::vector<TrialRecord>> lines = read_trial_log(killed, /*drop_torn_tail=*/false);
  ASSERT_TRUE(lines.ok()) << lines.status().to_string();  // the torn line is gone, every line whole
  EXPECT_EQ(lines->size(), 18u);

  // A resume with another configuration is refused, naming the difference.
  CampaignConfig other = config;
  other.txns = 151;
  Result<RunReport> refused = run_campaign(other, again);
  ASSERT_FALSE(refused.ok());
  EXPECT_TRUE(refused.status().is(Code::kInvalidArgument));
  EXPECT_NE(refused.status().to_string().find("txns: 150 before, 151 now"), std::string::npos)
      << refused.status().to_string();
}

TEST(Campaign, ATimeBudgetLeavesTrialsNotRunAndResumeFinishesThem) {  // [run.5]
  TempDir dir;
  const fs::path out = fs::path(dir.path()) / "out";
  const CampaignConfig config = small_campaign(1, 4);
  RunOptions options = quiet_run(out, 1);
  options.time_budget_seconds = 1e-9;  // runs out before the first trial starts
  const RunReport cut = run_ok(config, options);
  EXPECT_TRUE(cut.budget_ran_out);
  EXPECT_EQ(cut.result.totals().not_run, 12u);
  EXPECT_TRUE(cut.result.all_passed());
  EXPECT_NE(slurp(out / "junit.xml").find("<skipped"), std::string::npos);
  options.time_budget_seconds.reset();
  options.resume = true;
  const RunReport rest = run_ok(config, options);
  EXPECT_EQ(rest.ran, 12u);
  EXPECT_EQ(rest.result.totals().not_run, 0u);
}

TEST(Campaign, ThreeShardsMergeIntoTheUnshardedCampaign) {  // [merge.2]
  TempDir dir;
  const fs::path root(dir.path());
  const CampaignConfig config = write_skew_campaign();
  run_ok(config, quiet_run(root / "whole", 2));
  std::vector<fs::path> shards;
  for (uint32_t index = 0; index < 3; ++index) {
    CampaignConfig shard = config;
    shard.shard = ShardSpec{index, 3};
    shards.push_back(root / ("shard" + std::to_string(index)));
    const RunReport report = run_ok(shard, quiet_run(shards.back(), 1));
    EXPECT_EQ(report.ran, 6u);  // 2 seeds x 3 workloads
  }
  Result<CampaignResult> merged = merge_campaigns(shards, root / "merged");
  ASSERT_TRUE(merged.ok()) << merged.status().to_string();
  EXPECT_EQ(stable_summary(root / "merged", true), stable_summary(root / "whole", true));
  EXPECT_EQ(stable_junit(root / "merged"), stable_junit(root / "whole"));
  EXPECT_EQ(bundle_files(root / "merged"), bundle_files(root / "whole"));
}

TEST(Campaign, MergeRefusesShardsThatDoNotMakeOneCampaign) {  // [merge.1]
  TempDir dir;
  const fs::path root(dir.path());
  CampaignConfig config = small_campaign(1, 2);
  config.workloads = {"bank"};
  std::vector<fs::path> shards;
  for (uint32_t index = 0; index < 2; ++index) {
    CampaignConfig shard = config;
    shard.shard = ShardSpec{index, 2};
    shards.push_back(root / ("shard" + std::to_string(index)));
    run_ok(shard, quiet_run(shards.back(), 1));
  }
  CampaignConfig other = config;
  other.shard = ShardSpec{1, 2};
  other.faults = "power";
  run_ok(other, quiet_run(root / "other", 1));
  const auto refused = [&](const std::vector<fs::path>& dirs, const std::string& message_part) {
    Result<CampaignResult> merged = merge_campaigns(dirs, root / "merged");
    ASSERT_FALSE(merged.ok()) << message_part;
    EXPECT_TRUE(merged.status().is(Code::kInvalidArgument));
    EXPECT_NE(merged.status().to_string().find(message_part), std::string::npos) << merged.status().to_string();
    EXPECT_FALSE(fs::exists(root / "merged" / "summary.json"));
  };
  refused({shards[0]}, "missing shard(s) 2/2");
  refused({shards[0], shards[0]}, "are both shard 1/2");
  refused({shards[0], root / "other"}, "faults: \"everything\" before, \"power\" now");
  fs::remove(shards[1] / "summary.json");  // an unfinished shard
  refused({shards[0], shards[1]}, "did not finish");
  refused({shards[0], root / "nowhere"}, "no such shard directory");
}

}  // namespace
}  // namespace fl::campaign::testing
