// `faultline zoo` (campaign/zoo.h, tools/zoo_cmd.h): the rows it runs, its
// bad input, and one small matrix through the built binary (FAULTLINE_BINARY):
// the bug-free engine for a one-second budget plus two bugs the default
// campaign catches at seed 1, checked in the printed table and in zoo.json,
// with each detecting trial's bundle on disk.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>
#include <sstream>

#include "campaign/zoo.h"
#include "engine/planted_bugs.h"
#include "tests/campaign/campaign_util.h"

namespace fl::campaign::testing {
namespace {

TEST(Zoo, RowsAreNoneThenEveryPlantedBug) {
  const std::vector<std::string> rows = zoo_all_rows();
  ASSERT_EQ(rows.size(), engine::kBugNames.size() + 1);
  EXPECT_EQ(rows.front(), "none");
  for (size_t i = 0; i < engine::kBugNames.size(); ++i) EXPECT_EQ(rows[i + 1], engine::kBugNames[i]);
}

TEST(Zoo, EveryBugRowPlantsItsBugAndNothingElse) {
  for (std::string_view bug : engine::kBugNames) {
    const std::vector<ZooAttempt> attempts = zoo_attempts(bug);
    ASSERT_FALSE(attempts.empty()) << bug;
    for (const ZooAttempt& attempt : attempts) {
      EXPECT_EQ(attempt.config.bugs, std::vector<std::string>{std::string(bug)}) << bug << " " << attempt.label;
      EXPECT_TRUE(validate_campaign(attempt.config).ok()) << bug << " " << attempt.label;
      EXPECT_FALSE(attempt.label.empty()) << bug;
    }
  }
  // A bug without an entry in the per-bug list runs the default campaign.
  const std::vector<ZooAttempt> skew = zoo_attempts("write-skew");
  ASSERT_EQ(skew.size(), 1u);
  EXPECT_EQ(skew.front().label, "default");
  CampaignConfig expected;
  expected.bugs = {"write-skew"};
  EXPECT_EQ(skew.front().config, expected);
}

TEST(Zoo, BadOptionsAreInvalidArgument) {
  TempDir dir;
  const auto invalid = [](const ZooOptions& options) {
    return validate_zoo(options).is(Code::kInvalidArgument);
  };
  ZooOptions options;
  EXPECT_TRUE(validate_zoo(options).ok());
  options.rows = {"none", "no-such-bug"};
  EXPECT_TRUE(invalid(options));
  options.rows = {"write-skew", "write-skew"};
  EXPECT_TRUE(invalid(options));
  options.rows = {};
  EXPECT_TRUE(invalid(options));
  options.rows = {"none"};
  options.budget_seconds = 0;
  EXPECT_TRUE(invalid(options));
  options.budget_seconds = 1;
  options.jobs = 0;
  EXPECT_TRUE(invalid(options));
  options.jobs = 1;
  spit(fs::path(dir.path()) / "occupied", "x");
  options.out_dir = fs::path(dir.path());
  EXPECT_TRUE(invalid(options));
}

TEST(Zoo, ResultPassesOnlyWhenNoneIsCleanAndEveryBugDetected) {
  ZooResult result;
  result.rows.resize(2);
  result.rows[0].bug = "none";
  result.rows[1].bug = "write-skew";
  result.rows[1].detected = true;
  EXPECT_TRUE(result.passed());
  result.rows[0].detected = true;
  EXPECT_FALSE(result.passed());
  result.rows[0].detected = false;
  result.rows[1].detected = false;
  EXPECT_FALSE(result.passed());
}

// [zoo.7] A failure the bug-free engine shows too is not the bug's
// detection: the table says "no*" and names the trial.
TEST(Zoo, FailureThatAlsoFailsBugFreeIsNotADetection) {
  ZooResult result;
  result.rows.resize(2);
  result.rows[0].bug = "none";
  result.rows[1].bug = "leak-on-rollback";
  result.rows[1].fails_bug_free = TrialKey{1894, "rw-register"};
  EXPECT_FALSE(result.passed());
  const std::string table = zoo_table(result);
  EXPECT_NE(table.find("leak-on-rollback  no*"), std::string::npos) << table;
  EXPECT_NE(table.find("no*: leak-on-rollback's first failing trial (rw-register seed 1894) fails on the bug-free "
                       "engine too"),
            std::string::npos)
      << table;
  EXPECT_NE(zoo_json(result).find("\"fails_bug_free\""), std::string::npos);
}

class ZooCli : public ::testing::Test {
 protected:
  fs::path root() const { return fs::path(dir_.path()); }

