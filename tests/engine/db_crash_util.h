// tests/engine/db_crash_util.h: the crash-test harness for refdb (db.h).
//
// A scripted workload runs against Db on a FaultVfs over a MemVfs. First it
// runs once without faults, which gives the number N of VFS operations and the
// reference commit order. Then, for every operation index i in [0, N], it runs
// again with a plan whose one rule cuts the power at operation i
// (`{"when": {"after_op": i, "nth": 1}, "do": {"action": "crash", "kind":
// "power"}}`): operation i and everything after it fail with an injected EIO
// ([fvfs.7]), the workload stops at the first engine call that returns while
// the crash is requested, and the crash space of that moment (durable state
// plus every pending write, torn per 512-byte sector, with garbage after lost
// appends) is checked state by state. i = N is the crash after a complete run.
//
// For every crash state: Db::open (recovery) succeeds, check_integrity() is
// clean, and the contents (every key the workload ever wrote; fsck verifies
// every page's checksum, so no other key can be in the tree) equal the model
// after some prefix k of the reference commit order with lo <= k <= hi:
//   hi = commits acknowledged + 1 if a commit() was in flight at the crash
//        and reported kUnknown (kNotCommitted means it wrote nothing: [db.3]);
//   lo = commits acknowledged, for durability full and group ([db.3], [db.5]);
//        for off, the commits that a checkpoint the workload ran to
//        completion (every commit_seq <= its M) or close() made durable
//        ([db.5], [db.7]); auto-checkpoints are not counted (weaker).
// Then the recovered database must take a new commit, close, reopen with
// that commit and the same contents, and pass fsck again: recovery left a
// log that later appends can extend.
//
// Crash states per point: every state when there are at most
// `states_per_point_max`, else that many drawn with the "crash-state" stream
// ([space.1], [space.2]), plus the state a process crash leaves (every pending
// write persisted, which a power loss can also leave and sampling rarely
// draws). Recovery results are cached by image (FNV-1a 64 and CRC32C of the
// content), so a state left by many crash points is recovered once.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "base/crc32c.h"
#include "base/prng.h"
#include "engine/db.h"
#include "faultvfs/fault_vfs.h"
#include "faultvfs/mem_vfs.h"

namespace fl::engine::testing {

using Model = std::map<std::string, std::string>;
using Writes = std::map<std::string, std::optional<std::string>>;

// Thrown when an engine call returned while a crash is requested: the process
// is gone, nothing after that call runs. Also thrown (after ADD_FAILURE) when
// a call failed although no fault was injected.
struct Stop {};

struct CommitRecord {
  Writes writes;
  uint64_t commit_seq = 0;  // 0: the commit changed no page
  friend bool operator==(const CommitRecord&, const CommitRecord&) = default;
};

// What a run did before it stopped.
struct RunLog {
  std::vector<CommitRecord> committed;  // acknowledged, in commit order
  std::optional<Writes> in_flight;      // a commit() that returned kUnknown at the crash
  size_t durable_floor = 0;             // committed[0, floor) must survive any crash
  std::set<std::string> keys;           // every key written, committed or not
  bool completed = false;
};

// The workload's handle on the engine: every call checks for the crash.
class Session {
 public:
  Session(faultvfs::FaultVfs& vfs, const Options& options) : vfs_(vfs), options_(options) {}

  // One transaction, with the writes it buffered (for the model).
  class Tx {
   public:
    Tx(Session& session, std::unique_ptr<Txn> txn) : session_(session), txn_(std::move(txn)) {}
    void put(const std::string& key, const std::string& value) {
      session_.keys_touched(key);
      session_.expect_ok(txn_->put(key, value), "put " + key);
      writes_[key] = value;
    }
    void erase(const std::string& key) {
      session_.keys_touched(key);
      session_.expect_ok(txn_->erase(key), "erase " + key);
      writes_[key] = std::nullopt;
    }
    std::optional<std::string> get(const std::string& key) {
      auto value = txn_->get(key);
      session_.expect_ok(value.status(), "get " + key);
      return *value;
    }
    // `conflict`: the script expects validation to reject it ([db.2]).
    void commit(bool conflict = false) {
      Status status = txn_->commit();
      if (status.ok() && !writes_.empty()) session_.acknowledged(CommitRecord{writes_, txn_->commit_seq()});
      if (session_.vfs_.crash_requested()) {
        if (!status.ok() && txn_->outcome() == CommitOutcome::kUnknown) session_.log_.in_flight = writes_;
        throw Stop{};
      }
      if (conflict) {
        if (!status.is(Code::kConflict)) session_.fail("commit expected to conflict: " + status.to_string());
        EXPECT_EQ(txn_->outcome(), CommitOutcome::kNotCommitted);
      } else {
        session_.expect_ok(status, "commit");
      }
    }
    void rollback() { txn_->rollback(); }

