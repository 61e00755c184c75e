// The recovery scan: docs/formats/wal.md "Recovery scan" ([walr.1]..[walr.5]).
#include <gtest/gtest.h>

#include <functional>

#include "base/crc32c.h"
#include "tests/engine/wal_util.h"

namespace fl::engine::testing {
namespace {

const std::vector<TxnSpec> kTxns = {
    {{{1, 10}}},
    {{{2, 20}, {3, 21}}},
    {{{1, 30}}},
    {{{4, 40}, {2, 41}, {5, 42}}},
};
constexpr size_t kFrames = 7;

size_t frame_offset(size_t index) { return kWalHeaderBytes + index * kWalFrameBytes; }

// Recomputes every frame checksum, as a forger (or a buggy writer) would, so
// that only the field checks behind the chain can catch the change.
void reforge_chain(Bytes& wal) {
  auto header = decode_wal_header(std::span<const uint8_t>(wal).first(kWalHeaderBytes));
  ASSERT_TRUE(header.ok());
  uint32_t prev = wal_chain_seed(*header);
  for (size_t off = kWalHeaderBytes; off + kWalFrameBytes <= wal.size(); off += kWalFrameBytes) {
    std::span<uint8_t> frame(wal.data() + off, kWalFrameBytes);
    prev = wal_frame_checksum(prev, frame);
    internal::put_u32(frame, kFrameChecksumOffset, crc32c_mask(prev));
  }
}

WalScan scan_ok(const Bytes& wal, WalScanOptions options = {}) {
  auto scan = scan_bytes(wal, options);
  EXPECT_TRUE(scan.ok()) << scan.status().to_string();
  return scan.ok() ? std::move(scan).value() : WalScan{};
}

std::vector<TxnSpec> first(size_t n) { return std::vector<TxnSpec>(kTxns.begin(), kTxns.begin() + n); }

TEST(WalReader, CleanLogReturnsEveryTransaction) {  // [walr.1]
  const WrittenWal wal = write_wal(kTxns);
  WalScan scan = scan_ok(wal.bytes);
  EXPECT_EQ(recovered_txns(scan), kTxns);
  EXPECT_EQ(scan.stop, WalStop::kEndOfLog) << scan.describe();
  EXPECT_EQ(scan.commit_count, 4u);
  EXPECT_EQ(scan.uncommitted_frames, 0u);
  EXPECT_EQ(scan.valid_end_offset_bytes, wal.bytes.size());
  EXPECT_EQ(scan.next_lsn, 1 + kFrames);
  EXPECT_EQ(scan.next_commit_seq, 5u);
  EXPECT_EQ(scan.frames.back().header.commit_seq, 4u);
}

// Truncating the log at every byte offset recovers exactly the transactions
// whose commit frame is complete.
TEST(WalReader, EveryPrefixRecoversExactlyTheCompleteCommits) {
  const WrittenWal wal = write_wal(kTxns);
  faultvfs::MemVfs vfs;
  ASSERT_TRUE(faultvfs::write_all(vfs, "wal", wal.bytes).ok());
  auto file = open_file(vfs, "wal", faultvfs::OpenMode::kMustExist);
  for (uint64_t size = wal.bytes.size() + 1; size-- > 0;) {  // shrinking only
    ASSERT_TRUE(file->truncate(size).ok());
    WalScanOptions options;
    options.keep_pages = true;
    auto scan = scan_wal(*file, options);
    ASSERT_TRUE(scan.ok()) << size;
    size_t complete = 0;
    while (complete < wal.commit_end_bytes.size() && wal.commit_end_bytes[complete] <= size) ++complete;
    ASSERT_EQ(recovered_txns(*scan), first(complete)) << "prefix of " << size << " bytes: " << scan->describe();
    const bool boundary = size >= kWalHeaderBytes && (size - kWalHeaderBytes) % kWalFrameBytes == 0;
    const WalStop expected = size < kWalHeaderBytes ? WalStop::kNoHeader
                             : boundary             ? WalStop::kEndOfLog
                                                    : WalStop::kTornFrame;
    ASSERT_EQ(scan->stop, expected) << size << ": " << scan->describe();
    const uint64_t valid_end = complete == 0 ? (size < kWalHeaderBytes ? 0 : kWalHeaderBytes)
                                             : wal.commit_end_bytes[complete - 1];
    ASSERT_EQ(scan->valid_end_offset_bytes, valid_end) << size;
  }
}

TEST(WalReader, UncommittedTailIsCountedNotReturned) {
  const WrittenWal wal = write_wal(kTxns);
  Bytes cut(wal.bytes.begin(), wal.bytes.begin() + frame_offset(kFrames - 1));  // drop the last commit frame
  WalScan scan = scan_ok(cut);
  EXPECT_EQ(recovered_txns(scan), first(3));
  EXPECT_EQ(scan.stop, WalStop::kEndOfLog);
  EXPECT_EQ(scan.uncommitted_frames, 2u);
  EXPECT_EQ(scan.valid_end_offset_bytes, wal.commit_end_bytes[2]);
}

// Corrupting a named field of frame 3 (the first frame of the 3rd
// transaction) keeps exactly the first two transactions.
struct FieldCase {
  std::string name;
  size_t offset;  // within the frame
  WalStop stop;
};

TEST(WalReader, CorruptedFrameFieldStopsTheScanAtThatFrame) {
  const WrittenWal wal = write_wal(kTxns);
  for (const FieldCase& c : {FieldCase{"salt", kFrameSaltOffset, WalStop::kSaltMismatch},
                             FieldCase{"generation", kFrameGenerationOffset, WalStop::kSaltMismatch},
                             FieldCase{"checksum", kFrameChecksumOffset, WalStop::kChecksumMismatch},
                             FieldCase{"page_number", kFramePageNumberOffset, WalStop::kChecksumMismatch},
                             FieldCase{"lsn", kFrameLsnOffset, WalStop::kChecksumMismatch},
                             FieldCase{"commit marker", kFrameDbPageCountOffset, WalStop::kChecksumMismatch},
                             FieldCase{"commit_seq", kFrameCommitSeqOffset, WalStop::kChecksumMismatch},
                             FieldCase{"page crc", kFrameHeaderBytes + kPageCrcOffset, WalStop::kChecksumMismatch},
                             FieldCase{"page body", kFrameHeaderBytes + 2000, WalStop::kChecksumMismatch}}) {
    Bytes bytes = wal.bytes;
    bytes[frame_offset(3) + c.offset] ^= 0x01;
    WalScan scan = scan_ok(bytes);
    EXPECT_EQ(recovered_txns(scan), first(2)) << c.name;
    EXPECT_EQ(scan.stop, c.stop) << c.name << ": " << scan.describe();
    EXPECT_EQ(scan.stop_offset_bytes, frame_offset(3)) << c.name;
  }
}

TEST(WalReader, CorruptedCommitFrameDropsItsWholeTransaction) {
  const WrittenWal wal = write_wal(kTxns);
  Bytes bytes = wal.bytes;
  bytes[frame_offset(2) + kFrameDbPageCountOffset] = 0;  // txn 2's commit marker erased
  WalScan scan = scan_ok(bytes);
  EXPECT_EQ(recovered_txns(scan), first(1));
  EXPECT_EQ(scan.stop, WalStop::kChecksumMismatch);
}

TEST(WalReader, CorruptedHeaderGivesNoFrames) {  // [walr.3]
  const WrittenWal wal = write_wal(kTxns);
  for (size_t offset : {kWalMagicOffset, kWalSaltOffset, kWalGenerationOffset, kWalHeaderCrcOffset}) {
    Bytes bytes = wal.bytes;
    bytes[offset] ^= 0x20;
    WalScan scan = scan_ok(bytes);
    EXPECT_TRUE(scan.frames.empty());
    EXPECT_EQ(scan.stop, WalStop::kBadHeader) << scan.describe();
    EXPECT_FALSE(scan.header.has_value());
  }
  EXPECT_EQ(scan_ok(Bytes{}).stop, WalStop::kNoHeader);
}

TEST(WalReader, UnexpectedGenerationOrSaltGivesNoFrames) {
  const WrittenWal wal = write_wal(kTxns);
  WalScanOptions options;
  options.expected_generation = 1;
  options.expected_salt = 0x5a17c0de;
  EXPECT_EQ(recovered_txns(scan_ok(wal.bytes, options)), kTxns);
  options.expected_generation = 2;
  WalScan scan = scan_ok(wal.bytes, options);
  EXPECT_EQ(scan.stop, WalStop::kHeaderMismatch);
  EXPECT_TRUE(scan.frames.empty());
  options.expected_generation = 1;
  options.expected_salt = 7;
  EXPECT_EQ(scan_ok(wal.bytes, options).stop, WalStop::kHeaderMismatch);
}

TEST(WalReader, OtherVersionIsNotSupported) {
  Bytes bytes = write_wal(kTxns).bytes;
  internal::put_u32(bytes, kWalVersionOffset, 9);
  internal::put_u32(bytes, kWalHeaderCrcOffset, crc32c_mask(crc32c(std::span<const uint8_t>(bytes).first(44))));
  EXPECT_TRUE(scan_bytes(bytes).status().is(Code::kNotSupported));
}

// A new generation over an older, longer log: the old frames behind the new
// ones are stale and never replayed.
TEST(WalReader, StaleFramesOfThePreviousGenerationAreIgnored) {
  faultvfs::MemVfs vfs;
  auto file = open_file(vfs, "wal");
  auto old_gen = WalWriter::start(*file, WalHeader{1, 1, 1, 111});
  for (const TxnSpec& txn : kTxns) ASSERT_TRUE(append_txn(*old_gen, txn).ok());
  auto new_gen = WalWriter::start(*file, WalHeader{2, old_gen->next_lsn(), old_gen->next_commit_seq(), 222});
  ASSERT_TRUE(new_gen.ok());
  const TxnSpec fresh{{{6, 60}}};
  ASSERT_TRUE(append_txn(*new_gen, fresh).ok());
  WalScanOptions options;
  options.keep_pages = true;
  auto scan = scan_wal(*file, options);
  ASSERT_TRUE(scan.ok());
  EXPECT_EQ(recovered_txns(*scan), std::vector<TxnSpec>{fresh});
  EXPECT_EQ(scan->stop, WalStop::kSaltMismatch) << scan->describe();
  EXPECT_EQ(scan->stop_offset_bytes, frame_offset(1));
  EXPECT_EQ(scan->frames[0].header.lsn, 8u);
  EXPECT_EQ(scan->frames[0].header.commit_seq, 5u);

  // Same generation number reused with a different salt: still stale.
  auto same_gen = WalWriter::start(*file, WalHeader{2, 100, 100, 333});
  ASSERT_TRUE(same_gen.ok());
  scan = scan_wal(*file, options);
  ASSERT_TRUE(scan.ok());
  EXPECT_TRUE(scan->frames.empty());
  EXPECT_EQ(scan->stop, WalStop::kSaltMismatch);
}

TEST(WalReader, FramesAfterAGapAreNotReplayed) {
  const WrittenWal wal = write_wal(kTxns);
  // Frame 3 never reached the disk (zeros), frames 4.. did.
  Bytes bytes = wal.bytes;
  std::fill(bytes.begin() + frame_offset(3), bytes.begin() + frame_offset(4), uint8_t{0});
  WalScan scan = scan_ok(bytes);
  EXPECT_EQ(recovered_txns(scan), first(2));
  EXPECT_EQ(scan.stop, WalStop::kSaltMismatch);  // a zero frame has generation 0
  // Frame 3 removed entirely: frame 4 now follows frame 2.
  bytes = wal.bytes;
  bytes.erase(bytes.begin() + frame_offset(3), bytes.begin() + frame_offset(4));
  scan = scan_ok(bytes);
  EXPECT_EQ(recovered_txns(scan), first(2));
  EXPECT_EQ(scan.stop, WalStop::kChecksumMismatch);
}

TEST(WalReader, ReorderedOrDuplicatedFramesBreakTheChain) {
  const WrittenWal wal = write_wal(kTxns);
  Bytes bytes = wal.bytes;
  std::swap_ranges(bytes.begin() + frame_offset(1), bytes.begin() + frame_offset(2), bytes.begin() + frame_offset(2));
  EXPECT_EQ(recovered_txns(scan_ok(bytes)), first(1));
  bytes = wal.bytes;
  std::copy(wal.bytes.begin() + frame_offset(1), wal.bytes.begin() + frame_offset(2), bytes.begin() + frame_offset(2));
  EXPECT_EQ(recovered_txns(scan_ok(bytes)), first(1));
}

// Fields behind a valid chain: only the field checks can catch these.
TEST(WalReader, ForgedChainWithBadFieldsStillStops) {
  const WrittenWal wal = write_wal(kTxns);
  struct Forge {
    std::string name;
    std::function<void(std::span<uint8_t> frame)> edit;
    WalStop stop;
  };
  const std::vector<Forge> forges = {
      {"lsn skips", [](auto f) { internal::put_u64(f, kFrameLsnOffset, 99); }, WalStop::kSequenceBreak},
      {"commit_seq on a non-commit frame", [](auto f) { internal::put_u64(f, kFrameCommitSeqOffset, 3); },
       WalStop::kBadFrame},
      {"page number 0", [](auto f) { internal::put_u32(f, kFramePageNumberOffset, 0); }, WalStop::kBadFrame},
      {"page number differs from the image",
       [](auto f) { internal::put_u32(f, kFramePageNumberOffset, 3); }, WalStop::kBadFrame},
      {"page image corrupt", [](auto f) { f[kFrameHeaderBytes + 300] ^= 1; }, WalStop::kBadFrame},
  };
  for (const Forge& forge : forges) {
    Bytes bytes = wal.bytes;
    forge.edit(std::span<uint8_t>(bytes.data() + frame_offset(4), kWalFrameBytes));  // txn 4's first frame
    reforge_chain(bytes);
    WalScan scan = scan_ok(bytes);
    EXPECT_EQ(recovered_txns(scan), first(3)) << forge.name;
    EXPECT_EQ(scan.stop, forge.stop) << forge.name << ": " << scan.describe();
  }
  const std::vector<Forge> commit_forges = {
      {"commit_seq repeats", [](auto f) { internal::put_u64(f, kFrameCommitSeqOffset, 3); }, WalStop::kSequenceBreak},
      {"db_page_count excludes a page", [](auto f) { internal::put_u32(f, kFrameDbPageCountOffset, 3); },
       WalStop::kBadFrame},
      {"root past db_page_count", [](auto f) { internal::put_u32(f, kFrameRootPageOffset, 60); }, WalStop::kBadFrame},
      {"page lsn differs", [](auto f) {
         auto page = f.subspan(kFrameHeaderBytes);
         set_page_lsn(page, 1);
         seal_page(page);
       }, WalStop::kBadFrame},
  };
  for (const Forge& forge : commit_forges) {
    Bytes bytes = wal.bytes;
    forge.edit(std::span<uint8_t>(bytes.data() + frame_offset(6), kWalFrameBytes));  // txn 4's commit frame
    reforge_chain(bytes);
    WalScan scan = scan_ok(bytes);
    EXPECT_EQ(recovered_txns(scan), first(3)) << forge.name;
    EXPECT_EQ(scan.stop, forge.stop) << forge.name << ": " << scan.describe();
  }
}

TEST(WalReader, ReadWalPageRechecksTheImage) {
  const WrittenWal wal = write_wal(kTxns);
  faultvfs::MemVfs vfs;
  ASSERT_TRUE(faultvfs::write_all(vfs, "wal", wal.bytes).ok());
  auto file = open_file(vfs, "wal", faultvfs::OpenMode::kMustExist);
  auto scan = scan_wal(*file);
  ASSERT_TRUE(scan.ok());
  ASSERT_EQ(scan->frames.size(), kFrames);
  auto page = read_wal_page(*file, scan->frames[4]);
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page_tag(*page), 40u);
  ASSERT_TRUE(file->write(scan->frames[4].offset_bytes + kFrameHeaderBytes + 9, faultvfs::as_bytes("x")).ok());
  EXPECT_TRUE(read_wal_page(*file, scan->frames[4]).status().is(Code::kCorruption));
  ASSERT_TRUE(file->truncate(scan->frames[6].offset_bytes + 100).ok());
  EXPECT_TRUE(read_wal_page(*file, scan->frames[6]).status().is(Code::kCorruption));
}

}  // namespace
}  // namespace fl::engine::testing
