// Fault plans: parsing, validation messages, round trips, profiles, globs.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <cerrno>

#include "faultvfs/fault_plan.h"

namespace fl::faultvfs {
namespace {

constexpr std::string_view kExamplePlan = R"({
  "version": 1,
  "seed": 42,
  "sector_size_bytes": 4096,
  "fsync": "revert",
  "meta_order": "global",
  "size_before_data": true,
  "evict_unwritten": [1, 100],
  "drop_unseen_error": [0, 1],
  "capacity_bytes": 1048576,
  "rules": [
    {"when": {"op": "sync", "path": "db/*.wal", "phase": "wal.sync", "nth": 2}, "do": {"action": "fail", "errno": "EIO"}},
    {"when": {"op": "write", "after_op": 100, "probability": [1, 50]}, "do": {"action": "short-write"}, "times": 3},
    {"when": {"phase": "checkpoint"}, "do": {"action": "crash", "kind": "power"}},
    {"do": {"action": "corrupt", "bits": 2}}
  ]
})";

TEST(FaultPlan, ParsesEveryField) {
  auto plan = parse_fault_plan(kExamplePlan);
  ASSERT_TRUE(plan.ok()) << plan.status().to_string();
  EXPECT_EQ(plan->seed, 42u);
  EXPECT_EQ(plan->sector_size_bytes, 4096u);
  EXPECT_EQ(plan->fsync, FsyncSemantics::kRevert);
  EXPECT_EQ(plan->meta_order, MetaOrder::kGlobal);
  EXPECT_TRUE(plan->size_before_data);
  EXPECT_EQ(plan->evict_unwritten, (Ratio{1, 100}));
  EXPECT_EQ(plan->drop_unseen_error, (Ratio{0, 1}));
  EXPECT_EQ(plan->capacity_bytes, std::optional<uint64_t>(1048576));
  ASSERT_EQ(plan->rules.size(), 4u);
  const Rule& first = plan->rules[0];
  EXPECT_EQ(first.when.op, std::optional<OpKind>(OpKind::kSync));
  EXPECT_EQ(first.when.path, std::optional<std::string>("db/*.wal"));
  EXPECT_EQ(first.when.phase, std::optional<Phase>(Phase::kWalSync));
  EXPECT_EQ(first.when.nth, std::optional<uint64_t>(2));
  EXPECT_EQ(first.action.kind, ActionKind::kFail);
  EXPECT_EQ(first.action.err, EIO);
  EXPECT_EQ(plan->rules[1].times_max, std::optional<uint64_t>(3));
  EXPECT_EQ(plan->rules[1].when.probability, std::optional<Ratio>(Ratio{1, 50}));
  EXPECT_EQ(plan->rules[2].action.crash, CrashKind::kPower);
  EXPECT_EQ(plan->rules[3].action.bits, 2u);
  EXPECT_FALSE(plan->rules[3].when.op.has_value());
}

TEST(FaultPlan, EmptyObjectIsTheDefaultPlan) {
  auto plan = parse_fault_plan("{}");
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(*plan, FaultPlan{});
}

TEST(FaultPlan, RoundTripsThroughJson) {
  auto plan = parse_fault_plan(kExamplePlan);
  ASSERT_TRUE(plan.ok());
  auto again = parse_fault_plan(to_json(*plan));
  ASSERT_TRUE(again.ok()) << again.status().to_string();
  EXPECT_EQ(*again, *plan);
}

struct BadPlan {
  std::string json;
  std::string field;  // must appear in the message
};