   private:
    Session& session_;
    std::unique_ptr<Txn> txn_;
    Writes writes_;
  };

  void open() {
    auto db = Db::open(vfs_, "", options_);
    check_crash();
    expect_ok(db.status(), "open");
    db_ = std::move(db).value();
  }
  // The Db stays allocated until the Session ends (after the workload's Txns).
  void close() {
    Status closed = db_->close();
    check_crash();
    expect_ok(closed, "close");
    log_.durable_floor = log_.committed.size();
  }
  Tx begin() { return Tx(*this, db_->begin()); }
  std::unique_ptr<Checkpoint> begin_checkpoint() { return db_->begin_checkpoint(); }
  // One checkpoint step; true when the checkpoint is complete.
  bool step(Checkpoint& cp) {
    Result<bool> done = cp.step();
    check_crash();
    expect_ok(done.status(), "checkpoint step");
    if (*done) checkpointed(cp.result());
    return *done;
  }
  CheckpointResult checkpoint() {
    Result<CheckpointResult> result = db_->checkpoint();
    check_crash();
    expect_ok(result.status(), "checkpoint");
    checkpointed(*result);
    return *result;
  }

  RunLog& log() { return log_; }

 private:
  void check_crash() {
    if (vfs_.crash_requested()) throw Stop{};
  }
  void fail(const std::string& what) {
    ADD_FAILURE() << what << " (op " << vfs_.op_count() << ")";
    throw Stop{};
  }
  void expect_ok(const Status& status, const std::string& what) {
    check_crash();
    if (!status.ok()) fail(what + ": " + status.to_string());
  }
  void keys_touched(const std::string& key) { log_.keys.insert(key); }
  void acknowledged(CommitRecord record) {
    log_.committed.push_back(std::move(record));
    if (options_.durability != Durability::kOff) log_.durable_floor = log_.committed.size();
  }
  // [db.5], [db.7]: every commit <= M is in the synced page file now.
  void checkpointed(const CheckpointResult& result) {
    size_t covered = 0;
    while (covered < log_.committed.size() && log_.committed[covered].commit_seq <= result.backfilled_commit_seq) {
      ++covered;
    }
    log_.durable_floor = std::max(log_.durable_floor, covered);
  }

