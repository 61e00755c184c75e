// Seed ranges, shard specs, shards from CI variables (campaign/seeds.h),
// the time-budget syntax (runner.h), SHA-256 (sha256.h) and XML escaping
// (campaign_summary.h [sum.3]).
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "campaign/campaign_summary.h"
#include "campaign/runner.h"
#include "campaign/seeds.h"
#include "campaign/sha256.h"

namespace fl::campaign {
namespace {

std::vector<SeedRange> ranges(std::string_view text) {
  Result<std::vector<SeedRange>> parsed = parse_seed_ranges(text);
  EXPECT_TRUE(parsed.ok()) << text << ": " << parsed.status().to_string();
  return parsed.ok() ? *parsed : std::vector<SeedRange>{};
}

void expect_bad_seeds(std::string_view text, std::string_view message_part) {
  Result<std::vector<SeedRange>> parsed = parse_seed_ranges(text);
  ASSERT_FALSE(parsed.ok()) << text;
  EXPECT_TRUE(parsed.status().is(Code::kInvalidArgument)) << parsed.status().to_string();
  EXPECT_NE(parsed.status().to_string().find(message_part), std::string::npos) << parsed.status().to_string();
}

TEST(SeedRanges, ParsesRangesSingleSeedsAndLists) {  // [seeds.1]
  EXPECT_EQ(ranges("1..500"), (std::vector<SeedRange>{{1, 500}}));
  EXPECT_EQ(ranges("7"), (std::vector<SeedRange>{{7, 7}}));
  EXPECT_EQ(ranges("1..10,20..30"), (std::vector<SeedRange>{{1, 10}, {20, 30}}));
  EXPECT_EQ(ranges("20..30, 1..10"), (std::vector<SeedRange>{{1, 10}, {20, 30}}));  // sorted
  EXPECT_EQ(ranges("0..0"), (std::vector<SeedRange>{{0, 0}}));
  EXPECT_EQ(ranges("18446744073709551615"), (std::vector<SeedRange>{{UINT64_MAX, UINT64_MAX}}));
  EXPECT_EQ(seed_count(ranges("1..10,20..30,40")), 22u);
  EXPECT_EQ(seed_ranges_text(ranges("1..10,20..30,40")), "1..10,20..30,40");
}

TEST(SeedRanges, RejectsBadInputQuotingIt) {  // [seeds.1]
  expect_bad_seeds("", "no seeds");
  expect_bad_seeds("5..1", "\"5..1\"");
  expect_bad_seeds("1..", "\"1..\"");
  expect_bad_seeds("..5", "\"..5\"");
  expect_bad_seeds("x", "\"x\"");
  expect_bad_seeds("1..5,", "\"\"");
  expect_bad_seeds("-3", "\"-3\"");
  expect_bad_seeds("1...5", "\"1...5\"");
  expect_bad_seeds("18446744073709551616", "\"18446744073709551616\"");  // 2^64
  expect_bad_seeds("1..10,5..20", "overlaps");
  expect_bad_seeds("1..10,10", "overlaps");
  expect_bad_seeds("1..2000000", "more than");
}

TEST(Shard, ParsesOneBasedKOfN) {  // [seeds.2]
  Result<ShardSpec> shard = parse_shard("3/8");
  ASSERT_TRUE(shard.ok());
  EXPECT_EQ(*shard, (ShardSpec{2, 8}));
  EXPECT_EQ(shard_text(*shard), "3/8");
  EXPECT_EQ(*parse_shard("1/1"), (ShardSpec{0, 1}));
}

TEST(Shard, RejectsBadSpecs) {  // [seeds.2]
  for (const char* text : {"0/3", "4/3", "3", "a/b", "1/0", "/3", "1/", "-1/3", "1/20000", ""}) {
    Result<ShardSpec> shard = parse_shard(text);
    ASSERT_FALSE(shard.ok()) << text;
    EXPECT_TRUE(shard.status().is(Code::kInvalidArgument));
    EXPECT_NE(shard.status().to_string().find("--shard"), std::string::npos) << shard.status().to_string();
  }
}

EnvLookup env_of(std::map<std::string, std::string> vars) {
  return [vars](const char* name) -> std::optional<std::string> {
    const auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

TEST(ShardFromEnv, ReadsEachCiConvention) {  // [seeds.3]
  const std::vector<std::pair<std::map<std::string, std::string>, ShardSpec>> cases = {
      {{}, ShardSpec{0, 1}},
      {{{"FAULTLINE_SHARD", "2/4"}}, ShardSpec{1, 4}},
      {{{"JOB_COMPLETION_INDEX", "0"}, {"FAULTLINE_SHARD_COUNT", "3"}}, ShardSpec{0, 3}},
      {{{"CI_NODE_INDEX", "1"}, {"CI_NODE_TOTAL", "5"}}, ShardSpec{0, 5}},  // GitLab: 1-based
      {{{"BUILDKITE_PARALLEL_JOB", "4"}, {"BUILDKITE_PARALLEL_JOB_COUNT", "5"}}, ShardSpec{4, 5}},
      {{{"CIRCLE_NODE_INDEX", "2"}, {"CIRCLE_NODE_TOTAL", "3"}}, ShardSpec{2, 3}},
      // FAULTLINE_SHARD wins over the CI's own variables.
      {{{"FAULTLINE_SHARD", "1/2"}, {"CI_NODE_INDEX", "3"}, {"CI_NODE_TOTAL", "3"}}, ShardSpec{0, 2}},
  };
  for (const auto& [vars, expected] : cases) {
    Result<ShardSource> shard = shard_from_env(env_of(vars));
    ASSERT_TRUE(shard.ok()) << shard.status().to_string();
    EXPECT_EQ(shard->shard, expected) << shard->source;
  }
}

TEST(ShardFromEnv, RejectsHalfSetAndOutOfRangeVariables) {  // [seeds.3]
  const std::vector<std::pair<std::map<std::string, std::string>, std::string>> cases = {
      {{{"JOB_COMPLETION_INDEX", "1"}}, "FAULTLINE_SHARD_COUNT"},
      {{{"JOB_COMPLETION_INDEX", "3"}, {"FAULTLINE_SHARD_COUNT", "3"}}, "out of range"},
      {{{"CI_NODE_INDEX", "0"}, {"CI_NODE_TOTAL", "3"}}, "1-based"},
      {{{"BUILDKITE_PARALLEL_JOB", "x"}, {"BUILDKITE_PARALLEL_JOB_COUNT", "3"}}, "BUILDKITE_PARALLEL_JOB"},
      {{{"FAULTLINE_SHARD", "5/4"}}, "FAULTLINE_SHARD"},
      {{{"CIRCLE_NODE_INDEX", "0"}, {"CIRCLE_NODE_TOTAL", "0"}}, "count"},
  };
  for (const auto& [vars, message_part] : cases) {
    Result<ShardSource> shard = shard_from_env(env_of(vars));
    ASSERT_FALSE(shard.ok()) << message_part;
    EXPECT_TRUE(shard.status().is(Code::kInvalidArgument));
    EXPECT_NE(shard.status().to_string().find(message_part), std::string::npos) << shard.status().to_string();
  }
}

TEST(ShardSeeds, ShardsPartitionTheSeedsEvenly) {  // [seeds.4]
  const std::vector<SeedRange> seeds = ranges("1..10,20..30,40");
  for (uint32_t count = 1; count <= 7; ++count) {
    std::multiset<uint64_t> all;
    size_t smallest = SIZE_MAX, largest = 0;
    for (uint32_t index = 0; index < count; ++index) {
      const std::vector<uint64_t> shard = shard_seeds(seeds, ShardSpec{index, count});
      all.insert(shard.begin(), shard.end());
      smallest = std::min(smallest, shard.size());
      largest = std::max(largest, shard.size());
    }
    const std::vector<uint64_t> whole = shard_seeds(seeds, ShardSpec{});
    EXPECT_EQ(whole.size(), 22u);
    EXPECT_EQ(std::vector<uint64_t>(all.begin(), all.end()), whole) << count << " shards";  // each seed once
    EXPECT_LE(largest - smallest, 1u) << count << " shards";
  }
  // A single range: (s - first) % count, as the format doc says.
  EXPECT_EQ(shard_seeds(ranges("5..14"), ShardSpec{1, 3}), (std::vector<uint64_t>{6, 9, 12}));
  EXPECT_EQ(shard_seeds(ranges("18446744073709551614..18446744073709551615"), ShardSpec{}).size(), 2u);
}

TEST(TimeBudget, ParsesUnitsAndRejectsTheRest) {
  EXPECT_EQ(*parse_time_budget("300s"), 300.0);
  EXPECT_EQ(*parse_time_budget("300"), 300.0);
  EXPECT_EQ(*parse_time_budget("5m"), 300.0);
  EXPECT_EQ(*parse_time_budget("2h"), 7200.0);
  for (const char* text : {"", "0s", "s", "5d", "-5s", "1.5h", "99999999h"}) {
    EXPECT_FALSE(parse_time_budget(text).ok()) << text;
  }
}

TEST(Sha256, MatchesFips180Vectors) {  // [sha.1]
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST(JunitXml, EscapesMarkupQuotesAndControlBytes) {  // [sum.3]
  EXPECT_EQ(xml_escape("a<b>&\"c'"), "a&lt;b&gt;&amp;&quot;c&apos;");
  EXPECT_EQ(xml_escape("line\nnext\ttab"), "line&#10;next&#9;tab");
  EXPECT_EQ(xml_escape(std::string("nul\0bell\x07", 9)), "nul?bell?");
  EXPECT_EQ(xml_escape("G2-item \xce\xbb"), "G2-item \xce\xbb");  // UTF-8 passes through
}

}  // namespace
}  // namespace fl::campaign
