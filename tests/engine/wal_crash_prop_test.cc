// Crash safety of the WAL on FaultVfs: after any power loss, recovery returns
// exactly a prefix of the appended transactions that includes every
// transaction a successful sync covered ([walw.3], [walr.1]).
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "faultvfs/fault_vfs.h"
#include "tests/engine/wal_util.h"

namespace fl::engine::testing {
namespace {

using faultvfs::CrashKind;
using faultvfs::FaultPlan;
using faultvfs::FaultVfs;

// What the workload did before the crash, per WAL generation.
struct Record {
  std::vector<TxnSpec> gen1, gen2;  // appends that were started
  size_t gen1_durable = 0, gen2_durable = 0;  // prefix lengths covered by an ok sync
  bool gen2_started = false;  // WalWriter::start of generation 2 returned ok (header synced)
  bool gen2_attempted = false;
};

struct Workload {
  std::vector<TxnSpec> txns;
  std::vector<bool> sync_after;
  size_t reset_after = SIZE_MAX;  // start generation 2 after this many transactions
};

rc::Gen<Workload> gen_workload() {
  return rc::gen::exec([] {
    Workload w;
    const size_t n = *rc::gen::inRange<size_t>(1, 7);
    uint32_t tag = 1;
    for (size_t i = 0; i < n; ++i) {
      TxnSpec txn;
      const size_t pages = *rc::gen::inRange<size_t>(1, 4);
      for (size_t p = 0; p < pages; ++p) txn.pages.emplace_back(*rc::gen::inRange<uint32_t>(1, 9), tag++);
      w.txns.push_back(txn);
      w.sync_after.push_back(*rc::gen::arbitrary<bool>());
    }
    if (*rc::gen::arbitrary<bool>()) w.reset_after = *rc::gen::inRange<size_t>(0, n + 1);
    return w;
  });
}

// Runs the workload until a fault stops it; the WAL file's name is durable.
Record run(FaultVfs& vfs, const Workload& w) {
  Record rec;
  auto file = open_file(vfs, "wal", faultvfs::OpenMode::kMustExist);
  auto writer = WalWriter::start(*file, WalHeader{1, 1, 1, 0xaaaa});
  if (!writer.ok()) return rec;
  for (size_t i = 0; i < w.txns.size(); ++i) {
    if (i == w.reset_after) {
      if (!writer->sync().ok()) return rec;
      rec.gen1_durable = rec.gen1.size();
      rec.gen2_attempted = true;
      auto next = WalWriter::start(*file, WalHeader{2, writer->next_lsn(), writer->next_commit_seq(), 0xbbbb});
      if (!next.ok()) return rec;
      rec.gen2_started = true;
      writer = std::move(next);
    }
    auto& log = rec.gen2_attempted ? rec.gen2 : rec.gen1;
    log.push_back(w.txns[i]);
    if (!append_txn(*writer, w.txns[i]).ok()) return rec;
    if (w.sync_after[i]) {
      if (!writer->sync().ok()) return rec;
      (rec.gen2_attempted ? rec.gen2_durable : rec.gen1_durable) = log.size();
    }
  }
  return rec;
}

// The recovered log is a prefix of what was appended in its generation,
// at least as long as what was synced.
WalStop check_recovery(faultvfs::Vfs& vfs, const Record& rec) {
  auto file = vfs.open("wal", faultvfs::OpenMode::kMustExist);
  RC_ASSERT(file.ok());
  auto scan = scan_wal(**file, keep_pages());
  RC_ASSERT(scan.ok());
  const std::vector<TxnSpec> got = recovered_txns(*scan);
  if (!scan->header || scan->header->generation == 1) {
    RC_ASSERT(!rec.gen2_started);  // generation 2's header was synced: it must be found
    RC_ASSERT(is_prefix(got, rec.gen1));
    RC_ASSERT(got.size() >= rec.gen1_durable);
  } else {
    RC_ASSERT(scan->header->generation == 2u);
    RC_ASSERT(rec.gen2_attempted);
    RC_ASSERT(is_prefix(got, rec.gen2));
    RC_ASSERT(got.size() >= rec.gen2_durable);
  }
  return scan->stop;
}

FaultPlan gen_plan(uint64_t total_writes_max) {
  FaultPlan plan;
  plan.seed = *rc::gen::arbitrary<uint64_t>();
  plan.sector_size_bytes = *rc::gen::element<uint32_t>(512, 4096);
  plan.size_before_data = *rc::gen::arbitrary<bool>();
  const uint64_t crash_at = *rc::gen::inRange<uint64_t>(0, total_writes_max + 2);
  if (crash_at > 0) {  // crash at the crash_at-th write or sync of the WAL (0: after the run)
    faultvfs::Selector when;
    when.path = "wal";
    when.after_op = 0;
    when.nth = crash_at;
    when.op = *rc::gen::element(faultvfs::OpKind::kWrite, faultvfs::OpKind::kDatasync);
    plan.rules.push_back(faultvfs::Rule{when, faultvfs::Action{.kind = faultvfs::ActionKind::kCrash}, 1});
  }
  return plan;
}

std::unique_ptr<FaultVfs> make_vfs(faultvfs::MemVfs& backend, FaultPlan plan) {
  auto created = FaultVfs::create(backend, std::move(plan));
  RC_ASSERT(created.ok());
  auto vfs = std::move(created).value();
  vfs->set_injection(false);
  RC_ASSERT(open_file(*vfs, "wal") != nullptr);
  RC_ASSERT(vfs->sync_dir("").ok());
  vfs->set_injection(true);
  return vfs;
}

RC_GTEST_PROP(WalCrash, PowerLossRecoversACommittedPrefixWithEverySyncedTxn, ()) {
  const Workload w = *gen_workload();
  uint64_t frames = 2;
  for (const TxnSpec& txn : w.txns) frames += txn.pages.size() + 1;
  faultvfs::MemVfs backend;
  auto vfs = make_vfs(backend, gen_plan(frames));
  const Record rec = run(*vfs, w);
  RC_ASSERT(vfs->crash(CrashKind::kPower).ok());
  const WalStop stop = check_recovery(*vfs, rec);
  RC_CLASSIFY(rec.gen2_attempted, "new generation");
  RC_TAG(std::string(wal_stop_name(stop)));
}

// Small cases, every crash state: sector 4096 keeps the space enumerable.
RC_GTEST_PROP(WalCrash, EveryCrashStateOfASmallRunRecoversAValidPrefix, ()) {
  Workload w = *gen_workload();
  w.txns.resize(std::min<size_t>(w.txns.size(), 3));
  w.sync_after.resize(w.txns.size());
  for (TxnSpec& txn : w.txns) txn.pages.resize(std::min<size_t>(txn.pages.size(), 2));
  FaultPlan plan;
  plan.sector_size_bytes = 4096;
  plan.size_before_data = *rc::gen::arbitrary<bool>();
  faultvfs::MemVfs backend;
  auto vfs = make_vfs(backend, plan);
  const Record rec = run(*vfs, w);
  auto space = vfs->crash_space();
  RC_ASSERT(space.ok());
  Prng prng(7);
  uint64_t checked = 0;
  auto visit = space->for_each(4096, prng, [&](const faultvfs::DiskImage& image) {
    faultvfs::MemVfs restored(image);
    (void)check_recovery(restored, rec);
    ++checked;
    return true;
  });
  RC_ASSERT(checked == visit.visited);
  RC_TAG(visit.exhaustive ? "exhaustive" : "sampled");
}

// A fixed case whose crash states are counted and all checked: txn 1 synced,
// txns 2 and 3 pending.
TEST(WalCrash, EnumeratedStatesOfAnUnsyncedTailAllRecoverAPrefix) {
  FaultPlan plan;
  plan.sector_size_bytes = 4096;
  faultvfs::MemVfs backend;
  auto created = FaultVfs::create(backend, plan);
  ASSERT_TRUE(created.ok());
  auto vfs = std::move(created).value();
  auto file = open_file(*vfs, "wal");
  ASSERT_TRUE(vfs->sync_dir("").ok());
  auto writer = WalWriter::start(*file, WalHeader{});
  ASSERT_TRUE(writer.ok());
  const std::vector<TxnSpec> txns = {{{{1, 1}}}, {{{2, 2}, {3, 3}}}, {{{4, 4}}}};
  ASSERT_TRUE(append_txn(*writer, txns[0]).ok());
  ASSERT_TRUE(writer->sync().ok());
  ASSERT_TRUE(append_txn(*writer, txns[1]).ok());
  ASSERT_TRUE(append_txn(*writer, txns[2]).ok());
  auto space = vfs->crash_space();
  ASSERT_TRUE(space.ok());
  Prng prng(1);
  std::set<size_t> outcomes;
  auto visit = space->for_each(100000, prng, [&](const faultvfs::DiskImage& image) {
    faultvfs::MemVfs restored(image);
    auto f = open_file(restored, "wal", faultvfs::OpenMode::kMustExist);
    auto scan = scan_wal(*f, keep_pages());
    EXPECT_TRUE(scan.ok());
    auto got = recovered_txns(*scan);
    EXPECT_TRUE(is_prefix(got, txns) && !got.empty()) << scan->describe();
    outcomes.insert(got.size());
    return true;
  });
  EXPECT_TRUE(visit.exhaustive);
  EXPECT_GT(visit.visited, 8u);
  EXPECT_EQ(outcomes, (std::set<size_t>{1, 2, 3}));  // every prefix is reachable, nothing else
}

}  // namespace
}  // namespace fl::engine::testing
