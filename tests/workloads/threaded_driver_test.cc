// The threaded driver (workloads/threaded_driver.h): real threads on one
// refdb give well-formed histories whose invariants hold, and an engine that
// spins on a failing sync is stopped by the deadline instead of hanging.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "engine/planted_bugs.h"
#include "faultvfs/fault_vfs.h"
#include "faultvfs/mem_vfs.h"
#include "workloads/refdb_client.h"
#include "workloads/threaded_driver.h"

namespace fl::workloads::testing {
namespace {

using history::OpType;

struct Rig {
  explicit Rig(faultvfs::FaultPlan plan = {}) { vfs = std::move(*faultvfs::FaultVfs::create(backend, std::move(plan))); }
  faultvfs::MemVfs backend;
  std::unique_ptr<faultvfs::FaultVfs> vfs;
};

// Every invoke completes exactly once, on the same process, after it.
void expect_well_formed(const history::History& history) {
  std::map<int64_t, const history::Op*> open;
  for (const history::Op& op : history.ops) {
    const int64_t process = *op.process.id();
    if (op.type == OpType::kInvoke) {
      EXPECT_FALSE(open.contains(process)) << "process " << process << " invoked twice at op " << op.index;
      open[process] = &op;
    } else {
      ASSERT_TRUE(open.contains(process)) << "completion without invoke at op " << op.index;
      EXPECT_EQ(open[process]->f, op.f);
      open.erase(process);
    }
  }
  EXPECT_TRUE(open.empty()) << open.size() << " invocations never completed";
}

engine::Options refdb_options() {
  engine::Options options;
  options.durability = engine::Durability::kGroup;  // commits of different threads share syncs
  options.auto_checkpoint_frames = 64;
  return options;
}

TEST(ThreadedDriver, BankTotalHoldsUnderRealThreads) {
  Rig rig;
  RefdbEngine engine(refdb_options());
  ASSERT_TRUE(engine.open(*rig.vfs, "").ok());
  WorkloadOptions workload;
  workload.kind = WorkloadKind::kBank;
  {  // the accounts, as the simulator's setup writes them
    auto session = engine.session();
    ASSERT_TRUE(session->begin().ok());
    for (const auto& [key, value] : initial_writes(workload)) ASSERT_TRUE(session->write(key, value).ok());
    ASSERT_EQ(session->commit().status, CommitStatus::kOk);
  }
  ThreadedOptions options;
  options.threads = 4;
  options.txns = 2000;
  options.workload = workload;
  auto result = run_threaded(engine, *rig.vfs, options);
  ASSERT_TRUE(result.ok()) << result.status().to_string();
  expect_well_formed(result->history);
  EXPECT_TRUE(result->findings.empty());
  EXPECT_GT(result->stats.ok, 100u);
  const int64_t total = workload.initial_balance * workload.accounts;
  size_t reads = 0;
  for (const history::Op& op : result->history.ops) {
    if (op.type != OpType::kOk || op.f != "read") continue;
    const history::Value value = op.generic_value();
    int64_t sum = 0;
    for (const history::MapEntry& entry : value.entries()) {
      ASSERT_FALSE(entry.value.is_nil()) << "op " << op.index;
      EXPECT_GE(entry.value.as_int(), 0) << "negative balance in op " << op.index;
      sum += entry.value.as_int();
    }
    EXPECT_EQ(sum, total) << "op " << op.index;
    ++reads;
  }
  EXPECT_GT(reads, 10u);
  EXPECT_TRUE(engine.check_integrity().ok());
}

TEST(ThreadedDriver, ListAppendFinalReadsHoldExactlyTheCommittedAppends) {
  Rig rig;
  RefdbEngine engine(refdb_options());
  ASSERT_TRUE(engine.open(*rig.vfs, "").ok());
  ThreadedOptions options;
  options.threads = 4;
  options.txns = 1500;
  options.workload.kind = WorkloadKind::kListAppend;
  auto result = run_threaded(engine, *rig.vfs, options);
  ASSERT_TRUE(result.ok()) << result.status().to_string();
  expect_well_formed(result->history);
  // No fault: every transaction is :ok or :fail, and the last reads of each
  // key (the final reads) hold exactly the :ok appends.
  std::map<int64_t, std::set<int64_t>> committed, failed, last_read;
  for (const history::Op& op : result->history.ops) {
    EXPECT_NE(op.type, OpType::kInfo) << "op " << op.index;
    if (op.type == OpType::kInvoke || op.txn() == nullptr) continue;
    for (const history::MicroOp& micro : *op.txn()) {
      if (micro.kind == history::MicroKind::kAppend) {
        (op.type == OpType::kOk ? committed : failed)[micro.key].insert(std::get<int64_t>(micro.value));
      } else if (op.type == OpType::kOk) {
        auto& seen = last_read[micro.key];
        seen.clear();
        if (const auto* list = std::get_if<std::vector<int64_t>>(&micro.value)) seen.insert(list->begin(), list->end());
      }
    }
  }
  for (const auto& [key, values] : committed) EXPECT_EQ(last_read[key], values) << "key " << key;
  EXPECT_GT(committed.size(), 3u);
}

TEST(ThreadedDriver, DeadlineStopsAnEngineSpinningOnAFailingSync) {
  faultvfs::FaultPlan plan;
  faultvfs::Rule rule;
  rule.when.op = faultvfs::OpKind::kDatasync;
  rule.action.kind = faultvfs::ActionKind::kFail;
  rule.action.err = EIO;
  plan.rules.push_back(rule);
  Rig rig(plan);
  engine::Options refdb = refdb_options();
  refdb.durability = engine::Durability::kFull;
  refdb.bugs.set(engine::bug_index("unbounded-retry"));
  RefdbEngine engine(refdb);
  rig.vfs->set_injection(false);
  ASSERT_TRUE(engine.open(*rig.vfs, "").ok());
  rig.vfs->set_injection(true);
  ThreadedOptions options;
  options.threads = 3;
  options.txns = 100;
  options.workload.kind = WorkloadKind::kRwRegister;
  options.op_deadline = std::chrono::milliseconds(200);
  auto result = run_threaded(engine, *rig.vfs, options);
  ASSERT_TRUE(result.ok()) << result.status().to_string();
  ASSERT_EQ(result->findings.size(), 1u);
  EXPECT_EQ(result->findings[0].kind, "liveness");
  expect_well_formed(result->history);
  EXPECT_GE(result->stats.info, 1u);
  ASSERT_TRUE(rig.vfs->crash(faultvfs::CrashKind::kProcess).ok());  // the engine is dead: crash, then discard
  engine.kill();
}

}  // namespace
}  // namespace fl::workloads::testing
