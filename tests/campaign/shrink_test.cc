// `faultline shrink` (campaign/shrink.h): a failing bundle shrinks to a
// smaller one that fails with the same class ([shrink.2]) and replays
// byte-identically ([shrink.7]); the shrink is deterministic ([shrink.5]);
// bad input is kInvalidArgument, exit 2 from the CLI ([shrink.6],
// [shrink-cmd.3]); config.json's plan override reads back ([trial.4]).
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>

#include "campaign/repro_bundle.h"
#include "campaign/shrink.h"
#include "campaign/shrink_regression.h"
#include "tests/campaign/campaign_util.h"

namespace fl::campaign::testing {
namespace {

// write-skew fails list-append seed 1 at 150 txns under `everything`
// (cli_test.cc's failing campaign), in a few ms.
TrialConfig write_skew_trial() {
  TrialConfig config;
  config.workload = "list-append";
  config.seed = 1;
  config.txns = 150;
  config.faults = "everything";
  config.bugs = {"write-skew"};
  return config;
}

// Runs `config` and writes its bundle, as a campaign does for a failure.
TrialRecord write_trial_bundle(const TrialConfig& config, const fs::path& dir) {
  Result<TrialOutput> output = run_trial(config);
  EXPECT_TRUE(output.ok()) << output.status().to_string();
  const TrialEvaluation evaluation = evaluate_trial(config, *output);
  EXPECT_TRUE(write_bundle(dir, config, *output, evaluation).ok());
  return evaluation.record;
}

bool shares_a_member(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  for (const std::string& member : a) {
    if (std::find(b.begin(), b.end(), member) != b.end()) return true;
  }
  return false;
}

class Shrink : public ::testing::Test {
 protected:
  fs::path root() const { return fs::path(dir_.path()); }
  TempDir dir_;
};

TEST_F(Shrink, AFailingBundleShrinksAndStillFailsWithTheSameClass) {
  const fs::path bundle = root() / "bundle";
  const TrialRecord original = write_trial_bundle(write_skew_trial(), bundle);
  ASSERT_EQ(original.status, TrialStatus::kFail) << original.headline;

  Result<ShrinkResult> result = shrink_bundle(bundle, ShrinkOptions{});
  ASSERT_TRUE(result.ok()) << result.status().to_string();
  EXPECT_EQ(result->original_class, failure_class(original));
  EXPECT_FALSE(result->budget_ran_out);
  EXPECT_FALSE(result->trials_ran_out);
  EXPECT_TRUE(result->bug_free_passes);  // write-skew needs the bug: the bug-free engine passes seed 1
  // Smaller in every dimension that matters here, and never larger.
  const ShrinkSize& before = result->original_size;
  const ShrinkSize& after = result->shrunk_size;
  EXPECT_EQ(before, (ShrinkSize{8, 150, 8, 9}));
  EXPECT_LT(after.txns, before.txns);
  EXPECT_LT(after.clients, before.clients);
  EXPECT_LE(after.keys, before.keys);
  EXPECT_LT(after.rules, before.rules);
  EXPECT_FALSE(result->steps.empty());
  EXPECT_EQ(result->steps.back().size, after);
  // [shrink.2]: the shrunk trial fails, in the original's class, and passes without the bug.
  EXPECT_EQ(result->shrunk_record.status, TrialStatus::kFail);
  EXPECT_TRUE(shares_a_member(result->shrunk_class, result->original_class));
  TrialConfig bug_free = result->shrunk;
  bug_free.bugs.clear();
  Result<TrialOutput> clean = run_trial(bug_free);
  ASSERT_TRUE(clean.ok());
  EXPECT_EQ(evaluate_trial(bug_free, *clean).record.status, TrialStatus::kPass);
}

TEST_F(Shrink, TheShrunkBundleReplaysByteIdentically) {
  const fs::path bundle = root() / "bundle";
  write_trial_bundle(write_skew_trial(), bundle);
  Result<ShrinkResult> result = shrink_bundle(bundle, ShrinkOptions{});
  ASSERT_TRUE(result.ok()) << result.status().to_string();
  const fs::path out = root() / "shrunk";
  ASSERT_TRUE(write_shrink_output(*result, out).ok());
  for (const char* file : {"config.json", "plan.json", "history.edn", "verdict.json", "shrink.json",
                           "regression_test.cc"}) {
    EXPECT_TRUE(fs::exists(out / file)) << file;
  }
  // A copy elsewhere replays on its own ([bundle.3]).
  const fs::path copy = root() / "copy";
  fs::copy(out, copy, fs::copy_options::recursive);
  Result<ReproOutcome> replay = replay_bundle(copy);
  ASSERT_TRUE(replay.ok()) << replay.status().to_string();
  EXPECT_TRUE(replay->differences.empty()) << replay->differences.front();
  EXPECT_TRUE(replay->notes.empty());
  EXPECT_EQ(replay->replayed.history_sha256, result->shrunk_record.history_sha256);
  // config.json carries the plan override exactly when the shrink removed rules ([shrink.4]).
  Result<ReproBundle> read = read_repro_bundle(copy);
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(read->config.plan.has_value(), result->shrunk.plan.has_value());
  if (read->config.plan) {
    EXPECT_EQ(*read->config.plan, *result->shrunk.plan);
  }
  const nlohmann::json summary = nlohmann::json::parse(slurp(out / "shrink.json"));
  EXPECT_EQ(summary["shrunk"]["size"]["txns"], result->shrunk_size.txns);
  EXPECT_EQ(summary["steps"].size(), result->steps.size());
  EXPECT_EQ(summary["regression_test"]["name"], "WriteSkew_ListAppend_Seed1");
}

TEST_F(Shrink, IsAPureFunctionOfTheBundle) {
  const fs::path bundle = root() / "bundle";
  write_trial_bundle(write_skew_trial(), bundle);
  Result<ShrinkResult> first = shrink_bundle(bundle, ShrinkOptions{});
  Result<ShrinkResult> second = shrink_bundle(bundle, ShrinkOptions{});
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_EQ(config_json(first->shrunk), config_json(second->shrunk));
  EXPECT_EQ(first->trials, second->trials);
  ASSERT_EQ(first->steps.size(), second->steps.size());
  for (size_t i = 0; i < first->steps.size(); ++i) EXPECT_EQ(first->steps[i].change, second->steps[i].change);
  EXPECT_EQ(regression_test(*first).source, regression_test(*second).source);  // [regr.3]
}

TEST_F(Shrink, ExactClassKeepsTheClassUnchanged) {
  const fs::path bundle = root() / "bundle";
  write_trial_bundle(write_skew_trial(), bundle);
  ShrinkOptions options;
  options.exact_class = true;
  Result<ShrinkResult> result = shrink_bundle(bundle, options);
  ASSERT_TRUE(result.ok()) << result.status().to_string();
  EXPECT_EQ(result->shrunk_class, result->original_class);
  EXPECT_LT(result->shrunk_size.txns, result->original_size.txns);
}

TEST_F(Shrink, TheRegressionTestPinsTheConfigAndTheClass) {
  const fs::path bundle = root() / "bundle";
  write_trial_bundle(write_skew_trial(), bundle);
  Result<ShrinkResult> result = shrink_bundle(bundle, ShrinkOptions{});
  ASSERT_TRUE(result.ok());
  const RegressionTest test = regression_test(*result);
  EXPECT_EQ(test.suite, "PlantedBugRegression");
  EXPECT_EQ(test.name, "WriteSkew_ListAppend_Seed1");
  EXPECT_EQ(test.file_name, "write_skew_list_append_seed1_test.cc");
  const std::string& source = test.source;
  EXPECT_NE(source.find("TEST(PlantedBugRegression, WriteSkew_ListAppend_Seed1)"), std::string::npos) << source;
  EXPECT_NE(source.find("config.txns = " + std::to_string(result->shrunk.txns) + ";"), std::string::npos);
  EXPECT_NE(source.find("config.bugs = {\"write-skew\"};"), std::string::npos);
  EXPECT_NE(source.find("expect_caught_only_with_bugs(config, {"), std::string::npos);
  EXPECT_EQ(source.find("plan_from_json(") != std::string::npos, result->shrunk.plan.has_value());
  EXPECT_EQ(source.find("/tmp"), std::string::npos);  // no paths ([regr.3])
  // A bug-free failure is an engine regression, asserted as a failure only.
  ShrinkResult engine = *result;
  engine.shrunk.bugs.clear();
  engine.bug_free_passes = false;
  const RegressionTest engine_test = regression_test(engine);
  EXPECT_EQ(engine_test.suite, "EngineRegression");
  EXPECT_EQ(engine_test.file_name, "engine_list_append_seed1_test.cc");
  EXPECT_NE(engine_test.source.find("expect_failure(config, {"), std::string::npos);
}

TEST_F(Shrink, BadInputIsInvalidArgumentNamingTheProblem) {
  auto expect_bad = [&](const fs::path& bundle, const std::string& message_part) {
    Result<ShrinkResult> result = shrink_bundle(bundle, ShrinkOptions{});
    ASSERT_FALSE(result.ok()) << bundle;
    EXPECT_TRUE(result.status().is(Code::kInvalidArgument)) << result.status().to_string();
    EXPECT_NE(result.status().to_string().find(message_part), std::string::npos) << result.status().to_string();
  };
  expect_bad(root() / "nothing-here", "no such bundle directory");
  const fs::path bundle = root() / "bundle";
  write_trial_bundle(write_skew_trial(), bundle);
  const std::string config = slurp(bundle / "config.json");
  spit(bundle / "config.json", config.substr(0, config.size() / 2));
  expect_bad(bundle, "config.json: not valid JSON");
  spit(bundle / "config.json", config);
  fs::remove(bundle / "verdict.json");
  expect_bad(bundle, "verdict.json: missing");
  // A bundle whose trial passes (the same trial without its bug).
  TrialConfig passing = write_skew_trial();
  passing.bugs.clear();
  ASSERT_EQ(write_trial_bundle(passing, root() / "passing").status, TrialStatus::kPass);
  expect_bad(root() / "passing", "its replay passes");
  fs::create_directories(root() / "used");
  spit(root() / "used" / "mine.txt", "x");
  EXPECT_TRUE(check_shrink_out_dir(root() / "used").is(Code::kInvalidArgument));
  EXPECT_TRUE(check_shrink_out_dir(root() / "new").ok());
  EXPECT_EQ(default_shrink_out_dir("a/b/list-append-seed1/"), fs::path("a/b/list-append-seed1-shrunk"));
}

TEST(TrialConfigPlan, OldConfigJsonWithoutAPlanStillReads) {
  // A config.json as faultline wrote it before plan overrides ([trial.4]).
  const std::string old = R"({"faultline_version": "0.1.0", "engine": "refdb", "workload": "bank",
    "clients": 8, "txns": 500, "keys": 8, "faults": "everything", "seed": 17, "bugs": [],
    "isolation": "serializable", "durability": "full"})";
  Result<TrialConfig> config = parse_trial_config(old, "config.json", nullptr);
  ASSERT_TRUE(config.ok()) << config.status().to_string();
  EXPECT_FALSE(config->plan.has_value());
  EXPECT_EQ(config_json(*config).find("\"plan\""), std::string::npos);  // and writes none
}

