// The planted bugs about durability and recovery (engine/planted_bugs.h):
// skip-fsync, ack-before-sync, fsync-retry, unsynced-dir, checkpoint-race,
// recovery-ignores-checkpoint, no-checksum, unbounded-retry. Each scenario
// injects the fault that exposes its bug and, where a power loss is the
// fault, recovers every crash state (engine/db.h [db.3], [db.5]-[db.8]).
// The table at the end feeds planted_bugs_test.cc.
#include <gtest/gtest.h>

#include "tests/engine/planted_bugs_util.h"

namespace fl::engine::testing {
namespace {

using faultvfs::Action;
using faultvfs::ActionKind;
using faultvfs::CrashKind;
using faultvfs::FaultPlan;
using faultvfs::FsyncSemantics;
using faultvfs::OpKind;
using faultvfs::Phase;
using faultvfs::Selector;

// Every acknowledged value in `acked` is read back.
std::function<void(Db&, Findings&)> expect_all(std::map<std::string, std::string> acked,
                                                std::string_view kind = kLostCommit) {
  return [acked = std::move(acked), kind](Db& db, Findings& out) {
    for (const auto& [key, value] : acked) expect_value(db, key, value, kind, out);
  };
}

// skip-fsync, ack-before-sync: two commits, then power loss.
Findings commit_then_power_loss(const PlantedBugs& bugs) {
  Findings f;
  Rig rig;
  const Options options = scenario_options(bugs);
  if (!step_ok(f, rig.create(), "create")) return f;
  auto db = rig.open(options);
  if (!step_ok(f, db.status(), "open")) return f;
  const std::map<std::string, std::string> acked = {{"a", "1"}, {"b", "2"}};
  for (const auto& [key, value] : acked) {
    if (!step_ok(f, put(**db, key, value), "commit " + key)) return f;
  }
  merge(f, check_crash_states(rig.vfs(), options, expect_all(acked)).findings);
  return f;
}

// fsync-retry: the commit's WAL sync fails once with EIO. Under ext4 and
// revert semantics the failed pages never reach the disk, so a retry that
// "succeeds" persists nothing. The correct engine reports the commit as
// unknown and refuses further writes; the bug acknowledges it.
Findings sync_eio_then_power_loss(const PlantedBugs& bugs) {
  Findings f;
  for (FsyncSemantics semantics : {FsyncSemantics::kExt4, FsyncSemantics::kRevert}) {
    const std::string where = "fsync " + std::string(faultvfs::fsync_semantics_name(semantics)) + ": ";
    FaultPlan plan = default_plan();
    plan.fsync = semantics;
    plan.rules.push_back(rule(Selector{.op = OpKind::kDatasync, .phase = Phase::kWalSync}, Action{}, 1));
    Rig rig(plan);
    const Options options = scenario_options(bugs);
    if (!step_ok(f, rig.create(), where + "create")) return f;
    auto db = rig.open(options);
    if (!step_ok(f, db.status(), where + "open") || !step_ok(f, put(**db, "a", "1"), where + "commit a")) return f;
    rig.arm();
    auto txn = (*db)->begin();
    if (!step_ok(f, txn->put("b", "2"), where + "put b")) return f;
    const Status committed = txn->commit();
    if (rig.injected() != 1) note(f, kScenario, where + "the sync EIO was not injected exactly once");
    std::map<std::string, std::string> acked = {{"a", "1"}};
    if (committed.ok()) {
      acked["b"] = "2";
    } else {
      if (!committed.is(Code::kIoError) || txn->outcome() != CommitOutcome::kUnknown) {
        note(f, kContract, where + "failed sync: commit " + committed.to_string() + ", outcome " +
                               std::string(commit_outcome_name(txn->outcome())) + ", want io-error and unknown");
      }
      const Status after = put(**db, "c", "3");
      if (!after.is(Code::kPoisoned)) note(f, kContract, where + "commit after a failed sync: " + after.to_string());
    }
    for (Finding& finding : check_crash_states(rig.vfs(), options, expect_all(acked)).findings) {
      note(f, finding.kind, where + finding.detail);
    }
  }
  return f;
}

// unsynced-dir: the first WAL reset creates refdb.wal0 (generation 2); a
// commit acknowledged in it must survive a power loss.
Findings commit_in_new_wal_file_then_power_loss(const PlantedBugs& bugs) {
  Findings f;
  Rig rig;
  const Options options = scenario_options(bugs);
  if (!step_ok(f, rig.create(), "create")) return f;
  auto db = rig.open(options);
  if (!step_ok(f, db.status(), "open") || !step_ok(f, put(**db, "a", "1"), "commit a")) return f;
  auto cp = (*db)->checkpoint();
  if (!step_ok(f, cp.status(), "checkpoint")) return f;
  if (!cp->wal_reset || (*db)->stats().wal_generation != 2) note(f, kScenario, "the checkpoint did not start generation 2");
  if (!step_ok(f, put(**db, "b", "2"), "commit b")) return f;
  merge(f, check_crash_states(rig.vfs(), options, expect_all({{"a", "1"}, {"b", "2"}})).findings);
  return f;
}

// Steps a checkpoint of these small databases takes, with a wide margin.
constexpr int kCheckpointStepsMax = 1000;

// checkpoint-race: a commit lands between the steps of a checkpoint. No
// fault at all: the loss shows at once and after a clean reopen.
Findings commit_during_stepped_checkpoint(const PlantedBugs& bugs) {
  Findings f;
  Rig rig;
  const Options options = scenario_options(bugs);
  if (!step_ok(f, rig.create(), "create")) return f;
  auto db = rig.open(options);
  if (!step_ok(f, db.status(), "open") || !step_ok(f, put(**db, "a", "1"), "commit a")) return f;
  {
    auto cp = (*db)->begin_checkpoint();
    Result<bool> done = cp->step();  // start: the checkpoint picks its target
    if (!step_ok(f, done.status(), "checkpoint start")) return f;
    if (*done) note(f, kScenario, "the checkpoint finished in one step");
    if (!step_ok(f, put(**db, "b", "2"), "commit b during the checkpoint")) return f;
    for (int steps = 0; done.ok() && !*done && steps < kCheckpointStepsMax; ++steps) done = cp->step();
    if (!step_ok(f, done.status(), "checkpoint steps")) return f;
  }
  Findings live;
  expect_value(**db, "b", "2", kLostCommit, live);
  for (Finding& finding : live) note(f, finding.kind, "without a crash: " + finding.detail);
  if (!step_ok(f, (*db)->close(), "close")) return f;
  db = rig.open(options);
  if (!step_ok(f, db.status(), "reopen")) return f;
  Findings reopened;
  expect_all({{"a", "1"}, {"b", "2"}})(**db, reopened);
  expect_fsck_clean(**db, reopened);
  for (Finding& finding : reopened) note(f, finding.kind, "after reopen: " + finding.detail);
  return f;
}

// recovery-ignores-checkpoint: two checkpoints, so that refdb.wal1 still
// holds generation 1 (k = v1) when the second checkpoint's header names
// generation 3 (the page file has k = v2); power fails as that checkpoint
// starts generation 3 in refdb.wal1 (checkpoint.reset).
Findings power_loss_before_wal_reset(const PlantedBugs& bugs) {
  Findings f;
  FaultPlan plan = default_plan();
  plan.rules.push_back(rule(Selector{.phase = Phase::kCheckpointReset}, Action{.kind = ActionKind::kCrash}, 1));
  Rig rig(plan);
  const Options options = scenario_options(bugs);
  if (!step_ok(f, rig.create(), "create")) return f;
  auto db = rig.open(options);
  if (!step_ok(f, db.status(), "open") || !step_ok(f, put(**db, "k", "v1"), "commit v1")) return f;
  if (!step_ok(f, (*db)->checkpoint().status(), "checkpoint 1")) return f;
  if (!step_ok(f, put(**db, "k", "v2"), "commit v2")) return f;
  rig.arm();
  if ((*db)->checkpoint().ok() || rig.vfs().crash_requested() != CrashKind::kPower) {
    note(f, kScenario, "the power loss in checkpoint.reset did not happen");
  }
  merge(f, check_crash_states(rig.vfs(), options, expect_all({{"k", "v2"}}, kStaleRead)).findings);
  return f;
}

// no-checksum: power fails before the WAL sync of a transaction that
// rewrites four large values, so its frame may be torn (512-byte sectors).
// Every recovered state must hold all old or all new values, and pass fsck.
Findings torn_commit_frame_at_power_loss(const PlantedBugs& bugs) {
  Findings f;
  FaultPlan plan = default_plan();
  plan.sector_size_bytes = 512;
  plan.rules.push_back(rule(Selector{.op = OpKind::kDatasync, .phase = Phase::kWalSync},
                            Action{.kind = ActionKind::kCrash}, 1));
  Rig rig(plan);
  const Options options = scenario_options(bugs);
  std::map<std::string, std::string> before, after;
  for (char k : {'a', 'b', 'c', 'd'}) {
    before[std::string(1, k)] = std::string(700, k);
    after[std::string(1, k)] = std::string(700, static_cast<char>(k - 'a' + 'A'));
  }
  if (!step_ok(f, rig.create(), "create")) return f;
  auto db = rig.open(options);
  if (!step_ok(f, db.status(), "open") || !step_ok(f, put_all(**db, before), "commit old values")) return f;
  rig.arm();
  if (put_all(**db, after).ok() || !rig.vfs().crash_requested()) note(f, kScenario, "the power loss did not happen");
  // Old values that read back with an error were acknowledged and are now
  // lost; a value that is neither old nor new is a torn image accepted.
  auto check = [&](Db& recovered, Findings& out) {
    std::map<std::string, std::string> got;
    for (const auto& [key, value] : before) {
      Result<std::optional<std::string>> read = get(recovered, key);
      if (!read.ok()) {
        note(out, kLostCommit, "get(" + key + "): " + read.status().to_string());
        return;
      }
      got[key] = read->value_or("(absent)");
    }
    if (got == before || got == after) {
      expect_fsck_clean(recovered, out);
      return;
    }
    std::string mixed;
    for (const auto& [key, value] : got) {
      const bool is_old = value == before.at(key), is_new = value == after.at(key);
      size_t torn = 0;
      for (size_t i = 0; i < value.size() && i < after.at(key).size(); ++i) torn += value[i] != after.at(key)[i];
      mixed += key + (is_old ? ": old; " : is_new ? ": new; " : ": " + std::to_string(torn) + " bytes torn; ");
    }
    note(out, kNotAtomic, "neither before nor after the transaction: " + mixed);
  };
  merge(f, check_crash_states(rig.vfs(), options, check, kNotAtomic).findings);
  return f;
}

// ---------------------------------------------------------------- unbounded-retry

// Failing syncs a bounded engine never reaches; the correct one makes one attempt.
constexpr uint64_t kSyncAttemptsBound = 10000;

// A Vfs over a FaultVfs that counts sync()/datasync() calls. When
// kSyncAttemptsBound of them have failed it records that and turns the
// FaultVfs's injection off (the device recovers), so an engine that retries
// forever returns instead of hanging the test.
class SyncCountingVfs final : public faultvfs::Vfs {
 public:
  explicit SyncCountingVfs(faultvfs::FaultVfs& fault) : fault_(&fault) {}

