// Write, read and corruption faults, phases and the fault log.
#include <gtest/gtest.h>

#include <cerrno>

#include "faultvfs/phase.h"
#include "tests/faultvfs/fault_util.h"

namespace fl::faultvfs::testing {
namespace {

using Images = std::set<std::map<std::string, std::string>>;

TEST(WriteFaults, EioWritesNothing) {
  FaultPlan plan;
  plan.rules.push_back(make_rule(Selector{.op = OpKind::kWrite, .nth = 2}, Action{.kind = ActionKind::kFail, .err = EIO}));
  Rig rig(plan);
  auto file = rig.open("f");
  rig.write(*file, 0, "1234");
  auto failed = file->write(2, as_bytes("xxxxxx"));
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.status().code(), Code::kIoError);
  EXPECT_EQ(*file->size(), 4u);
  EXPECT_EQ(rig.read(*file, 0, 10), "1234");
}

TEST(WriteFaults, EnospcIsItsOwnCode) {
  FaultPlan plan;
  plan.rules.push_back(make_rule(Selector{.op = OpKind::kWrite}, Action{.kind = ActionKind::kFail, .err = ENOSPC}));
  Rig rig(plan);
  auto file = rig.open("f");
  auto failed = file->write(0, as_bytes("x"));
  EXPECT_EQ(failed.status().code(), Code::kNoSpace);
  EXPECT_TRUE(failed.status().injected());
}

TEST(WriteFaults, CapacityLimitsGrowthNotOverwrites) {
  FaultPlan plan;
  plan.capacity_bytes = 1000;
  Rig rig(plan);
  auto file = rig.open("f");
  rig.write(*file, 0, repeat('a', 1000));
  EXPECT_EQ(file->write(1000, as_bytes("b")).status().code(), Code::kNoSpace);
  rig.write(*file, 0, repeat('c', 1000));  // rewriting in place needs no space
  EXPECT_EQ(file->truncate(1001).code(), Code::kNoSpace);
  ASSERT_TRUE(file->truncate(10).ok());
  rig.write(*file, 10, "d");
}

TEST(WriteFaults, EmptyWriteNeedsNoSpace) {
  FaultPlan plan;
  plan.capacity_bytes = 10;
  Rig rig(plan);
  auto file = rig.open("f");
  auto wrote = file->write(1000, {});
  ASSERT_TRUE(wrote.ok()) << wrote.status().to_string();
  EXPECT_EQ(*wrote, 0u);
  EXPECT_EQ(*file->size(), 0u);
}

TEST(WriteFaults, ShortWriteWritesExactlyThePrefixItReports) {
  FaultPlan plan;
  plan.seed = 3;
  plan.rules.push_back(make_rule(Selector{.op = OpKind::kWrite}, Action{.kind = ActionKind::kShortWrite}, 1));
  Rig rig(plan);
  auto file = rig.open("f");
  std::string data = "0123456789abcdef";
  auto wrote = file->write(0, as_bytes(data));
  ASSERT_TRUE(wrote.ok());
  ASSERT_GT(*wrote, 0u);
  ASSERT_LT(*wrote, data.size());
  EXPECT_EQ(*file->size(), *wrote);
  EXPECT_EQ(rig.read(*file, 0, 100), data.substr(0, *wrote));
}

TEST(ReadFaults, LatentSectorErrorLastsUntilRewritten) {
  FaultPlan plan;
  plan.rules.push_back(make_rule(Selector{.op = OpKind::kRead, .nth = 1}, Action{.kind = ActionKind::kFail, .err = EIO}));
  Rig rig(plan);
  auto file = rig.open("f");
  rig.write(*file, 0, repeat('a', 2048));
  ASSERT_TRUE(file->sync().ok());
  ASSERT_TRUE(rig.vfs->sync_dir("").ok());
  Bytes out(100);
  EXPECT_EQ(file->read(600, out).status().err(), EIO);   // sector 1 goes bad
  EXPECT_EQ(file->read(512, out).status().err(), EIO);   // and stays bad
  EXPECT_TRUE(file->read(0, out).ok());                  // sector 0 is fine
  EXPECT_TRUE(file->read(1024, out).ok());               // so is sector 2
  rig.write(*file, 512, repeat('b', 512));               // the cache serves it now
  EXPECT_EQ(rig.read(*file, 600, 4), "bbbb");
  ASSERT_TRUE(file->sync().ok());                        // rewritten on the disk: remapped
  EXPECT_EQ(rig.read(*file, 600, 4), "bbbb");
  ASSERT_TRUE(rig.vfs->crash(CrashKind::kPower).ok());
  auto reopened = rig.open("f", OpenMode::kMustExist);
  EXPECT_EQ(rig.read(*reopened, 510, 4), std::string("aabb"));
}

TEST(ReadFaults, LatentErrorSurvivesACrashUnlessTheRewriteReachedTheDisk) {
  std::set<bool> outcomes;
  for (uint64_t seed = 1; seed <= 16; ++seed) {
    FaultPlan plan;
    plan.seed = seed;
    plan.rules.push_back(make_rule(Selector{.op = OpKind::kRead, .nth = 1}, Action{.kind = ActionKind::kFail, .err = EIO}));
    Rig rig(plan);
    auto file = rig.open("f");
    rig.write(*file, 0, repeat('a', 1024));
    ASSERT_TRUE(file->sync().ok());
    ASSERT_TRUE(rig.vfs->sync_dir("").ok());
    Bytes out(10);
    EXPECT_FALSE(file->read(0, out).ok());
    rig.write(*file, 0, repeat('b', 512));  // pending only
    file.reset();
    ASSERT_TRUE(rig.vfs->crash(CrashKind::kPower).ok());
    const bool rewritten = rig.backend.image().files.at("f")[0] == 'b';
    outcomes.insert(rewritten);
    auto reopened = rig.open("f", OpenMode::kMustExist);
    Bytes sector(512);
    Result<size_t> got = reopened->read(0, sector);
    EXPECT_EQ(got.ok(), rewritten) << "seed " << seed;
    if (!got.ok()) {
      EXPECT_EQ(got.status().err(), EIO);
    }
    EXPECT_TRUE(reopened->read(512, sector).ok());
  }
  EXPECT_EQ(outcomes.size(), 2u) << "both crash outcomes should occur over 16 seeds";
}

TEST(ReadFaults, OnlyTheFirstSectorReadFromDiskGoesBad) {
  FaultPlan plan;
  plan.rules.push_back(make_rule(Selector{.op = OpKind::kRead, .nth = 1}, Action{.kind = ActionKind::kFail, .err = EIO}));
  Rig rig(plan);
  auto file = rig.open("f");
  rig.write(*file, 0, repeat('a', 4096));
  ASSERT_TRUE(file->sync().ok());
  rig.write(*file, 0, repeat('c', 1024));  // sectors 0-1 are dirty in the cache
  Bytes out(4096);
  EXPECT_FALSE(file->read(0, out).ok());   // sector 2 is the first fetched from disk
  EXPECT_TRUE(file->read(0, {out.data(), 1024}).ok());
  EXPECT_FALSE(file->read(1024, {out.data(), 1}).ok());
  EXPECT_TRUE(file->read(1536, {out.data(), 2560}).ok());
}

TEST(ReadFaults, ReadsOfBytesOnlyInTheCacheCannotFail) {
  FaultPlan plan;
  plan.rules.push_back(make_rule(Selector{.op = OpKind::kRead}, Action{.kind = ActionKind::kFail, .err = EIO}));
  Rig rig(plan);
  auto file = rig.open("f");
  rig.write(*file, 0, "never synced");
  EXPECT_EQ(rig.read(*file, 0, 5), "never");
}

TEST(Corruption, FlipsExactlyTheLoggedBitsOfDurableContent) {
  FaultPlan plan;
  plan.seed = 11;
  plan.rules.push_back(make_rule(Selector{.op = OpKind::kSize}, Action{.kind = ActionKind::kCorrupt, .bits = 3}, 1));
  Rig rig(plan);
  auto file = rig.open("f");
  rig.write(*file, 0, repeat('\0', 4096));
  ASSERT_TRUE(file->sync().ok());
  ASSERT_TRUE(rig.vfs->sync_dir("").ok());
  ASSERT_TRUE(file->size().ok());  // fires
  ASSERT_TRUE(rig.vfs->flush_backend().ok());
  Bytes disk = rig.backend.image().files.at("f");
  int flipped = 0;
  for (uint8_t byte : disk) flipped += __builtin_popcount(byte);
  EXPECT_GE(flipped, 1);
  EXPECT_LE(flipped, 3);  // two flips may cancel on the same bit
  std::string seen = rig.read(*file, 0, 4096);
  EXPECT_EQ(Bytes(seen.begin(), seen.end()), disk) << "a clean page shows the disk's bytes";
}

TEST(Misdirect, BytesReachAnotherSectorAndTheCacheHidesItUntilTheCrash) {
  FaultPlan plan;
  plan.seed = 5;
  plan.rules.push_back(make_rule(Selector{.op = OpKind::kWrite, .nth = 2}, Action{.kind = ActionKind::kMisdirect}));
  Rig rig(plan);
  auto file = rig.open("f");
  rig.write(*file, 0, repeat('.', 4096));
  ASSERT_TRUE(file->sync().ok());
  ASSERT_TRUE(rig.vfs->sync_dir("").ok());
  rig.write(*file, 1024, repeat('M', 512));
  ASSERT_TRUE(file->sync().ok());
  EXPECT_EQ(rig.read(*file, 1024, 512), repeat('M', 512));
  ASSERT_TRUE(rig.vfs->crash(CrashKind::kPower).ok());
  std::string disk(as_chars(rig.backend.image().files.at("f")));
  EXPECT_EQ(disk.substr(1024, 512), repeat('.', 512)) << "the intended sector kept its old bytes";
  size_t landed = disk.find(repeat('M', 512));
  ASSERT_NE(landed, std::string::npos);
  EXPECT_EQ(landed % 512, 0u);
  EXPECT_NE(landed, 1024u);
}

TEST(Misdirect, AMisdirectedAppendStillPersistsTheSize) {
  FaultPlan plan;
  plan.seed = 2;
  plan.rules.push_back(make_rule(Selector{.op = OpKind::kWrite, .nth = 2}, Action{.kind = ActionKind::kMisdirect}));
  Rig rig(plan);
  auto file = rig.open("f");
  rig.write(*file, 0, repeat('.', 4096));
  ASSERT_TRUE(file->sync().ok());
  ASSERT_TRUE(rig.vfs->sync_dir("").ok());
  rig.write(*file, 4096, repeat('M', 512));
  ASSERT_TRUE(file->sync().ok());
  EXPECT_EQ(rig.read(*file, 4096, 512), repeat('M', 512));
  ASSERT_TRUE(rig.vfs->flush_backend().ok());
  std::string disk(as_chars(rig.backend.image().files.at("f")));
  ASSERT_EQ(disk.size(), 4608u);
  EXPECT_EQ(disk.substr(4096), std::string(512, '\0')) << "the tail never got its bytes";
  EXPECT_NE(disk.find(repeat('M', 512)), std::string::npos);
}

TEST(Phases, RuleTargetsTheNthWriteInsideAPhase) {
  FaultPlan plan;
  plan.rules.push_back(make_rule(Selector{.op = OpKind::kWrite, .phase = Phase::kCheckpoint, .nth = 2},
                                 Action{.kind = ActionKind::kFail, .err = EIO}));
  Rig rig(plan);
  auto file = rig.open("f");
  rig.write(*file, 0, "outside");
  rig.write(*file, 0, "outside");
  {
    PhaseScope checkpoint(Phase::kCheckpoint);
    PhaseScope copy(Phase::kCheckpointCopy);
    rig.write(*file, 0, "first");
    EXPECT_FALSE(file->write(0, as_bytes("second")).ok());
    rig.write(*file, 0, "third");
  }
  std::vector<FaultEvent> log = rig.vfs->fault_log();
  ASSERT_EQ(log.size(), 1u);
  EXPECT_EQ(log[0].phase, "checkpoint.copy");
  EXPECT_EQ(log[0].op, "write");
  EXPECT_EQ(log[0].op_index, 4u);  // open, 2 writes outside, 1 inside, then this one
  EXPECT_EQ(log[0].rule, 0);
}

TEST(Phases, ChildPhaseMatchesParentSelectorOnly) {
  EXPECT_TRUE(phase_matches(Phase::kCheckpoint, Phase::kCheckpointCopy));
  EXPECT_TRUE(phase_matches(Phase::kCheckpointCopy, Phase::kCheckpointCopy));
  EXPECT_FALSE(phase_matches(Phase::kCheckpointCopy, Phase::kCheckpoint));
  EXPECT_FALSE(phase_matches(Phase::kWalSync, Phase::kWalAppend));
}

TEST(Rules, PathGlobAfterOpAndTimes) {
  FaultPlan plan;
  plan.rules.push_back(make_rule(Selector{.op = OpKind::kWrite, .path = "db/*.wal", .after_op = 4},
                                 Action{.kind = ActionKind::kFail, .err = EIO}, 2));
  Rig rig(plan);
  ASSERT_TRUE(rig.vfs->mkdir("db").ok());  // op 0
  auto wal = rig.open("db/x.wal");          // op 1
  auto other = rig.open("db/x.dat");        // op 2
  rig.write(*wal, 0, "a");                  // op 3: before after_op
  rig.write(*other, 0, "a");                // op 4: path does not match
  EXPECT_FALSE(wal->write(0, as_bytes("b")).ok());  // op 5: fires
  EXPECT_FALSE(wal->write(0, as_bytes("b")).ok());  // op 6: fires, the 2nd and last time
  rig.write(*wal, 0, "c");                  // op 7
  std::vector<FaultEvent> log = rig.vfs->fault_log();
  ASSERT_EQ(log.size(), 2u);
  EXPECT_EQ(log[0].op_index, 5u);
  EXPECT_EQ(log[1].op_index, 6u);
  EXPECT_EQ(log[0].path, "db/x.wal");
}

TEST(Rules, ProbabilityFiresAboutAsOftenAsAsked) {
  FaultPlan plan;
  plan.seed = 99;
  plan.rules.push_back(make_rule(Selector{.op = OpKind::kSize, .probability = Ratio{1, 4}},
                                 Action{.kind = ActionKind::kFail, .err = EIO}));
  plan.rules[0].action.kind = ActionKind::kCrash;  // size cannot fail; a crash request can
  Rig rig(plan);
  int fired = 0;
  for (int i = 0; i < 4000; ++i) {
    auto file = rig.vfs->open("f", OpenMode::kCreate);
    ASSERT_TRUE(file.ok());
    if (!(*file)->size().ok()) {
      ++fired;
      file->reset();
      ASSERT_TRUE(rig.vfs->crash(CrashKind::kProcess).ok());
    }
  }
  EXPECT_GT(fired, 850);
  EXPECT_LT(fired, 1150);
}

TEST(Rules, DisabledInjectionFiresNothing) {
  FaultPlan plan;
  plan.rules.push_back(make_rule(Selector{}, Action{.kind = ActionKind::kFail, .err = EIO}));
  Rig rig(plan);
  rig.vfs->set_injection(false);
  auto file = rig.open("f");
  rig.write(*file, 0, "x");
  EXPECT_TRUE(file->sync().ok());
  EXPECT_TRUE(rig.vfs->fault_log().empty());
}

}  // namespace
}  // namespace fl::faultvfs::testing

