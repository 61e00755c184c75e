// refdb under power loss at every VFS operation of scripted workloads (db.h
// [db.3], [db.5], [db.7], [db.8], [db.9]); the harness and the exact check are
// in db_crash_util.h. Stepped checkpoints: db_checkpoint_crash_test.cc.
//
// Every crash point is one VFS operation index of the fault-free run (plus
// the end of the run). At each, up to kStatesPerPoint crash states (512-byte
// sectors, torn writes, garbage after lost appends) are recovered and
// checked, plus the state of a process crash; the totals are printed as
// "[ crash    ] ..." lines and recorded as test properties.
#include <gtest/gtest.h>

#include <optional>

#include "tests/engine/db_crash_util.h"

namespace fl::engine::testing {
namespace {

// States checked per crash point: every state when there are at most this
// many, else a sample of this many.
constexpr uint64_t kStatesPerPoint = 16;

// 34 single-client commits: grow 40 keys (B+tree splits), overwrite with
// larger values, erase most keys (merges, freed pages), regrow.
void sequential_workload(Session& s) {
  s.open();
  Prng prng(0x5e9);
  uint64_t writer = 0;
  for (uint64_t t = 0; t < 10; ++t, ++writer) {  // grow
    auto tx = s.begin();
    for (uint64_t j = 0; j < 4; ++j) {
      const std::string key = key_name(t * 4 + j);
      tx.put(key, value_for(writer, key, 300 + prng.uniform(200)));
    }
    tx.commit();
  }
  for (uint64_t t = 0; t < 8; ++t, ++writer) {  // overwrite
    auto tx = s.begin();
    for (uint64_t j = 0; j < 3; ++j) {
      const std::string key = key_name(prng.uniform(40));
      tx.put(key, value_for(writer, key, 500 + prng.uniform(250)));
    }
    tx.commit();
  }
  for (uint64_t t = 0; t < 10; ++t, ++writer) {  // shrink
    auto tx = s.begin();
    for (uint64_t j = 0; j < 3; ++j) tx.erase(key_name(t * 4 + j));
    if (t == 4) tx.erase("absent");  // erasing a missing key changes no page
    tx.commit();
  }
  for (uint64_t t = 0; t < 6; ++t, ++writer) {  // regrow over freed pages
    auto tx = s.begin();
    for (uint64_t j = 0; j < 3; ++j) {
      const std::string key = key_name(40 + t * 3 + j);
      tx.put(key, value_for(writer, key, 200 + prng.uniform(400)));
    }
    tx.erase(key_name(t * 4 + 3));
    tx.commit();
  }
  s.close();
}

// Several transactions open at once: write-write and read-write conflicts
// (first committer wins, serializable read-set validation), rollbacks,
// commits replayed on a newer state, and a long reader that holds back the
// auto-checkpoint's WAL reset for a few rounds.
void interleaved_workload(Session& s) {
  s.open();
  {
    auto seed = s.begin();
    for (uint64_t k = 0; k < 12; ++k) seed.put(key_name(k), value_for(0, key_name(k), 350));
    seed.commit();
  }
  std::optional<Session::Tx> reader;
  for (uint64_t r = 1; r <= 8; ++r) {
    const uint64_t base = r * 5;
    auto value = [&](uint64_t who, uint64_t k) { return value_for(r * 10 + who, key_name(k), 250 + (k * 37) % 250); };
    auto a = s.begin();
    auto b = s.begin();
    auto c = s.begin();
    a.put(key_name(base), value(1, base));
    a.put(key_name(base + 1), value(1, base + 1));
    (void)b.get(key_name(base + 1));  // b read what a writes: b must not commit after a
    b.put(key_name(base + 2), value(2, base + 2));
    c.put(key_name(base + 3), value(3, base + 3));
    c.erase(key_name(r));
    a.commit();
    b.commit(/*conflict=*/true);
    auto d = s.begin();
    d.put(key_name(base + 3), value(4, base + 3));
    d.put(key_name(base + 4), value(4, base + 4));
    if (r % 2 == 0) {
      d.commit();
      c.commit(/*conflict=*/true);  // d wrote base + 3 after c's snapshot
    } else {
      d.rollback();
      c.commit();  // replayed on the state a committed
    }
    auto e = s.begin();
    e.put(key_name(base + 2), value(5, base + 2));
    if (r % 3 == 0) e.erase(key_name(base));
    e.commit();
    if (r == 2) {
      reader.emplace(s.begin());
      (void)reader->get(key_name(0));
    }
    if (r == 6) {
      reader->commit();
      reader.reset();
    }
  }
  s.close();
}

CrashCheckReport check(const std::string& name, Workload workload, Durability durability,
                       uint64_t auto_checkpoint_frames) {
  CrashCheckConfig config;
  config.name = name;
  config.workload = std::move(workload);
  config.options.durability = durability;
  config.options.auto_checkpoint_frames = auto_checkpoint_frames;
  config.states_per_point_max = kStatesPerPoint;
  return check_every_crash_point(config);
}

// Crash points inside auto-checkpoints exist (the phases are covered).
void expect_checkpoint_phases(const CrashCheckReport& report) {
  for (const char* phase : {"wal.append", "wal.sync", "checkpoint.copy", "checkpoint.sync", "checkpoint.reset"}) {
    EXPECT_GT(report.points_by_phase.count(phase), 0u) << "no crash point in " << phase;
  }
}

TEST(DbCrash, SequentialCommitsDurabilityFullKeepEveryAcknowledgedCommit) {
  const CrashCheckReport report = check("sequential/full", sequential_workload, Durability::kFull, 12);
  EXPECT_EQ(report.failures, 0u);
  EXPECT_GT(report.commits, 30u);
  expect_checkpoint_phases(report);
}

// Durability off: any prefix, at least what a completed checkpoint or close
// made durable.
TEST(DbCrash, SequentialCommitsDurabilityOffRecoverAPrefix) {
  const CrashCheckReport report = check("sequential/off", sequential_workload, Durability::kOff, 12);
  EXPECT_EQ(report.failures, 0u);
  expect_checkpoint_phases(report);
}

TEST(DbCrash, InterleavedTxnsDurabilityFullKeepEveryAcknowledgedCommit) {
  const CrashCheckReport report = check("interleaved/full", interleaved_workload, Durability::kFull, 16);
  EXPECT_EQ(report.failures, 0u);
  expect_checkpoint_phases(report);
}

// In a single thread group commit syncs at every commit, as full does.
TEST(DbCrash, InterleavedTxnsDurabilityGroupKeepEveryAcknowledgedCommit) {
  const CrashCheckReport report = check("interleaved/group", interleaved_workload, Durability::kGroup, 16);
  EXPECT_EQ(report.failures, 0u);
  expect_checkpoint_phases(report);
}

}  // namespace
}  // namespace fl::engine::testing