  uint64_t syncs() const { return syncs_; }
  bool exceeded() const { return exceeded_; }
  void reset() { syncs_ = 0; failed_ = 0; }

  Result<std::unique_ptr<faultvfs::File>> open(std::string_view path, faultvfs::OpenMode mode) override {
    FL_ASSIGN_OR_RETURN(auto file, fault_->open(path, mode));
    return std::unique_ptr<faultvfs::File>(new CountingFile(*this, std::move(file)));
  }
  Status remove(std::string_view path) override { return fault_->remove(path); }
  Status rename(std::string_view from, std::string_view to) override { return fault_->rename(from, to); }
  Status sync_dir(std::string_view dir) override { return fault_->sync_dir(dir); }
  Result<std::vector<std::string>> list(std::string_view dir) override { return fault_->list(dir); }
  Result<bool> exists(std::string_view path) override { return fault_->exists(path); }
  Status mkdir(std::string_view dir) override { return fault_->mkdir(dir); }
  Status lock(std::string_view path) override { return fault_->lock(path); }
  Status unlock(std::string_view path) override { return fault_->unlock(path); }

 private:
  class CountingFile final : public faultvfs::File {
   public:
    CountingFile(SyncCountingVfs& vfs, std::unique_ptr<faultvfs::File> file) : vfs_(&vfs), file_(std::move(file)) {}
    Result<size_t> read(uint64_t offset, std::span<uint8_t> out) override { return file_->read(offset, out); }
    Result<size_t> write(uint64_t offset, faultvfs::ByteView data) override { return file_->write(offset, data); }
    Status truncate(uint64_t size_bytes) override { return file_->truncate(size_bytes); }
    Status sync() override { return vfs_->count(file_->sync()); }
    Status datasync() override { return vfs_->count(file_->datasync()); }
    Result<uint64_t> size() override { return file_->size(); }
    Status close() override { return file_->close(); }

