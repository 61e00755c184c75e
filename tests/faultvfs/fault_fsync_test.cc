// fsync failure semantics and Linux's per-handle error delivery ([fvfs.5]).
#include <gtest/gtest.h>

#include <cerrno>

#include "tests/faultvfs/fault_util.h"

namespace fl::faultvfs::testing {
namespace {

using Images = std::set<std::map<std::string, std::string>>;

FaultPlan plan_failing_sync(FsyncSemantics semantics, uint64_t nth = 1) {
  FaultPlan plan;
  plan.fsync = semantics;
  plan.rules.push_back(make_rule(Selector{.op = OpKind::kSync, .nth = nth}, Action{.kind = ActionKind::kFail, .err = EIO}));
  return plan;
}

// "f" holds durable "AAAA"; the handle then writes "BBBB" and its sync fails.
struct FailedSync {
  explicit FailedSync(FsyncSemantics semantics) : rig(plan_failing_sync(semantics, 2)) {
    file = rig.open("f");
    rig.write(*file, 0, "AAAA");
    EXPECT_TRUE(file->sync().ok());
    EXPECT_TRUE(rig.vfs->sync_dir("").ok());
    rig.write(*file, 0, "BBBB");
    Status failed = file->sync();
    EXPECT_EQ(failed.code(), Code::kIoError);
    EXPECT_EQ(failed.err(), EIO);
    EXPECT_TRUE(failed.injected());
  }
  Rig rig;
  std::unique_ptr<File> file;
};

TEST(FsyncSemantics, Ext4KeepsNewBytesReadableButLosesThemOnPowerLoss) {
  FailedSync t(FsyncSemantics::kExt4);
  EXPECT_EQ(t.rig.read(*t.file, 0, 4), "BBBB");
  EXPECT_TRUE(t.file->sync().ok()) << "the error was reported once; the pages are clean now";
  EXPECT_EQ(t.rig.crash_images(), (Images{{{"f", "AAAA"}}}));
  ASSERT_TRUE(t.rig.vfs->crash(CrashKind::kPower).ok());
  auto reopened = t.rig.open("f", OpenMode::kMustExist);
  EXPECT_EQ(t.rig.read(*reopened, 0, 4), "AAAA");
}

TEST(FsyncSemantics, RevertDropsTheFailedBytesAtOnce) {
  FailedSync t(FsyncSemantics::kRevert);
  EXPECT_EQ(t.rig.read(*t.file, 0, 4), "AAAA");
  EXPECT_TRUE(t.file->sync().ok());
  EXPECT_EQ(t.rig.crash_images(), (Images{{{"f", "AAAA"}}}));
}

TEST(FsyncSemantics, RetryKeepsPagesDirtyAndALaterSyncPersistsThem) {
  FailedSync t(FsyncSemantics::kRetry);
  EXPECT_EQ(t.rig.read(*t.file, 0, 4), "BBBB");
  EXPECT_EQ(t.rig.crash_images(), (Images{{{"f", "AAAA"}}, {{"f", "BBBB"}}}));
  EXPECT_TRUE(t.file->sync().ok());
  EXPECT_EQ(t.rig.crash_images(), (Images{{{"f", "BBBB"}}}));
}

TEST(FsyncSemantics, Ext4FailedAppendLeavesTheSizeButNotTheData) {
  Rig rig(plan_failing_sync(FsyncSemantics::kExt4, 2));
  auto file = rig.open("f");
  rig.write(*file, 0, "AAAA");
  ASSERT_TRUE(file->sync().ok());
  ASSERT_TRUE(rig.vfs->sync_dir("").ok());
  rig.write(*file, 4, "BBBB");
  EXPECT_FALSE(file->sync().ok());
  EXPECT_EQ(rig.read(*file, 0, 8), "AAAABBBB");
  ASSERT_TRUE(file->sync().ok());  // persists the size; the data never reached the disk
  EXPECT_EQ(rig.crash_images(), (Images{{{"f", std::string("AAAA") + std::string(4, '\0')}}}));
}

TEST(FsyncSemantics, Ext4EvictionMakesReadsReturnTheDiskBytes) {
  FaultPlan plan = plan_failing_sync(FsyncSemantics::kExt4, 2);
  plan.evict_unwritten = {1, 1};
  Rig rig(plan);
  auto file = rig.open("f");
  rig.write(*file, 0, "AAAA");
  ASSERT_TRUE(file->sync().ok());
  rig.write(*file, 0, "BBBB");
  EXPECT_FALSE(file->sync().ok());
  // The next operation evicts the clean-but-unwritten page.
  EXPECT_EQ(rig.read(*file, 0, 4), "AAAA");
  bool logged = false;
  for (const FaultEvent& event : rig.vfs->fault_log()) logged |= event.action == "evict";
  EXPECT_TRUE(logged);
}

TEST(FsyncSemantics, EvictionKeepsDirtyBytesAndPendingTruncates) {
  FaultPlan plan = plan_failing_sync(FsyncSemantics::kExt4, 2);
  plan.evict_unwritten = {1, 1};
  Rig rig(plan);
  rig.vfs->set_injection(false);
  auto file = rig.open("f");
  rig.write(*file, 0, repeat('A', 400));
  ASSERT_TRUE(file->sync().ok());
  rig.vfs->set_injection(true);
  rig.write(*file, 0, repeat('F', 400));
  ASSERT_TRUE(file->sync().ok());          // the rule's 1st sync (the one above ran with injection off)
  rig.write(*file, 0, repeat('X', 400));
  ASSERT_FALSE(file->sync().ok());         // 2nd: fails, X is clean but unwritten
  rig.vfs->set_injection(false);
  rig.write(*file, 200, repeat('B', 50));  // dirty
  ASSERT_TRUE(file->truncate(220).ok());
  ASSERT_TRUE(file->truncate(300).ok());
  rig.vfs->set_injection(true);
  // The next operation evicts: X's clean bytes become the disk's F, B stays
  // up to the truncate at 220, and nothing past it comes back.
  std::string seen = rig.read(*file, 0, 300);
  EXPECT_EQ(seen, repeat('F', 200) + repeat('B', 20) + std::string(80, '\0'));
}

TEST(ErrorDelivery, EveryHandleOpenAtTheFailureGetsEioOnce) {
  FaultPlan plan;
  // The 2nd write triggers a background writeback failure of what is dirty.
  plan.rules.push_back(make_rule(Selector{.op = OpKind::kWrite, .nth = 2},
                                 Action{.kind = ActionKind::kWritebackError, .err = EIO}));
  Rig rig(plan);
  auto h1 = rig.open("f");
  auto h2 = rig.open("f");
  rig.write(*h1, 0, "dirty");
  rig.write(*h1, 10, "more");  // fires: "dirty" fails writeback in the background
  EXPECT_EQ(h1->sync().err(), EIO);
  EXPECT_TRUE(h1->sync().ok()) << "a reported error is not reported twice";
  auto h3 = rig.open("f");  // opened after the error was seen
  EXPECT_EQ(h2->sync().err(), EIO) << "h2 was open at the failure";
  EXPECT_TRUE(h2->sync().ok());
  EXPECT_TRUE(h3->sync().ok()) << "opened after the error was reported";
  EXPECT_EQ(h1->datasync().code(), Code::kOk);
}

TEST(ErrorDelivery, AHandleOpenedBeforeAnyoneSawTheErrorGetsIt) {
  FaultPlan plan;
  plan.rules.push_back(make_rule(Selector{.op = OpKind::kWrite, .nth = 2},
                                 Action{.kind = ActionKind::kWritebackError, .err = EIO}));
  Rig rig(plan);
  auto h1 = rig.open("f");
  rig.write(*h1, 0, "dirty");
  rig.write(*h1, 10, "more");
  auto late = rig.open("f");  // the error is unseen so far
  EXPECT_EQ(late->datasync().err(), EIO);
  EXPECT_EQ(h1->sync().err(), EIO);
}

TEST(ErrorDelivery, WithNoHandleOpenTheErrorMayBeDropped) {
  for (bool dropped : {true, false}) {
    FaultPlan plan;
    plan.drop_unseen_error = dropped ? Ratio{1, 1} : Ratio{0, 1};
    // The failure strikes while the file is being reopened (no handle open yet).
    plan.rules.push_back(make_rule(Selector{.op = OpKind::kOpen, .nth = 2},
                                   Action{.kind = ActionKind::kWritebackError, .err = EIO}));
    Rig rig(plan);
    {
      auto writer = rig.open("f");
      rig.write(*writer, 0, "dirty");
      ASSERT_TRUE(writer->close().ok());
    }
    auto reader = rig.open("f");
    EXPECT_EQ(reader->sync().ok(), dropped) << (dropped ? "dropped" : "kept");
    bool logged = false;
    for (const FaultEvent& event : rig.vfs->fault_log()) logged |= event.action == "error-dropped";
    EXPECT_EQ(logged, dropped);
  }
}

TEST(ErrorDelivery, SyncOfOneFileDoesNotReportAnotherFilesError) {
  FaultPlan plan = plan_failing_sync(FsyncSemantics::kExt4, 1);
  plan.rules[0].when.path = "a";
  Rig rig(plan);
  auto a = rig.open("a");
  auto b = rig.open("b");
  rig.write(*a, 0, "x");
  rig.write(*b, 0, "y");
  EXPECT_EQ(a->sync().err(), EIO);
  EXPECT_TRUE(b->sync().ok());
}

}  // namespace
}  // namespace fl::faultvfs::testing