TEST(FaultPlan, RejectsBadInputNamingTheField) {
  const std::vector<BadPlan> cases = {
      {"", "malformed JSON"},
      {R"({"version": 11111111111E1111141111111111})", "malformed JSON"},  // found by fault_plan_fuzz
      {"{", "malformed JSON"},
      {"[]", "plan"},
      {R"({"bogus": 1})", "plan.bogus"},
      {R"({"version": 2})", "version"},
      {R"({"seed": -1})", "seed"},
      {R"({"seed": "x"})", "seed"},
      {R"({"sector_size_bytes": 1000})", "sector_size_bytes"},
      {R"({"sector_size_bytes": 256})", "sector_size_bytes"},
      {R"({"fsync": "xfs"})", "fsync"},
      {R"({"meta_order": "random"})", "meta_order"},
      {R"({"size_before_data": 1})", "size_before_data"},
      {R"({"evict_unwritten": [2, 1]})", "evict_unwritten"},
      {R"({"evict_unwritten": [1, 0]})", "evict_unwritten"},
      {R"({"drop_unseen_error": [1]})", "drop_unseen_error"},
      {R"({"rules": {}})", "rules"},
      {R"({"rules": [{}]})", "rules[0].do"},
      {R"({"rules": [{"do": {"action": "explode"}}]})", "rules[0].do.action"},
      {R"({"rules": [{"do": {"action": "fail", "errno": "EPERM"}}]})", "rules[0].do.errno"},
      {R"({"rules": [{"do": {"action": "crash"}}]})", "rules[0].do.kind"},
      {R"({"rules": [{"do": {"action": "crash", "kind": "meteor"}}]})", "rules[0].do.kind"},
      {R"({"rules": [{"do": {"action": "corrupt", "bits": 0}}]})", "rules[0].do.bits"},
      {R"({"rules": [{"do": {"action": "fail", "bits": 3}}]})", "rules[0].do.bits"},
      {R"({"rules": [{"when": {"op": "fsync"}, "do": {"action": "fail"}}]})", "rules[0].when.op"},
      {R"({"rules": [{"do": {"action": "fail"}}, {"when": {"phase": "checkpoint.cpy"}, "do": {"action": "fail"}}]})",
       "rules[1].when.phase"},
      {R"({"rules": [{"when": {"nth": 0}, "do": {"action": "fail"}}]})", "rules[0].when.nth"},
      {R"({"rules": [{"when": {"path": ""}, "do": {"action": "fail"}}]})", "rules[0].when.path"},
      {R"({"rules": [{"when": {"op": "sync"}, "do": {"action": "short-write"}}]})", "rules[0].when.op"},
      {R"({"rules": [{"do": {"action": "fail"}, "times": 0}]})", "rules[0].times"},
      {R"({"rules": [{"when": {"colour": "red"}, "do": {"action": "fail"}}]})", "rules[0].when.colour"},
  };
  for (const BadPlan& bad : cases) {
    auto plan = parse_fault_plan(bad.json);
    ASSERT_FALSE(plan.ok()) << bad.json;
    EXPECT_EQ(plan.status().code(), Code::kInvalidArgument) << bad.json;
    EXPECT_NE(plan.status().to_string().find(bad.field), std::string::npos)
        << bad.json << " -> " << plan.status().to_string();
  }
}

TEST(FaultPlan, UnknownPhaseListsTheKnownOnes) {
  auto plan = parse_fault_plan(R"({"rules": [{"when": {"phase": "checkpoint.cpy"}, "do": {"action": "fail"}}]})");
  ASSERT_FALSE(plan.ok());
  EXPECT_NE(plan.status().to_string().find("checkpoint.copy"), std::string::npos) << plan.status().to_string();
}

TEST(FaultProfiles, EveryProfileGeneratesAValidDeterministicPlan) {
  for (std::string_view name : kFaultProfileNames) {
    auto a = generate_fault_plan(name, 7);
    auto b = generate_fault_plan(name, 7);
    ASSERT_TRUE(a.ok()) << name;
    EXPECT_EQ(*a, *b) << name;
    EXPECT_TRUE(validate_fault_plan(*a).ok()) << name;
    auto again = parse_fault_plan(to_json(*a));
    ASSERT_TRUE(again.ok()) << name;
    EXPECT_EQ(*again, *a) << name;
    EXPECT_EQ(a->rules.empty(), name == "none") << name;
  }
  auto unknown = generate_fault_plan("power-loss", 1);
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.status().to_string().find("everything"), std::string::npos);
}

