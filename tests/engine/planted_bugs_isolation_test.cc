// The planted bugs about isolation, reads and page accounting
// (engine/planted_bugs.h): zombie-snapshot, rollback-visible,
// index-before-commit, error-as-missing, nonatomic-freelist,
// leak-on-rollback, write-skew (engine/db.h [db.1]-[db.4], [db.6], [db.9]).
// The table at the end feeds planted_bugs_test.cc.
#include <gtest/gtest.h>

#include <cerrno>

#include "tests/engine/planted_bugs_util.h"

namespace fl::engine::testing {
namespace {

using faultvfs::Action;
using faultvfs::FaultPlan;
using faultvfs::OpKind;
using faultvfs::Phase;
using faultvfs::Selector;

// "key0007": zero-padded, so keys sort as their numbers do.
std::string key_of(int i) {
  const std::string digits = std::to_string(i);
  return "key" + std::string(4 - std::min<size_t>(4, digits.size()), '0') + digits;
}

// zombie-snapshot: a reader reads k, a later commit overwrites k and a
// checkpoint runs; the reader's snapshot must still give the old value.
Findings reader_across_checkpoint(const PlantedBugs& bugs) {
  Findings f;
  Rig rig;
  if (!step_ok(f, rig.create(), "create")) return f;
  auto db = rig.open(scenario_options(bugs));
  if (!step_ok(f, db.status(), "open") || !step_ok(f, put(**db, "k", "old"), "commit old")) return f;
  auto reader = (*db)->begin();
  Result<std::optional<std::string>> first = reader->get("k");
  if (!step_ok(f, first.status(), "first read")) return f;
  if (*first != "old") note(f, kScenario, "the reader's first read gave " + show(*first));
  if (!step_ok(f, put(**db, "k", "new"), "commit new")) return f;
  if (!step_ok(f, (*db)->checkpoint().status(), "checkpoint")) return f;
  Result<std::optional<std::string>> second = reader->get("k");
  if (!second.ok()) {
    note(f, kTwoSnapshots, "the reader's second read failed: " + second.status().to_string());
  } else if (*second != *first) {
    note(f, kTwoSnapshots, "one snapshot read k = " + show(*first) + ", then " + show(*second) +
                               " after a checkpoint");
  }
  if (!step_ok(f, reader->commit(), "reader commit")) return f;
  return f;
}

// rollback-visible: T1 writes k and rolls back; T2 then reads k.
Findings read_after_rollback(const PlantedBugs& bugs) {
  Findings f;
  Rig rig;
  if (!step_ok(f, rig.create(), "create")) return f;
  auto db = rig.open(scenario_options(bugs));
  if (!step_ok(f, db.status(), "open") || !step_ok(f, put(**db, "k", "committed"), "commit")) return f;
  {
    auto t1 = (*db)->begin();
    if (!step_ok(f, t1->put("k", "rolled-back"), "t1 put")) return f;
    t1->rollback();
  }
  auto t2 = (*db)->begin();
  Result<std::optional<std::string>> read = t2->get("k");
  if (!step_ok(f, read.status(), "t2 read")) return f;
  if (*read == "rolled-back") {
    note(f, kAbortedRead, "T2 read k = \"rolled-back\", written only by T1, which rolled back");
  } else if (*read != "committed") {
    note(f, kScenario, "T2 read " + show(*read));
  }
  return f;
}

// index-before-commit: ENOSPC on the commit's first WAL write, so the commit
// definitely failed ([db.3]); then a new transaction reads, and a clean
// reopen reads again.
Findings read_after_definite_commit_failure(const PlantedBugs& bugs) {
  Findings f;
  FaultPlan plan = default_plan();
  plan.rules.push_back(
      rule(Selector{.op = OpKind::kWrite, .phase = Phase::kWalAppend, .nth = 1}, Action{.err = ENOSPC}, 1));
  Rig rig(plan);
  const Options options = scenario_options(bugs);
  if (!step_ok(f, rig.create(), "create")) return f;
  auto db = rig.open(options);
  if (!step_ok(f, db.status(), "open") || !step_ok(f, put(**db, "k", "v1"), "commit v1")) return f;
  rig.arm();
  {
    auto txn = (*db)->begin();
    if (!step_ok(f, txn->put("k", "phantom"), "put phantom")) return f;
    const Status committed = txn->commit();
    if (rig.injected() != 1) note(f, kScenario, "ENOSPC was not injected exactly once");
    if (!committed.is(Code::kNoSpace) || txn->outcome() != CommitOutcome::kNotCommitted) {
      note(f, kContract, "ENOSPC on the first append: commit " + committed.to_string() + ", outcome " +
                             std::string(commit_outcome_name(txn->outcome())) + ", want no-space and not-committed");
    }
  }
  Findings live;
  expect_value(**db, "k", "v1", kAbortedRead, live);
  for (Finding& finding : live) note(f, finding.kind, "a failed commit's write is visible: " + finding.detail);
  (void)(*db)->close();  // poisoned: close syncs nothing
  db = rig.open(options);
  if (!step_ok(f, db.status(), "reopen")) return f;
  Findings reopened;
  expect_value(**db, "k", "v1", kLostCommit, reopened);
  for (Finding& finding : reopened) note(f, finding.kind, "after reopen: " + finding.detail);
  return f;
}

// error-as-missing: a latent sector error (EIO) under the page that holds
// k in the page file, read with no cached image: after a checkpoint, or
// after a checkpoint and a reopen. (WAL frames are never re-read: recovery
// keeps the images it verified.) The error must reach the caller.
Findings read_with_latent_sector_error_in(const PlantedBugs& bugs, bool in_page_file) {
  Findings f;
  const std::string where = in_page_file ? "page file after a checkpoint: " : "page file after a checkpoint and a reopen: ";
  FaultPlan plan = default_plan();
  const std::string path(kPageFileName);
  plan.rules.push_back(rule(Selector{.op = OpKind::kRead, .path = path}, Action{}, 1));
  Rig rig(plan);
  const Options options = scenario_options(bugs);
  if (!step_ok(f, rig.create(), "create")) return f;
  auto db = rig.open(options);
  if (!step_ok(f, db.status(), "open") || !step_ok(f, put(**db, "k", "v"), "commit")) return f;
  auto cp = (*db)->checkpoint();
  if (!step_ok(f, cp.status(), "checkpoint")) return f;
  if (!cp->wal_reset) note(f, kScenario, "the checkpoint did not reset the WAL");
  if (!in_page_file) {
    if (!step_ok(f, (*db)->close(), "close")) return f;
    db = rig.open(options);
    if (!step_ok(f, db.status(), "reopen")) return f;
  }
  rig.arm();
  Result<std::optional<std::string>> read = get(**db, "k");
  if (rig.injected() != 1) note(f, kScenario, where + "the read EIO was not injected exactly once");
  if (read.ok() && !*read) {
    note(f, kErrorAsMissing, where + "get(k) = (absent) for an acknowledged key whose page read failed with EIO");
  } else if (read.ok()) {
    note(f, kScenario, where + "get(k) = " + show(*read) + ": the read did not reach the bad sector");
  } else if (!read.status().is(Code::kIoError)) {
    note(f, kContract, where + "get(k): " + read.status().to_string() + ", want io-error");
  }
  return f;
}

Findings read_with_latent_sector_error(const PlantedBugs& bugs) {
  Findings f = read_with_latent_sector_error_in(bugs, false);
  merge(f, read_with_latent_sector_error_in(bugs, true));
  return f;
}

// nonatomic-freelist: 300 keys checkpointed into the page file, then 280 of
// them erased in one commit (B+tree merges free pages onto the freelist),
// then power loss. Every crash state must pass fsck.
Findings frees_then_power_loss(const PlantedBugs& bugs) {
  Findings f;
  Rig rig;
  const Options options = scenario_options(bugs);
  if (!step_ok(f, rig.create(), "create")) return f;
  auto db = rig.open(options);
  if (!step_ok(f, db.status(), "open")) return f;
  for (int batch = 0; batch < 6; ++batch) {
    std::map<std::string, std::string> values;
    for (int i = batch * 50; i < batch * 50 + 50; ++i) values[key_of(i)] = std::string(100, 'a' + i % 26);
    if (!step_ok(f, put_all(**db, values), "insert batch")) return f;
  }
  auto cp = (*db)->checkpoint();
  if (!step_ok(f, cp.status(), "checkpoint")) return f;
  if (!cp->wal_reset) note(f, kScenario, "the checkpoint did not reset the WAL");
  {
    auto txn = (*db)->begin();
    for (int i = 0; i < 280; ++i) {
      if (!step_ok(f, txn->erase(key_of(i)), "erase")) return f;
    }
    if (!step_ok(f, txn->commit(), "commit the erasures")) return f;
  }
  Findings live;
  expect_fsck_clean(**db, live);
  for (Finding& finding : live) note(f, kScenario, "fsck before the crash: " + finding.detail);
  auto check = [](Db& recovered, Findings& out) {
    expect_fsck_clean(recovered, out);
    expect_value(recovered, key_of(0), std::nullopt, kLostCommit, out);
    expect_value(recovered, key_of(299), std::string(100, 'a' + 299 % 26), kLostCommit, out);
  };
  merge(f, check_crash_states(rig.vfs(), options, check, kFsck).findings);
  return f;
}

// leak-on-rollback: a transaction grows the file by many pages and then
// ends without committing (rollback, or a write-write conflict); a later
// commit follows. fsck must find no leaked page, before and after reopen.
Findings leak_after(const PlantedBugs& bugs, bool conflict) {
  Findings f;
  const std::string how = conflict ? "after a conflict: " : "after a rollback: ";
  Rig rig;
  const Options options = scenario_options(bugs);
  if (!step_ok(f, rig.create(), "create")) return f;
  auto db = rig.open(options);
  if (!step_ok(f, db.status(), "open") || !step_ok(f, put(**db, "seed", "1"), "commit seed")) return f;
  {
    auto big = (*db)->begin();
    for (int i = 0; i < 60; ++i) {
      if (!step_ok(f, big->put(key_of(i), std::string(600, 'x')), "put")) return f;
    }
    if (conflict) {
      if (!step_ok(f, big->put("seed", "2"), "put seed") || !step_ok(f, put(**db, "seed", "3"), "commit seed")) {
        return f;
      }
      if (!big->commit().is(Code::kConflict)) note(f, kScenario, how + "the big commit did not conflict");
    } else {
      big->rollback();
    }
  }
  if (!step_ok(f, put(**db, "after", "1"), "commit after")) return f;
  Findings found;
  expect_fsck_clean(**db, found);
  if (!step_ok(f, (*db)->close(), "close")) return f;
  db = rig.open(options);
  if (!step_ok(f, db.status(), "reopen")) return f;
  Findings reopened;
  expect_fsck_clean(**db, reopened);
  for (Finding& finding : found) note(f, finding.kind, how + finding.detail);
  for (Finding& finding : reopened) note(f, finding.kind, how + "after reopen: " + finding.detail);
  return f;
}

Findings big_txn_not_committed(const PlantedBugs& bugs) {
  Findings f = leak_after(bugs, false);
  merge(f, leak_after(bugs, true));
  return f;
}

// write-skew: T1 and T2 both read x and y (x + y >= 1 holds), then each sets
// one of them to 0. Serializable must abort one of them.
Findings classic_write_skew(const PlantedBugs& bugs) {
  Findings f;
  Rig rig;
  if (!step_ok(f, rig.create(), "create")) return f;
  auto db = rig.open(scenario_options(bugs));
  if (!step_ok(f, db.status(), "open") || !step_ok(f, put_all(**db, {{"x", "1"}, {"y", "1"}}), "commit x, y")) {
    return f;
  }
  auto t1 = (*db)->begin();
  auto t2 = (*db)->begin();
  for (auto* txn : {t1.get(), t2.get()}) {
    if (!step_ok(f, txn->get("x").status(), "read x") || !step_ok(f, txn->get("y").status(), "read y")) return f;
  }
  if (!step_ok(f, t1->put("x", "0"), "t1 put") || !step_ok(f, t2->put("y", "0"), "t2 put")) return f;
  if (!step_ok(f, t1->commit(), "t1 commit")) return f;
  const Status second = t2->commit();
  if (second.ok()) {
    note(f, kWriteSkew, "both committed under serializable: x = 0 and y = 0, each read the other's key as 1");
  } else if (!second.is(Code::kConflict)) {
    note(f, kContract, "t2 commit: " + second.to_string() + ", want conflict");
  }
  return f;
}

}  // namespace

std::vector<BugScenario> isolation_scenarios() {
  return {
      {"zombie-snapshot", "none: a reader open across a commit and a checkpoint", kTwoSnapshots,
       reader_across_checkpoint},
      {"rollback-visible", "none: an explicit rollback", kAbortedRead, read_after_rollback},
      {"index-before-commit", "ENOSPC on the commit's first WAL write", kAbortedRead,
       read_after_definite_commit_failure},
      {"error-as-missing", "EIO (latent sector error) reading k's page from the page file, after a checkpoint, with and without a reopen",
       kErrorAsMissing,
       read_with_latent_sector_error},
      {"nonatomic-freelist", "power loss after a commit that frees pages", kFsck, frees_then_power_loss},
      {"leak-on-rollback", "none: a rollback, and a write-write conflict", kFsck, big_txn_not_committed},
      {"write-skew", "none: two concurrent serializable transactions", kWriteSkew, classic_write_skew},
  };
}

}  // namespace fl::engine::testing