  faultvfs::FaultVfs& vfs_;
  Options options_;
  std::unique_ptr<Db> db_;
  RunLog log_;
};

using Workload = std::function<void(Session&)>;

struct CrashCheckConfig {
  std::string name;
  Options options;
  Workload workload;
  // Crash states checked per crash point (besides the process-crash state).
  uint64_t states_per_point_max = 32;
  uint32_t sector_size_bytes = 512;
  bool size_before_data = true;
};

struct CrashCheckReport {
  uint64_t ops = 0;           // VFS operations of the fault-free run (crash points = ops + 1)
  uint64_t commits = 0;       // acknowledged commits of the fault-free run
  uint64_t crash_points = 0;
  uint64_t crash_states = 0;  // (point, state) pairs checked, process-crash states included
  uint64_t exhaustive_points = 0;
  uint64_t recoveries = 0;    // distinct images recovered
  std::map<std::string, uint64_t> points_by_phase;  // innermost phase of the operation that crashed
  uint64_t failures = 0;
};

// ------------------------------------------------------------------ internals

inline Model apply(Model model, const Writes& writes) {
  for (const auto& [key, value] : writes) {
    if (value) {
      model[key] = *value;
    } else {
      model.erase(key);
    }
  }
  return model;
}

inline std::string describe_difference(const Model& got, const Model& want) {
  std::string out;
  for (const auto& [key, value] : want) {
    auto it = got.find(key);
    if (it == got.end()) {
      out += "  missing " + key + "\n";
    } else if (it->second != value) {
      size_t at = 0;
      while (at < value.size() && at < it->second.size() && value[at] == it->second[at]) ++at;
      out += "  " + key + ": " + std::to_string(it->second.size()) + " B instead of " + std::to_string(value.size()) +
             " B, first difference at byte " + std::to_string(at) + "\n";
    }
  }
  for (const auto& [key, value] : got) {
    if (!want.contains(key)) out += "  unexpected " + key + " = " + value.substr(0, 24) + "...\n";
  }
  return out.empty() ? "  (equal)\n" : out;
}

struct Recovered {
  std::string error;  // empty when recovery, fsck and the reopen check passed
  Model contents;
};

inline Result<Model> read_all_keys(Db& db, const std::set<std::string>& keys) {
  auto txn = db.begin();
  Model out;
  for (const std::string& key : keys) {
    FL_ASSIGN_OR_RETURN(std::optional<std::string> value, txn->get(key));
    if (value) out[key] = *value;
  }
  FL_TRY(txn->commit());
  return out;
}

// Recovery of one crash image, fsck, the contents, and a commit after it.
inline Recovered recover_image(const faultvfs::DiskImage& image, const Options& options,
                               const std::set<std::string>& keys) {
  static const std::string kProbeKey = "~probe";
  faultvfs::MemVfs vfs(image);
  Recovered out;
  auto fail = [&](const std::string& what, const Status& status) {
    out.error = what + ": " + status.to_string();
    return out;
  };
  {
    auto db = Db::open(vfs, "", options);
    if (!db.ok()) return fail("recovery", db.status());
    if (Status fsck = (*db)->check_integrity(); !fsck.ok()) return fail("fsck after recovery", fsck);
    Result<Model> contents = read_all_keys(**db, keys);
    if (!contents.ok()) return fail("reading the recovered contents", contents.status());
    out.contents = std::move(*contents);
    auto txn = (*db)->begin();
    if (Status put = txn->put(kProbeKey, "after recovery"); !put.ok()) return fail("put after recovery", put);
    if (Status committed = txn->commit(); !committed.ok()) return fail("commit after recovery", committed);
    if (Status closed = (*db)->close(); !closed.ok()) return fail("close after recovery", closed);
  }
  auto db = Db::open(vfs, "", options);
  if (!db.ok()) return fail("reopen after recovery and a commit", db.status());
  if (Status fsck = (*db)->check_integrity(); !fsck.ok()) return fail("fsck after reopen", fsck);
  std::set<std::string> with_probe = keys;
  with_probe.insert(kProbeKey);
  Result<Model> again = read_all_keys(**db, with_probe);
  if (!again.ok()) return fail("reading after reopen", again.status());
  Model expected = out.contents;
  expected[kProbeKey] = "after recovery";
  if (*again != expected) {
    out.error = "after recovery, a commit and reopen the contents changed:\n" + describe_difference(*again, expected);
  }
  return out;
}

inline std::unique_ptr<faultvfs::FaultVfs> make_fault_vfs(faultvfs::MemVfs& backend, const CrashCheckConfig& config,
                                                          std::optional<uint64_t> crash_at_op) {
  faultvfs::FaultPlan plan;
  plan.seed = fnv1a64(config.name) ^ crash_at_op.value_or(~uint64_t{0});
  plan.sector_size_bytes = config.sector_size_bytes;
  plan.size_before_data = config.size_before_data;
  if (crash_at_op) {
    faultvfs::Rule rule;
    rule.when.after_op = *crash_at_op;  // the first operation with index >= i, i.e. operation i
    rule.when.nth = 1;
    rule.action = faultvfs::Action{.kind = faultvfs::ActionKind::kCrash, .crash = faultvfs::CrashKind::kPower};
    rule.times_max = 1;
    plan.rules.push_back(rule);
  }
  auto vfs = faultvfs::FaultVfs::create(backend, plan);
  EXPECT_TRUE(vfs.ok()) << vfs.status().to_string();
  return std::move(vfs).value();
}

inline RunLog run_workload(faultvfs::FaultVfs& vfs, const CrashCheckConfig& config) {
  Session session(vfs, config.options);
  try {
    config.workload(session);
    session.log().completed = true;
  } catch (const Stop&) {
  }
  return std::move(session.log());
}

// ------------------------------------------------------------------ driver

class CrashChecker {
 public:
  explicit CrashChecker(CrashCheckConfig config) : config_(std::move(config)) {}

