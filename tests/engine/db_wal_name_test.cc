// A WAL file's name must be durable before a commit in it is acknowledged,
// even when an earlier, failed attempt already created the file: the name
// then exists for the kernel but not on disk, and a power loss removes the
// file with every commit in it. Found by the first bug-free campaign
// (rw-register, faults everything, seed 1894: lost-write x4); these are its
// two shapes, minimized.
#include <gtest/gtest.h>

#include "tests/engine/planted_bugs_util.h"

namespace fl::engine::testing {
namespace {

using faultvfs::Action;
using faultvfs::CrashKind;
using faultvfs::OpKind;
using faultvfs::Phase;
using faultvfs::Selector;

void expect_a_and_b(const faultvfs::FaultVfs& vfs, const Options& options, Findings& f) {
  merge(f, check_crash_states(vfs, options, [](Db& d, Findings& out) {
             expect_value(d, "a", std::string("1"), kLostCommit, out);
             expect_value(d, "b", std::string("2"), kLostCommit, out);
           }).findings);
}

// The checkpoint's reset creates refdb.wal0 and its directory sync fails;
// the application reopens the database in the same process (no crash).
Findings reset_dir_sync_fails_then_reopen() {
  Findings f;
  auto plan = default_plan();
  plan.rules.push_back(rule(Selector{.op = OpKind::kSyncDir, .phase = Phase::kCheckpointReset}, Action{}, 1));
  Rig rig(plan);
  const Options options = scenario_options({});
  if (!step_ok(f, rig.create(), "create")) return f;
  auto db = rig.open(options);
  if (!step_ok(f, db.status(), "open") || !step_ok(f, put(**db, "a", "1"), "commit a")) return f;
  rig.arm();
  (void)(*db)->checkpoint();
  if (rig.injected() != 1) note(f, kScenario, "the reset's directory sync was not failed exactly once");
  (*db)->abandon();
  db->reset();
  db = rig.open(options);
  if (!step_ok(f, db.status(), "reopen") || !step_ok(f, put(**db, "b", "2"), "commit b")) return f;
  expect_a_and_b(rig.vfs(), options, f);
  return f;
}

// Seed 1894's shape: the checkpoint's header sync fails (the engine is
// poisoned and restarted); recovery makes the header, which names the new
// generation, durable, creates refdb.wal0, and fails syncing it; the retry
// finds the file already there.
Findings recovery_wal_sync_fails_then_retry() {
  Findings f;
  auto plan = default_plan();
  plan.rules.push_back(rule(Selector{.op = OpKind::kSync, .phase = Phase::kCheckpointSync, .nth = 2}, Action{}, 1));
  plan.rules.push_back(
      rule(Selector{.op = OpKind::kSync, .path = "refdb.wal0", .phase = Phase::kRecovery}, Action{}, 1));
  Rig rig(plan);
  const Options options = scenario_options({});
  if (!step_ok(f, rig.create(), "create")) return f;
  auto db = rig.open(options);
  if (!step_ok(f, db.status(), "open") || !step_ok(f, put(**db, "a", "1"), "commit a")) return f;
  rig.arm();
  (void)(*db)->checkpoint();
  (*db)->abandon();
  db->reset();
  (void)rig.vfs().crash(CrashKind::kProcess);
  auto failed = Db::open(rig.vfs(), "", options);
  if (failed.ok()) {
    note(f, kScenario, "the first recovery was meant to fail on the WAL file's sync");
    (*failed)->abandon();
  }
  if (rig.injected() != 2) note(f, kScenario, "want the header sync and the recovery's WAL sync failed");
  db = rig.open(options);
  if (!step_ok(f, db.status(), "reopen") || !step_ok(f, put(**db, "b", "2"), "commit b")) return f;
  expect_a_and_b(rig.vfs(), options, f);
  return f;
}

TEST(DbWalName, DirectorySyncFailedAtResetThenReopenKeepsCommits) {
  const Findings f = reset_dir_sync_fails_then_reopen();
  EXPECT_TRUE(f.empty()) << describe(f);
}

TEST(DbWalName, WalSyncFailedInRecoveryThenRetryKeepsCommits) {
  const Findings f = recovery_wal_sync_fails_then_retry();
  EXPECT_TRUE(f.empty()) << describe(f);
}

}  // namespace
}  // namespace fl::engine::testing