TEST(TrialConfigPlan, APlanOverrideRoundTripsAndIsValidated) {
  TrialConfig config = write_skew_trial();
  Result<faultvfs::FaultPlan> plan = effective_plan(config);
  ASSERT_TRUE(plan.ok());
  ASSERT_GE(plan->rules.size(), 2u);
  plan->rules.erase(plan->rules.begin());
  plan->rules.front().times_max = 1;
  config.plan = *plan;
  Result<TrialConfig> read = parse_trial_config(config_json(config), "config.json", nullptr);
  ASSERT_TRUE(read.ok()) << read.status().to_string();
  ASSERT_TRUE(read->plan.has_value());
  EXPECT_EQ(*read->plan, *plan);
  EXPECT_EQ(config_json(*read), config_json(config));
  // The override is what runs: the history says :faults "custom" and the plan is ours.
  Result<TrialOutput> output = run_trial(config);
  ASSERT_TRUE(output.ok());
  EXPECT_EQ(output->sim.plan, *plan);
  // A bad plan is named by its field.
  std::string text = config_json(config);
  text.replace(text.find("\"sector_size_bytes\": 512"), 24, "\"sector_size_bytes\": 513");
  Result<TrialConfig> bad = parse_trial_config(text, "config.json", nullptr);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().to_string().find("config.json: plan: "), std::string::npos) << bad.status().to_string();
  EXPECT_NE(bad.status().to_string().find("sector_size_bytes"), std::string::npos) << bad.status().to_string();
}