  CrashCheckReport run() {
    if (!reference_run()) return report_;
    for (uint64_t i = 0; i <= report_.ops && report_.failures < kFailuresReportedMax; ++i) check_point(i);
    print();
    return report_;
  }

 private:
  static constexpr uint64_t kFailuresReportedMax = 5;

  struct Cached {
    std::string error;
    std::vector<size_t> prefixes;  // every k whose model equals the contents
  };

  bool reference_run() {
    faultvfs::MemVfs backend;
    auto vfs = make_fault_vfs(backend, config_, std::nullopt);
    reference_ = run_workload(*vfs, config_);
    EXPECT_TRUE(reference_.completed) << config_.name << ": the fault-free run failed";
    if (!reference_.completed) return false;
    report_.ops = vfs->op_count();
    report_.commits = reference_.committed.size();
    models_.push_back(Model{});
    for (const CommitRecord& commit : reference_.committed) models_.push_back(apply(models_.back(), commit.writes));
    // The model itself: the closed database holds exactly the last prefix.
    EXPECT_TRUE(vfs->flush_backend().ok());
    Recovered final_state = recover_image(backend.image(), config_.options, reference_.keys);
    EXPECT_EQ(final_state.error, "");
    EXPECT_EQ(final_state.contents, models_.back()) << describe_difference(final_state.contents, models_.back());
    return final_state.error.empty() && final_state.contents == models_.back();
  }

  void check_point(uint64_t i) {
    const bool crashes = i < report_.ops;
    faultvfs::MemVfs backend;
    auto vfs = make_fault_vfs(backend, config_, crashes ? std::optional<uint64_t>(i) : std::nullopt);
    const RunLog log = run_workload(*vfs, config_);
    ++report_.crash_points;
    std::string where = config_.name + ", crash at op " + std::to_string(i);
    if (crashes) {
      ASSERT_TRUE(vfs->crash_requested().has_value()) << where << ": the crash rule did not fire";
      std::string phase = "(none)";
      for (const faultvfs::FaultEvent& event : vfs->fault_log()) {
        if (event.rule == 0) {
          phase = event.phase.empty() ? "(none)" : event.phase;
          where += " (" + event.op + " " + event.path + " in " + phase + ")";
        }
      }
      ++report_.points_by_phase[phase];
    } else {
      ASSERT_TRUE(log.completed) << where;
      ++report_.points_by_phase["(after the run)"];
    }
    // The run is the reference run cut short.
    ASSERT_LE(log.committed.size(), reference_.committed.size()) << where;
    for (size_t k = 0; k < log.committed.size(); ++k) ASSERT_EQ(log.committed[k], reference_.committed[k]) << where;
    if (log.in_flight) {
      ASSERT_LT(log.committed.size(), reference_.committed.size()) << where;
      ASSERT_EQ(*log.in_flight, reference_.committed[log.committed.size()].writes) << where;
    }
    const size_t lo = log.durable_floor;
    const size_t hi = log.committed.size() + (log.in_flight ? 1 : 0);

    auto space = vfs->crash_space();
    ASSERT_TRUE(space.ok()) << where << ": " << space.status().to_string();
    Prng prng = Prng::stream(fnv1a64(config_.name) + i, "crash-state");
    uint64_t state = 0;
    faultvfs::CrashVisit visit =
        space->for_each(config_.states_per_point_max, prng, [&](const faultvfs::DiskImage& image) {
          check_state(image, lo, hi, where + ", state " + std::to_string(state++));
          return report_.failures < kFailuresReportedMax;
        });
    if (visit.exhaustive) ++report_.exhaustive_points;
    // The state a process crash leaves is one a power loss can leave too.
    ASSERT_TRUE(vfs->crash(faultvfs::CrashKind::kProcess).ok()) << where;
    check_state(backend.image(), lo, hi, where + ", every pending write persisted");
  }