namespace fl::faultvfs::testing {
namespace {

// [fvfs.8]: a loop that retries a failing sync forever is stopped by the
// operation limit, which throws before running the limited operation.
TEST(OpLimit, StopsAnEndlessRetryLoopAndCanBeCleared) {
  FaultPlan plan;
  plan.rules.push_back(make_rule(Selector{.op = OpKind::kSync}, Action{.kind = ActionKind::kFail, .err = EIO}));
  Rig rig(plan);
  auto file = rig.open("f");
  rig.write(*file, 0, "data");
  const uint64_t start = rig.vfs->op_count();
  rig.vfs->set_op_limit(start + 100);
  uint64_t attempts = 0;
  try {
    while (!file->sync().ok()) ++attempts;  // would never end
    FAIL() << "a sync succeeded despite the rule";
  } catch (const OpLimitExceeded& stopped) {
    EXPECT_EQ(stopped.op_index(), start + 100);
  }
  EXPECT_EQ(attempts, 100u);
  EXPECT_EQ(rig.vfs->op_count(), start + 100) << "the limited operation did not run";
  rig.vfs->set_op_limit(std::nullopt);
  EXPECT_FALSE(file->sync().ok());  // runs again (and fails by the rule)
}

}  // namespace
}  // namespace fl::faultvfs::testing