TEST(FailureClass, IsTheAnomalyTypesElseTheEngineFindingKinds) {
  TrialRecord record;
  record.status = TrialStatus::kFail;
  record.anomaly_types = {"G2-item", "lost-write"};
  record.findings = {"integrity (epoch 1): bad page"};
  EXPECT_EQ(failure_class(record), (std::vector<std::string>{"G2-item", "lost-write"}));
  record.anomaly_types.clear();
  record.findings = {"unavailable (epoch 2): device", "recovery (epoch 3): x", "integrity (epoch 1): y",
                     "integrity (epoch 4): z"};
  EXPECT_EQ(failure_class(record), (std::vector<std::string>{"integrity", "recovery"}));
  record.status = TrialStatus::kPass;
  EXPECT_TRUE(failure_class(record).empty());
}

class ShrinkCli : public Shrink {
 protected:
  int faultline(const std::string& args) {
    const std::string command = std::string(FAULTLINE_BINARY) + " " + args + " > '" + (root() / "out.txt").string() +
                                "' 2> '" + (root() / "err.txt").string() + "'";
    const int status = std::system(command.c_str());
    EXPECT_TRUE(WIFEXITED(status)) << command;
    out_ = slurp(root() / "out.txt");
    err_ = slurp(root() / "err.txt");
    return WEXITSTATUS(status);
  }
  std::string out_, err_;
};