   private:
    SyncCountingVfs* vfs_;
    std::unique_ptr<faultvfs::File> file_;
  };

  Status count(Status synced) {
    ++syncs_;
    if (!synced.ok() && ++failed_ >= kSyncAttemptsBound) {
      exceeded_ = true;
      fault_->set_injection(false);
    }
    return synced;
  }

  faultvfs::FaultVfs* fault_;
  uint64_t syncs_ = 0;
  uint64_t failed_ = 0;
  bool exceeded_ = false;
};

// unbounded-retry: every WAL sync fails with EIO (a device that stays
// broken). The correct engine tries once and reports the error.
Findings persistent_sync_failure(const PlantedBugs& bugs) {
  Findings f;
  FaultPlan plan = default_plan();
  plan.rules.push_back(rule(Selector{.op = OpKind::kDatasync, .phase = Phase::kWalSync}, Action{}));
  Rig rig(plan);
  SyncCountingVfs counting(rig.vfs());
  if (!step_ok(f, rig.create(), "create")) return f;
  auto db = rig.open(scenario_options(bugs), &counting);
  if (!step_ok(f, db.status(), "open") || !step_ok(f, put(**db, "a", "1"), "commit a")) return f;
  counting.reset();
  rig.arm();
  auto txn = (*db)->begin();
  if (!step_ok(f, txn->put("b", "2"), "put b")) return f;
  const Status committed = txn->commit();
  if (counting.exceeded()) {
    note(f, kSyncRetried, "a failing WAL sync was retried " + std::to_string(kSyncAttemptsBound) +
                              " times and still going (the test's device then recovered)");
  } else if (counting.syncs() != 1) {
    note(f, kSyncRetried, std::to_string(counting.syncs()) + " sync attempts for one commit, want 1");
  }
  if (!counting.exceeded() && (!committed.is(Code::kIoError) || txn->outcome() != CommitOutcome::kUnknown)) {
    note(f, kContract, "commit " + committed.to_string() + ", outcome " +
                           std::string(commit_outcome_name(txn->outcome())) + ", want io-error and unknown");
  }
  if (rig.injected() == 0) note(f, kScenario, "no sync failure was injected");
  return f;
}

// Not part of the catalogue matrix: the fault is what exposes fsync-retry.
// On a device that keeps failed pages dirty (fsync "retry"), retrying is
// safe and the buggy engine loses nothing.
TEST(PlantedBugFsyncRetry, RetryIsHarmlessOnlyWhereTheDeviceKeepsFailedPagesDirty) {
  FaultPlan plan = default_plan();
  plan.fsync = FsyncSemantics::kRetry;
  plan.rules.push_back(rule(Selector{.op = OpKind::kDatasync, .phase = Phase::kWalSync}, Action{}, 1));
  Rig rig(plan);
  const Options options = scenario_options(only_bug("fsync-retry"));
  ASSERT_TRUE(rig.create().ok());
  auto db = rig.open(options);
  ASSERT_TRUE(db.ok()) << db.status().to_string();
  rig.arm();
  ASSERT_TRUE(put(**db, "b", "2").ok());
  EXPECT_EQ(rig.injected(), 1u);
  const CrashCheck check = check_crash_states(rig.vfs(), options, expect_all({{"b", "2"}}));
  EXPECT_TRUE(check.exhaustive);
  EXPECT_TRUE(check.findings.empty()) << describe(check.findings);
}

}  // namespace

std::vector<BugScenario> durability_scenarios() {
  return {
      {"skip-fsync", "power loss after two commits", kLostCommit, commit_then_power_loss},
      {"ack-before-sync", "power loss after two commits", kLostCommit, commit_then_power_loss},
      {"fsync-retry", "EIO on the commit's WAL datasync (fsync ext4 and revert), then power loss", kLostCommit,
       sync_eio_then_power_loss},
      {"unsynced-dir", "power loss after a commit in the WAL file the first reset created", kLostCommit,
       commit_in_new_wal_file_then_power_loss},
      {"checkpoint-race", "none: a commit between checkpoint steps, then a clean reopen", kLostCommit,
       commit_during_stepped_checkpoint},
      {"recovery-ignores-checkpoint", "power loss in checkpoint.reset of the second checkpoint", kStaleRead,
       power_loss_before_wal_reset},
      {"no-checksum", "power loss before the WAL sync, 512-byte sectors (torn frames)", kNotAtomic,
       torn_commit_frame_at_power_loss},
      {"unbounded-retry", "EIO on every WAL datasync", kSyncRetried, persistent_sync_failure},
  };
}

}  // namespace fl::engine::testing
