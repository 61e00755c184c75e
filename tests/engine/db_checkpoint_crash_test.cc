// refdb under power loss at every VFS operation of stepped checkpoints
// (Db::begin_checkpoint + Checkpoint::step) while other transactions commit
// between the steps (db.h [db.7]): every crash state recovers a committed
// prefix with every acknowledged commit. Harness: db_crash_util.h.
#include <gtest/gtest.h>

#include <optional>

#include "tests/engine/db_crash_util.h"

namespace fl::engine::testing {
namespace {

// States checked per crash point (every state when there are at most this many).
constexpr uint64_t kStatesPerPoint = 16;

// One commit between checkpoint steps: a new key, an overwrite, an erase.
void commit_between_steps(Session& s, uint64_t n) {
  auto tx = s.begin();
  const std::string fresh = key_name(100 + n);
  const std::string old = key_name((n * 7) % 24);
  tx.put(fresh, value_for(1000 + n, fresh, 250 + (n * 53) % 400));
  tx.put(old, value_for(1000 + n, old, 400 + (n * 31) % 300));
  tx.erase(key_name(100 + n / 2));
  tx.commit();
}

// Runs `cp` to completion, calling `between(step)` after every step but the last.
template <class Between>
void run_stepped(Session& s, Checkpoint& cp, Between between) {
  for (uint64_t step = 0; !s.step(cp); ++step) between(step);
}

void stepped_checkpoint_workload(Session& s) {
  s.open();
  for (uint64_t t = 0; t < 4; ++t) {  // 24 keys of 300..700 B: a two-level tree
    auto tx = s.begin();
    for (uint64_t j = 0; j < 6; ++j) {
      const std::string key = key_name(t * 6 + j);
      tx.put(key, value_for(t, key, 300 + (t * 6 + j) * 17 % 400));
    }
    tx.commit();
  }
  uint64_t n = 0;
  {  // 1. a commit after every step: M stays behind the newest commit, no reset
    auto cp = s.begin_checkpoint();
    run_stepped(s, *cp, [&](uint64_t) { commit_between_steps(s, n++); });
    EXPECT_FALSE(cp->result().wal_reset);
    EXPECT_GT(cp->result().pages_copied, 0u);
  }
  {  // 2. an open reader holds M at its snapshot; commits between the steps
    auto reader = s.begin();
    (void)reader.get(key_name(3));
    commit_between_steps(s, n++);
    auto cp = s.begin_checkpoint();
    run_stepped(s, *cp, [&](uint64_t step) {
      if (step % 2 == 0) commit_between_steps(s, n++);
    });
    EXPECT_FALSE(cp->result().wal_reset);
    reader.commit();
  }
  {  // 3. commits before it, none during: everything is copied and the WAL resets
    commit_between_steps(s, n++);
    commit_between_steps(s, n++);
    auto cp = s.begin_checkpoint();
    run_stepped(s, *cp, [](uint64_t) {});
    EXPECT_TRUE(cp->result().wal_reset);
  }
  {  // 4. in the new generation: a commit after every step, then a full checkpoint
    commit_between_steps(s, n++);
    auto cp = s.begin_checkpoint();
    run_stepped(s, *cp, [&](uint64_t) { commit_between_steps(s, n++); });
    EXPECT_FALSE(cp->result().wal_reset);
    EXPECT_TRUE(s.checkpoint().wal_reset);
  }
  commit_between_steps(s, n++);
  s.close();
}

CrashCheckReport check(const std::string& name, Workload workload, Durability durability) {
  CrashCheckConfig config;
  config.name = name;
  config.workload = std::move(workload);
  config.options.durability = durability;
  config.options.auto_checkpoint_frames = 0;  // only the workload's checkpoints
  config.states_per_point_max = kStatesPerPoint;
  return check_every_crash_point(config);
}

// The fault log names the innermost phase only: the new WAL header that
// checkpoint.reset writes and syncs counts as wal.append / wal.sync.
void expect_every_checkpoint_phase(const CrashCheckReport& report) {
  for (const char* phase : {"checkpoint.copy", "checkpoint.sync", "checkpoint.reset"}) {
    EXPECT_GT(report.points_by_phase.count(phase), 0u) << "no crash point in " << phase;
  }
}

TEST(DbCrash, SteppedCheckpointWithCommitsBetweenStepsKeepsEveryAcknowledgedCommit) {
  const CrashCheckReport report = check("stepped-checkpoint/full", stepped_checkpoint_workload, Durability::kFull);
  EXPECT_EQ(report.failures, 0u);
  expect_every_checkpoint_phase(report);
}

// Durability off: the checkpoint is what makes commits durable ([db.5]).
TEST(DbCrash, SteppedCheckpointDurabilityOffRecoversAPrefixWithEveryCheckpointedCommit) {
  const CrashCheckReport report = check("stepped-checkpoint/off", stepped_checkpoint_workload, Durability::kOff);
  EXPECT_EQ(report.failures, 0u);
  expect_every_checkpoint_phase(report);
}

// Regression (found by DbCrash.SequentialCommitsDurabilityOff*): with
// durability off, a checkpoint copied WAL frames that were never synced into
// the page file. A power loss before the page file's sync could leave a torn
// page 1 (the root the last checkpoint recorded) while losing the unsynced
// frames that would have replaced it: recovery then failed fsck ("page 1:
// crc"). The checkpoint now syncs the WAL before copying.
void overwrite_then_checkpoint_workload(Session& s) {
  s.open();
  {
    auto tx = s.begin();
    tx.put("k", std::string(700, 'a'));
    tx.commit();
  }
  s.checkpoint();  // page 1 is in the page file; the WAL starts afresh
  {
    auto tx = s.begin();
    tx.put("k", std::string(700, 'b'));  // page 1's new image, in the unsynced WAL
    tx.commit();
  }
  {
    auto cp = s.begin_checkpoint();
    run_stepped(s, *cp, [](uint64_t) {});
  }
  s.close();
}

TEST(DbCrash, CheckpointOfUnsyncedCommitsNeverLeavesATornPageUncovered) {
  CrashCheckConfig config;
  config.name = "overwrite-then-checkpoint/off";
  config.workload = overwrite_then_checkpoint_workload;
  config.options.durability = Durability::kOff;
  config.options.auto_checkpoint_frames = 0;
  config.states_per_point_max = 256;
  const CrashCheckReport report = check_every_crash_point(config);
  EXPECT_EQ(report.failures, 0u);
  EXPECT_GT(report.points_by_phase.count("checkpoint.copy"), 0u);
}

}  // namespace
}  // namespace fl::engine::testing