  void check_state(const faultvfs::DiskImage& image, size_t lo, size_t hi, const std::string& where) {
    ++report_.crash_states;
    const std::pair<uint64_t, uint32_t> key{image.hash(), image_crc(image)};
    auto it = cache_.find(key);
    if (it == cache_.end()) {
      ++report_.recoveries;
      Recovered recovered = recover_image(image, config_.options, reference_.keys);
      Cached cached{recovered.error, {}};
      for (size_t k = 0; k < models_.size(); ++k) {
        if (models_[k] == recovered.contents) cached.prefixes.push_back(k);
      }
      it = cache_.emplace(key, std::move(cached)).first;
    }
    const Cached& result = it->second;
    bool in_range = false;
    for (size_t k : result.prefixes) in_range = in_range || (k >= lo && k <= hi);
    if (result.error.empty() && in_range) return;
    ++report_.failures;
    std::string detail = where + ": acknowledged-and-durable prefix " + std::to_string(lo) + ", attempted " +
                         std::to_string(hi) + " of " + std::to_string(reference_.committed.size()) + " commits\n";
    if (!result.error.empty()) {
      detail += "  " + result.error + "\n";
    } else {
      const Recovered recovered = recover_image(image, config_.options, reference_.keys);
      detail += "  the recovered contents match prefixes {";
      for (size_t k : result.prefixes) detail += " " + std::to_string(k);
      detail += " }; difference from prefix " + std::to_string(lo) + ":\n" + describe_difference(recovered.contents, models_[lo]);
    }
    ADD_FAILURE() << detail << "image:\n" << image.describe();
  }

  static uint32_t image_crc(const faultvfs::DiskImage& image) {
    uint32_t crc = 0;
    for (const auto& [path, data] : image.files) crc = crc32c_extend(crc32c_extend(crc, faultvfs::as_bytes(path)), data);
    return crc;
  }

  void print() const {
    std::string phases;
    for (const auto& [phase, count] : report_.points_by_phase) phases += " " + phase + "=" + std::to_string(count);
    std::cout << "[ crash    ] " << config_.name << ": " << report_.commits << " commits, " << report_.ops
              << " VFS ops, " << report_.crash_points << " crash points (" << report_.exhaustive_points
              << " enumerated exhaustively), " << report_.crash_states << " crash states checked, "
              << report_.recoveries << " distinct images recovered\n"
              << "[ crash    ] " << config_.name << " crash points by phase:" << phases << std::endl;
    ::testing::Test::RecordProperty("crash_points", std::to_string(report_.crash_points));
    ::testing::Test::RecordProperty("crash_states", std::to_string(report_.crash_states));
    ::testing::Test::RecordProperty("distinct_images", std::to_string(report_.recoveries));
  }

  CrashCheckConfig config_;
  CrashCheckReport report_;
  RunLog reference_;
  std::vector<Model> models_;  // models_[k]: the state after the first k reference commits
  std::map<std::pair<uint64_t, uint32_t>, Cached> cache_;
};

inline CrashCheckReport check_every_crash_point(CrashCheckConfig config) {
  return CrashChecker(std::move(config)).run();
}

// Deterministic values of a few hundred bytes, distinct per (writer, key).
inline std::string value_for(uint64_t writer, const std::string& key, size_t size_bytes) {
  std::string out = "w" + std::to_string(writer) + ":" + key + ":";
  Prng prng = Prng::stream(writer, key);
  while (out.size() < size_bytes) out.push_back(static_cast<char>('a' + prng.uniform(26)));
  return out;
}

inline std::string key_name(uint64_t n) {
  std::string digits = std::to_string(n);
  return "key" + std::string(digits.size() < 3 ? 3 - digits.size() : 0, '0') + digits;
}

}  // namespace fl::engine::testing