TEST_F(ShrinkCli, ShrinksIntoBundleShrunkAndPrintsTheSteps) {
  const fs::path bundle = root() / "list-append-seed1";
  write_trial_bundle(write_skew_trial(), bundle);
  EXPECT_EQ(faultline("shrink " + bundle.string() + " --quiet"), 0) << out_ << err_;
  EXPECT_EQ(err_, "");
  const fs::path out = root() / "list-append-seed1-shrunk";
  EXPECT_TRUE(fs::exists(out / "regression_test.cc"));
  EXPECT_NE(out_.find("original: 8 clients, 150 txns, 8 keys, 9 rules"), std::string::npos) << out_;
  EXPECT_NE(out_.find("step 1: "), std::string::npos) << out_;
  EXPECT_NE(out_.find("TEST(PlantedBugRegression, WriteSkew_ListAppend_Seed1)"), std::string::npos) << out_;
  EXPECT_EQ(faultline("repro " + out.string()), 0) << out_ << err_;
  // The output directory is not overwritten.
  EXPECT_EQ(faultline("shrink " + bundle.string()), 2);
  EXPECT_NE(err_.find("is not empty"), std::string::npos) << err_;
}

TEST_F(ShrinkCli, BadInputIsExitTwo) {
  EXPECT_EQ(faultline("shrink " + (root() / "no-bundle").string()), 2);
  EXPECT_NE(err_.find("no such bundle directory"), std::string::npos) << err_;
  TrialConfig passing = write_skew_trial();
  passing.bugs.clear();
  write_trial_bundle(passing, root() / "passing");
  EXPECT_EQ(faultline("shrink " + (root() / "passing").string() + " --out " + (root() / "o").string()), 2);
  EXPECT_NE(err_.find("its replay passes"), std::string::npos) << err_;
  EXPECT_FALSE(fs::exists(root() / "o"));
  EXPECT_EQ(faultline("shrink " + (root() / "passing").string() + " --time-budget 0s"), 2);
  EXPECT_NE(err_.find("--time-budget"), std::string::npos) << err_;
}

}  // namespace
}  // namespace fl::campaign::testing