  int faultline(const std::string& args) {
    const std::string command = std::string(FAULTLINE_BINARY) + " " + args + " > '" + (root() / "out.txt").string() +
                                "' 2> '" + (root() / "err.txt").string() + "'";
    const int status = std::system(command.c_str());
    EXPECT_TRUE(WIFEXITED(status)) << command;
    out_ = slurp(root() / "out.txt");
    err_ = slurp(root() / "err.txt");
    return WEXITSTATUS(status);
  }

  TempDir dir_;
  std::string out_, err_;
};

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

std::vector<std::string> words_of(const std::string& line) {
  std::vector<std::string> words;
  std::istringstream in(line);
  for (std::string word; in >> word;) words.push_back(word);
  return words;
}

// write-skew (G2-item) and skip-fsync (lost-write): both caught by the
// default campaign's first list-append trial (measured): the run stays well under 10 s even
// under ASan (one second of `none`, then a trial or two per bug).
constexpr const char* kSeedOneBugs[] = {"write-skew", "skip-fsync"};

TEST_F(ZooCli, SmallMatrixTableJsonAndBundles) {
  const fs::path out = root() / "zoo";
  const std::string bugs = std::string("none,") + kSeedOneBugs[0] + "," + kSeedOneBugs[1];
  ASSERT_EQ(faultline("zoo --budget 1s --shrink-budget 20s --jobs 2 --bugs " + bugs + " --out " + out.string()), 0)
      << out_ << err_;

  // The table: a header, then one row per name, beginning with it.
  const std::vector<std::string> lines = lines_of(out_);
  ASSERT_GE(lines.size(), 4u) << out_;
  EXPECT_EQ(words_of(lines[0]), (std::vector<std::string>{"bug", "detected", "seeds", "trials", "seconds", "anomaly",
                                                          "class", "shrunk", "size", "campaign"}))
      << out_;
  const std::vector<std::string> none = words_of(lines[1]);
  ASSERT_GE(none.size(), 8u) << lines[1];
  EXPECT_EQ(none[0], "none");
  EXPECT_EQ(none[1], "no");
  EXPECT_GE(std::stoull(none[2]), 1u) << "the bug-free row covered no seed: " << lines[1];
  EXPECT_GE(std::stod(none[4]), 1.0) << "the bug-free row must run its whole budget: " << lines[1];
  for (size_t i = 0; i < 2; ++i) {
    const std::vector<std::string> row = words_of(lines[2 + i]);
    // bug detected seeds trials seconds class, then the shrunk size ("2 clients,
    // 17 txns, 8 keys, 0 rules", [zoo.8]) and the campaign.
    ASSERT_GE(row.size(), 15u) << lines[2 + i];
    EXPECT_EQ(row[0], kSeedOneBugs[i]);
    EXPECT_EQ(row[1], "yes");
    EXPECT_EQ(row[2], "1") << "caught at seed 1: " << lines[2 + i];
    EXPECT_NE(row[5], "-");
    EXPECT_TRUE(row[7].rfind("client", 0) == 0 && row[9].rfind("txn", 0) == 0 && row[11].rfind("key", 0) == 0 &&
                row[13].rfind("rule", 0) == 0)
        << "shrunk size: " << lines[2 + i];
    EXPECT_EQ(row.back(), "default");
  }
  EXPECT_NE(out_.find("shrunk size: the detecting trial after `faultline shrink`"), std::string::npos) << out_;
  EXPECT_NE(out_.find("none: 0 failures in "), std::string::npos) << out_;
  EXPECT_NE(out_.find("zoo: PASS: 2/2 bugs detected"), std::string::npos) << out_;

  // zoo.json: the same matrix; each detecting trial's bundle exists.
  const nlohmann::json j = nlohmann::json::parse(slurp(out / "zoo.json"));
  EXPECT_EQ(j["passed"], true);
  EXPECT_EQ(j["budget_seconds"], 1.0);
  EXPECT_EQ(j["jobs"], 2);
  ASSERT_EQ(j["rows"].size(), 3u);
  EXPECT_EQ(j["rows"][0]["bug"], "none");
  EXPECT_EQ(j["rows"][0]["detected"], false);
  EXPECT_EQ(j["rows"][0]["failures"], 0);
  EXPECT_TRUE(j["rows"][0]["bundle"].is_null());
  EXPECT_TRUE(j["rows"][0]["failing_trial"].is_null());
  EXPECT_GE(j["rows"][0]["seconds"].get<double>(), 1.0);
  for (size_t i = 0; i < 2; ++i) {
    const nlohmann::json& row = j["rows"][i + 1];
    EXPECT_EQ(row["bug"], kSeedOneBugs[i]);
    EXPECT_EQ(row["detected"], true);
    EXPECT_EQ(row["seeds"], 1);
    EXPECT_EQ(row["failing_trial"]["seed"], 1);
    EXPECT_FALSE(row["anomaly_class"].empty());
    ASSERT_TRUE(row["shrunk_size"].is_string()) << row.dump();
    ASSERT_TRUE(row["shrunk_bundle"].is_string()) << row.dump();
    const fs::path shrunk = out / row["shrunk_bundle"].get<std::string>();
    EXPECT_TRUE(fs::exists(shrunk / "config.json")) << shrunk;
    EXPECT_TRUE(fs::exists(shrunk / "regression_test.cc")) << shrunk;
    ASSERT_TRUE(row["bundle"].is_string()) << row.dump();
    const fs::path bundle = out / row["bundle"].get<std::string>();
    EXPECT_TRUE(fs::exists(bundle / "config.json")) << bundle;
    EXPECT_TRUE(fs::exists(bundle / "verdict.json")) << bundle;
    EXPECT_EQ(bundle.string().rfind((out / kSeedOneBugs[i]).string(), 0), 0u) << bundle;
    const nlohmann::json config = nlohmann::json::parse(slurp(bundle / "config.json"));
    EXPECT_EQ(config["bugs"], nlohmann::json::array({kSeedOneBugs[i]}));
  }
}

TEST_F(ZooCli, BadInputIsExitTwoWithAMessage) {
  const fs::path occupied = root() / "occupied";
  fs::create_directories(occupied);
  spit(occupied / "file", "x");
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"zoo --budget 0s", "--budget"},
      {"zoo --budget soon", "--budget"},
      {"zoo --budget 5y", "--budget"},
      {"zoo --budget 1s --bugs none,no-such-bug", "no-such-bug"},
      {"zoo --budget 1s --bugs write-skew,write-skew", "twice"},
      {"zoo --budget 1s --jobs 0", "--jobs"},
      {"zoo --budget 1s --bugs none --out " + occupied.string(), "not an empty directory"},
  };
  for (const auto& [args, message] : cases) {
    EXPECT_EQ(faultline(args), 2) << args << "\n" << out_ << err_;
    EXPECT_NE(err_.find(message), std::string::npos) << args << ": " << err_;
    EXPECT_EQ(out_, "") << args;
  }
}

}  // namespace
}  // namespace fl::campaign::testing