TEST(Glob, MatchesWithinAndAcrossComponents) {
  EXPECT_TRUE(glob_match("*.wal", "x.wal"));
  EXPECT_FALSE(glob_match("*.wal", "db/x.wal"));
  EXPECT_TRUE(glob_match("db/*.wal", "db/x.wal"));
  EXPECT_TRUE(glob_match("**.wal", "db/sub/x.wal"));
  EXPECT_TRUE(glob_match("**/x.wal", "db/sub/x.wal"));
  EXPECT_TRUE(glob_match("db/**", "db/a/b"));
  EXPECT_TRUE(glob_match("?", "a"));
  EXPECT_FALSE(glob_match("?", "/"));
  EXPECT_FALSE(glob_match("?", "ab"));
  EXPECT_TRUE(glob_match("a*b*c", "aXbYc"));
  EXPECT_FALSE(glob_match("a*b*c", "aXbY"));
  EXPECT_TRUE(glob_match("*", ""));
  EXPECT_FALSE(glob_match("", "a"));
}

RC_GTEST_PROP(FaultPlanProp, RandomPlansRoundTrip, ()) {
  FaultPlan plan;
  plan.seed = *rc::gen::arbitrary<uint64_t>();
  plan.sector_size_bytes = 512u << *rc::gen::inRange(0, 8);
  plan.fsync = *rc::gen::element(FsyncSemantics::kExt4, FsyncSemantics::kRevert, FsyncSemantics::kRetry);
  plan.meta_order = *rc::gen::element(MetaOrder::kPerDirectory, MetaOrder::kGlobal);
  plan.size_before_data = *rc::gen::arbitrary<bool>();
  uint64_t den = *rc::gen::inRange<uint64_t>(1, 1000);
  plan.evict_unwritten = Ratio{*rc::gen::inRange<uint64_t>(0, den + 1), den};
  if (*rc::gen::arbitrary<bool>()) plan.capacity_bytes = *rc::gen::arbitrary<uint32_t>();
  const int rules = *rc::gen::inRange(0, 6);
  for (int i = 0; i < rules; ++i) {
    Rule rule;
    rule.action.kind = *rc::gen::element(ActionKind::kFail, ActionKind::kCrash, ActionKind::kCorrupt,
                                         ActionKind::kWritebackError, ActionKind::kShortWrite);
    if (rule.action.kind == ActionKind::kFail) rule.action.err = *rc::gen::element(EIO, ENOSPC);
    if (rule.action.kind == ActionKind::kCrash) rule.action.crash = *rc::gen::element(CrashKind::kPower, CrashKind::kProcess);
    if (rule.action.kind == ActionKind::kCorrupt) rule.action.bits = *rc::gen::inRange<uint32_t>(1, 65);
    if (rule.action.kind == ActionKind::kShortWrite) {
      rule.when.op = OpKind::kWrite;
    } else if (*rc::gen::arbitrary<bool>()) {
      rule.when.op = static_cast<OpKind>(*rc::gen::inRange(0, static_cast<int>(OpKind::kCount)));
    }
    if (*rc::gen::arbitrary<bool>()) rule.when.path = *rc::gen::element<std::string>("*", "db/*.wal", "**");
    if (*rc::gen::arbitrary<bool>()) rule.when.phase = static_cast<Phase>(*rc::gen::inRange(0, static_cast<int>(Phase::kCount)));
    if (*rc::gen::arbitrary<bool>()) rule.when.nth = *rc::gen::inRange<uint64_t>(1, 100);
    if (*rc::gen::arbitrary<bool>()) rule.when.after_op = *rc::gen::arbitrary<uint32_t>();
    if (*rc::gen::arbitrary<bool>()) rule.when.probability = Ratio{1, *rc::gen::inRange<uint64_t>(1, 100)};
    if (*rc::gen::arbitrary<bool>()) rule.times_max = *rc::gen::inRange<uint64_t>(1, 10);
    plan.rules.push_back(rule);
  }
  RC_ASSERT(validate_fault_plan(plan).ok());
  auto parsed = parse_fault_plan(to_json(plan));
  RC_ASSERT(parsed.ok());
  RC_ASSERT(*parsed == plan);
}

RC_GTEST_PROP(FaultPlanProp, ArbitraryTextNeverCrashesTheParser, (const std::string& text)) {
  auto plan = parse_fault_plan(text);
  if (!plan.ok()) RC_ASSERT(plan.status().code() == Code::kInvalidArgument);
}

}  // namespace
}  // namespace fl::faultvfs
