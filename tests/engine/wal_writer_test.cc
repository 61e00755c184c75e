// WalWriter: appends, phases, failures and resume ([walw.1]..[walw.7]).
#include <gtest/gtest.h>

#include "engine/limits.h"
#include "faultvfs/fault_vfs.h"
#include "tests/engine/wal_util.h"

namespace fl::engine::testing {
namespace {

using faultvfs::Action;
using faultvfs::ActionKind;
using faultvfs::FaultPlan;
using faultvfs::FaultVfs;
using faultvfs::OpKind;
using faultvfs::Phase;
using faultvfs::Rule;
using faultvfs::Selector;

const TxnSpec kOne{{{1, 10}}};
const TxnSpec kTwo{{{2, 20}, {3, 21}}};

struct FaultRig {
  explicit FaultRig(FaultPlan plan) {
    auto created = FaultVfs::create(backend, std::move(plan));
    EXPECT_TRUE(created.ok());
    vfs = std::move(created).value();
    vfs->set_injection(false);
    file = open_file(*vfs, "wal");
    EXPECT_TRUE(vfs->sync_dir("").ok());
    vfs->set_injection(true);
  }
  faultvfs::MemVfs backend;
  std::unique_ptr<FaultVfs> vfs;
  std::unique_ptr<faultvfs::File> file;
};

Rule rule(Selector when, Action action) { return Rule{std::move(when), action, std::nullopt}; }

TEST(WalWriter, AppendReportsLsnsCommitSeqAndOffsets) {  // [walw.2]
  faultvfs::MemVfs vfs;
  auto file = open_file(vfs, "wal");
  auto writer = WalWriter::start(*file, WalHeader{3, 50, 7, 9});
  ASSERT_TRUE(writer.ok());
  auto a = append_txn(*writer, kOne);
  auto b = append_txn(*writer, kTwo);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->commit_seq, 7u);
  EXPECT_EQ(a->first_lsn, 50u);
  EXPECT_EQ(a->last_lsn, 50u);
  EXPECT_EQ(a->first_offset_bytes, kWalHeaderBytes);
  EXPECT_EQ(b->commit_seq, 8u);
  EXPECT_EQ(b->first_lsn, 51u);
  EXPECT_EQ(b->last_lsn, 52u);
  EXPECT_EQ(b->end_offset_bytes, kWalHeaderBytes + 3 * kWalFrameBytes);
  EXPECT_EQ(writer->next_lsn(), 53u);
  EXPECT_EQ(*file->size(), b->end_offset_bytes);
}

TEST(WalWriter, InvalidTransactionsAreRejectedWithoutWriting) {  // [walw.7]
  faultvfs::MemVfs vfs;
  auto file = open_file(vfs, "wal");
  auto writer = WalWriter::start(*file, WalHeader{});
  ASSERT_TRUE(writer.ok());
  Bytes page = make_page(2, 1);
  const WalPage one[] = {{2, page}};
  EXPECT_TRUE(writer->append({}, WalCommitMeta{3, 0, 0}).status().is(Code::kInvalidArgument));
  EXPECT_TRUE(writer->append(one, WalCommitMeta{0, 0, 0}).status().is(Code::kInvalidArgument));
  EXPECT_TRUE(writer->append(one, WalCommitMeta{2, 0, 0}).status().is(Code::kInvalidArgument));  // page 2 >= count
  EXPECT_TRUE(writer->append(one, WalCommitMeta{3, 3, 0}).status().is(Code::kInvalidArgument));  // root
  EXPECT_TRUE(writer->append(one, WalCommitMeta{3, 0, 5}).status().is(Code::kInvalidArgument));  // freelist
  EXPECT_TRUE(writer->append(one, WalCommitMeta{kPageCountMax + 1, 0, 0}).status().is(Code::kInvalidArgument));
  EXPECT_TRUE(writer->last_append_wrote_nothing());
  EXPECT_FALSE(writer->poisoned());
  EXPECT_EQ(*file->size(), kWalHeaderBytes);
  EXPECT_TRUE(writer->append(one, WalCommitMeta{3, 0, 0}).ok());
}

TEST(WalWriter, StartWritesAndSyncsTheHeaderInWalPhases) {  // [walw.1]
  FaultPlan plan;
  plan.rules.push_back(rule(Selector{.op = OpKind::kDatasync, .phase = Phase::kWalSync},
                            Action{.kind = ActionKind::kFail}));
  FaultRig rig(plan);
  auto writer = WalWriter::start(*rig.file, WalHeader{});
  ASSERT_FALSE(writer.ok());
  EXPECT_TRUE(writer.status().is(Code::kIoError));
  EXPECT_TRUE(writer.status().injected());
}

TEST(WalWriter, FailedFirstWriteIsADefiniteFailureAndPoisons) {  // [walw.4], [walw.5]
  FaultPlan plan;
  // The header is write 1 in wal.append; the transaction's first frame is write 2.
  plan.rules.push_back(rule(Selector{.op = OpKind::kWrite, .phase = Phase::kWalAppend, .nth = 2},
                            Action{.kind = ActionKind::kFail, .err = ENOSPC}));
  FaultRig rig(plan);
  auto writer = WalWriter::start(*rig.file, WalHeader{});
  ASSERT_TRUE(writer.ok());
  auto appended = append_txn(*writer, kTwo);
  ASSERT_FALSE(appended.ok());
  EXPECT_TRUE(appended.status().is(Code::kNoSpace));
  EXPECT_TRUE(writer->last_append_wrote_nothing());
  EXPECT_TRUE(writer->poisoned());
  EXPECT_TRUE(append_txn(*writer, kOne).status().is(Code::kPoisoned));
  EXPECT_TRUE(writer->sync().is(Code::kPoisoned));
}

TEST(WalWriter, FailureAfterTheFirstFrameIsIndeterminate) {
  FaultPlan plan;
  plan.rules.push_back(rule(Selector{.op = OpKind::kWrite, .phase = Phase::kWalAppend, .nth = 3},
                            Action{.kind = ActionKind::kFail}));
  FaultRig rig(plan);
  auto writer = WalWriter::start(*rig.file, WalHeader{});
  ASSERT_TRUE(writer.ok());
  auto appended = append_txn(*writer, kTwo);  // frame 1 written, frame 2 fails
  ASSERT_FALSE(appended.ok());
  EXPECT_FALSE(writer->last_append_wrote_nothing());
  EXPECT_TRUE(writer->poisoned());
}

TEST(WalWriter, ShortWritesAreContinued) {
  FaultPlan plan;
  plan.rules.push_back(rule(Selector{.op = OpKind::kWrite, .phase = Phase::kWalAppend, .after_op = 3},
                            Action{.kind = ActionKind::kShortWrite}));
  plan.rules.back().times_max = 3;
  FaultRig rig(plan);
  auto writer = WalWriter::start(*rig.file, WalHeader{});
  ASSERT_TRUE(writer.ok());
  ASSERT_TRUE(append_txn(*writer, kTwo).ok());
  ASSERT_TRUE(append_txn(*writer, kOne).ok());
  ASSERT_FALSE(rig.vfs->fault_log().empty());
  auto scan = scan_wal(*rig.file, keep_pages());
  ASSERT_TRUE(scan.ok());
  EXPECT_EQ(recovered_txns(*scan), (std::vector<TxnSpec>{kTwo, kOne}));
}

TEST(WalWriter, FailedSyncPoisonsAndIsNeverRetried) {  // [walw.4]
  FaultPlan plan;
  plan.rules.push_back(rule(Selector{.op = OpKind::kDatasync, .phase = Phase::kWalSync, .nth = 2},
                            Action{.kind = ActionKind::kFail}));
  FaultRig rig(plan);
  auto writer = WalWriter::start(*rig.file, WalHeader{});  // sync 1
  ASSERT_TRUE(writer.ok());
  ASSERT_TRUE(append_txn(*writer, kOne).ok());
  EXPECT_TRUE(writer->sync().is(Code::kIoError));  // sync 2
  const uint64_t ops = rig.vfs->op_count();
  EXPECT_TRUE(writer->sync().is(Code::kPoisoned));
  EXPECT_TRUE(append_txn(*writer, kOne).status().is(Code::kPoisoned));
  EXPECT_EQ(rig.vfs->op_count(), ops);  // nothing reached the file after the failure
}

TEST(WalWriter, ResumeTruncatesTheTailAndContinuesTheChain) {  // [walw.6]
  faultvfs::MemVfs vfs;
  auto file = open_file(vfs, "wal");
  {
    auto writer = WalWriter::start(*file, WalHeader{});
    ASSERT_TRUE(append_txn(*writer, kOne).ok());
    ASSERT_TRUE(append_txn(*writer, kTwo).ok());
  }
  const uint64_t full = *file->size();
  ASSERT_TRUE(file->truncate(full - 100).ok());  // txn 2's commit frame torn
  auto scan = scan_wal(*file);
  ASSERT_TRUE(scan.ok());
  EXPECT_EQ(scan->stop, WalStop::kTornFrame);
  EXPECT_EQ(scan->uncommitted_frames, 1u);
  auto resumed = WalWriter::resume(*file, *scan);
  ASSERT_TRUE(resumed.ok()) << resumed.status().to_string();
  EXPECT_EQ(*file->size(), scan->valid_end_offset_bytes);
  const TxnSpec three{{{4, 40}}};
  auto appended = append_txn(*resumed, three);
  ASSERT_TRUE(appended.ok());
  EXPECT_EQ(appended->commit_seq, 2u);
  EXPECT_EQ(appended->first_lsn, 2u);
  auto again = scan_wal(*file, keep_pages());
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(recovered_txns(*again), (std::vector<TxnSpec>{kOne, three}));
  EXPECT_EQ(again->stop, WalStop::kEndOfLog);
}

TEST(WalWriter, ResumeNeedsAUsableHeader) {
  faultvfs::MemVfs vfs;
  auto file = open_file(vfs, "wal");
  auto scan = scan_wal(*file);
  ASSERT_TRUE(scan.ok());
  EXPECT_EQ(scan->stop, WalStop::kNoHeader);
  EXPECT_TRUE(WalWriter::resume(*file, *scan).status().is(Code::kInvalidArgument));
}

TEST(WalWriter, StartRejectsZeroGenerationOrLsn) {
  faultvfs::MemVfs vfs;
  auto file = open_file(vfs, "wal");
  EXPECT_TRUE(WalWriter::start(*file, WalHeader{0, 1, 1, 0}).status().is(Code::kInvalidArgument));
  EXPECT_TRUE(WalWriter::start(*file, WalHeader{1, 0, 1, 0}).status().is(Code::kInvalidArgument));
  EXPECT_EQ(*file->size(), 0u);
}

}  // namespace
}  // namespace fl::engine::testing
