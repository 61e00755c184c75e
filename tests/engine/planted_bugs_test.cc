// The planted-bug catalogue (engine/planted_bugs.h) against the engine: for
// every bug, its scenario (planted_bugs_durability_test.cc,
// planted_bugs_isolation_test.cc) runs with every bug off, where refdb must
// keep its contract ([bugs.2]), and with that one bug on, where the fault
// the scenario injects must make the bug's anomaly observable. This proves
// each bug real and reachable; detecting them from histories is the
// framework's job, tested elsewhere.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>

#include "tests/engine/planted_bugs_util.h"

namespace fl::engine::testing {
namespace {

std::vector<BugScenario> all_scenarios() {
  std::vector<BugScenario> all = durability_scenarios();
  for (BugScenario& scenario : isolation_scenarios()) all.push_back(scenario);
  return all;
}

class PlantedBug : public ::testing::TestWithParam<std::string_view> {};

TEST_P(PlantedBug, CorrectWhenOffAnomalyWhenOn) {
  const std::vector<BugScenario> all = all_scenarios();
  auto scenario = std::find_if(all.begin(), all.end(), [](const BugScenario& s) { return s.bug == GetParam(); });
  ASSERT_NE(scenario, all.end()) << "no scenario exposes planted bug " << GetParam();

  const Findings off = scenario->run(PlantedBugs{});
  EXPECT_TRUE(off.empty()) << "with every bug off, under " << scenario->fault << ", the engine broke its contract:\n"
                           << describe(off);

  const Findings on = scenario->run(only_bug(GetParam()));
  EXPECT_TRUE(has_kind(on, scenario->expected))
      << "with " << GetParam() << " on, under " << scenario->fault << ", no " << scenario->expected
      << " finding:\n"
      << describe(on);
  EXPECT_FALSE(has_kind(on, kScenario)) << "the scenario did not run as scripted with the bug on:\n" << describe(on);
  // What the bug did, in the JUnit/JSON output (--gtest_output).
  RecordProperty("fault", std::string(scenario->fault));
  RecordProperty("anomaly", describe(on));
}

std::string param_name(const ::testing::TestParamInfo<std::string_view>& info) {
  std::string name(info.param);
  std::replace(name.begin(), name.end(), '-', '_');
  return name;
}

INSTANTIATE_TEST_SUITE_P(PlantedBugCatalogue, PlantedBug, ::testing::ValuesIn(kBugNames), param_name);

TEST(PlantedBugCatalogue, EveryBugHasExactlyOneScenario) {
  std::multiset<std::string_view> covered;
  for (const BugScenario& scenario : all_scenarios()) {
    covered.insert(scenario.bug);
    EXPECT_TRUE(parse_bug(scenario.bug).ok()) << "a scenario names an unknown bug: " << scenario.bug;
    EXPECT_FALSE(scenario.expected.empty() || scenario.fault.empty()) << scenario.bug;
    EXPECT_NE(scenario.expected, kScenario) << scenario.bug;
  }
  for (std::string_view name : kBugNames) EXPECT_EQ(covered.count(name), 1u) << name;
  EXPECT_EQ(covered.size(), kBugNames.size());
}

TEST(PlantedBugCatalogue, ParseBugRejectsAnUnknownNameListingTheValidOnes) {
  Result<size_t> parsed = parse_bug("skip-fsyncs");
  ASSERT_FALSE(parsed.ok());
  EXPECT_TRUE(parsed.status().is(Code::kInvalidArgument)) << parsed.status().to_string();
  const std::string message = parsed.status().to_string();
  EXPECT_NE(message.find("'skip-fsyncs'"), std::string::npos) << message;
  for (std::string_view name : kBugNames) EXPECT_NE(message.find(name), std::string::npos) << name << ": " << message;
  for (size_t i = 0; i < kBugNames.size(); ++i) {
    Result<size_t> known = parse_bug(kBugNames[i]);
    ASSERT_TRUE(known.ok()) << kBugNames[i];
    EXPECT_EQ(*known, i);
  }
  EXPECT_FALSE(parse_bug("").ok());
  EXPECT_FALSE(parse_bug("SKIP-FSYNC").ok());
}

TEST(PlantedBugCatalogue, OnlyTheNamedBugIsOn) {
  for (size_t i = 0; i < kBugNames.size(); ++i) {
    const PlantedBugs bugs = only_bug(kBugNames[i]);
    EXPECT_EQ(bugs.describe(), kBugNames[i]);
    for (size_t j = 0; j < kBugNames.size(); ++j) EXPECT_EQ(bugs.on(j), i == j) << kBugNames[i] << " " << j;
  }
  EXPECT_EQ(PlantedBugs{}.describe(), "none");
}

}  // namespace
}  // namespace fl::engine::testing
