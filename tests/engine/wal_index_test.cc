// tests/engine/wal_index_test.cc: WalIndex (wal_index.h) and TxnPageStore
// (txn_page_store.h) on MemVfs.
//
// Method: a page file holding only the header page (or a hand-written
// checkpointed page) and a WAL started by WalWriter; transactions run
// through TxnPageStore and commit into the WAL. Snapshots are commit_seqs.
// Pages are tagged (wal_util.h make_page) so each version is recognisable.
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/btree.h"
#include "engine/db_header.h"
#include "engine/page.h"
#include "engine/txn_page_store.h"
#include "engine/wal_format.h"
#include "engine/wal_index.h"
#include "faultvfs/mem_vfs.h"
#include "tests/engine/wal_util.h"

namespace fl::engine {
namespace {

using testing::make_page;
using testing::page_tag;

constexpr WalHeader kWalHeader{1, 1, 1, 0x5a17c0de};

// A database on a MemVfs: page file "db" (header page + `extra` pages) and
// WAL "wal", with a writer started on it and an index kept beside it.
struct Db {
  faultvfs::MemVfs vfs;
  std::unique_ptr<faultvfs::File> page_file;
  std::unique_ptr<faultvfs::File> wal;
  DbHeader header;
  WalIndex index;
  std::optional<WalWriter> writer;

  explicit Db(const std::vector<Bytes>& extra = {}) {
    page_file = testing::open_file(vfs, "db");
    wal = testing::open_file(vfs, "wal");
    header.page_count = static_cast<uint32_t>(1 + extra.size());
    const auto page0 = new_db_header_page(header);
    EXPECT_TRUE(page_file->write(0, page0).ok());
    for (size_t i = 0; i < extra.size(); ++i) {
      EXPECT_TRUE(page_file->write((i + 1) * kPageSizeBytes, extra[i]).ok());
    }
    auto started = WalWriter::start(*wal, kWalHeader);
    EXPECT_TRUE(started.ok()) << started.status().to_string();
    writer.emplace(std::move(started).value());
  }

  std::unique_ptr<TxnPageStore> txn(uint64_t snapshot) {
    return std::make_unique<TxnPageStore>(*page_file, *wal, index, header, snapshot);
  }
  std::unique_ptr<TxnPageStore> latest() { return txn(index.last_commit_seq()); }
};

// Allocates pages until page `page_number` exists, then writes it with `tag`.
void put_tagged(TxnPageStore& store, uint32_t page_number, uint32_t tag) {
  while (store.meta().page_count <= page_number) {
    StoreMeta meta = store.meta();
    meta.page_count += 1;
    store.set_meta(meta);
  }
  ASSERT_TRUE(store.write_page(page_number, make_page(page_number, tag)).ok());
}

uint32_t read_tag(TxnPageStore& store, uint32_t page_number) {
  auto page = read_verified_page(store, page_number, PageType::kBtreeLeaf);
  EXPECT_TRUE(page.ok()) << page.status().to_string();
  return page.ok() ? page_tag(*page) : 0;
}

uint64_t commit(TxnPageStore& store, WalWriter& writer) {
  auto appended = store.commit(writer);
  EXPECT_TRUE(appended.ok()) << appended.status().to_string();
  return appended.ok() ? appended->commit_seq : 0;
}

TEST(WalIndex, FindsNewestFrameAtOrBelowSnapshot) {
  WalIndex index;
  const std::vector<uint32_t> first{1, 2};
  ASSERT_TRUE(index.add_commit(first, WalAppended{5, 10, 11, 48, 48 + 2 * kWalFrameBytes}, {3, 1, 0}).ok());
  const std::vector<uint32_t> second{2};
  const uint64_t offset = 48 + 2 * kWalFrameBytes;
  ASSERT_TRUE(index.add_commit(second, WalAppended{7, 12, 12, offset, offset + kWalFrameBytes}, {4, 2, 0}).ok());

  EXPECT_FALSE(index.find_frame(2, 4).has_value());
  EXPECT_EQ(index.find_frame(2, 5)->header.lsn, 11u);
  EXPECT_EQ(index.find_frame(2, 6)->header.lsn, 11u);
  EXPECT_EQ(index.find_frame(2, 7)->header.lsn, 12u);
  EXPECT_EQ(index.find_frame(2, 7)->offset_bytes, offset);
  EXPECT_EQ(index.find_frame(1, 100)->header.lsn, 10u);
  EXPECT_FALSE(index.find_frame(3, 100).has_value());
  EXPECT_FALSE(index.commit_meta(4).has_value());
  EXPECT_EQ(index.commit_meta(6)->db_page_count, 3u);
  EXPECT_EQ(index.commit_meta(7)->root_page, 2u);
  EXPECT_EQ(index.frame_count(), 3u);
  EXPECT_EQ(index.page_count(), 2u);
  EXPECT_EQ(index.last_commit_seq(), 7u);
}

TEST(WalIndex, FromScanMatchesIncrementalIndex) {
  Db db;
  for (uint32_t round = 1; round <= 3; ++round) {
    auto store = db.latest();
    put_tagged(*store, round, 10 * round);
    put_tagged(*store, 1, 10 * round + 1);
    commit(*store, *db.writer);
  }
  auto scan = scan_wal(*db.wal);
  ASSERT_TRUE(scan.ok()) << scan.status().to_string();
  auto rebuilt = WalIndex::from_scan(*scan);
  ASSERT_TRUE(rebuilt.ok()) << rebuilt.status().to_string();
  EXPECT_EQ(rebuilt->last_commit_seq(), db.index.last_commit_seq());
  EXPECT_EQ(rebuilt->frame_count(), db.index.frame_count());
  for (uint64_t seq = 0; seq <= 4; ++seq) {
    for (uint32_t page = 1; page <= 3; ++page) {
      auto a = rebuilt->find_frame(page, seq);
      auto b = db.index.find_frame(page, seq);
      ASSERT_EQ(a.has_value(), b.has_value()) << "page " << page << " seq " << seq;
      if (a) {
        EXPECT_EQ(a->offset_bytes, b->offset_bytes);
        EXPECT_EQ(a->header.lsn, b->header.lsn);
      }
    }
  }
}

TEST(TxnPageStore, TwoSnapshotsSeeTwoVersions) {
  Db db;
  auto first = db.txn(0);
  put_tagged(*first, 1, 100);
  const uint64_t seq1 = commit(*first, *db.writer);
  auto second = db.txn(seq1);
  EXPECT_EQ(read_tag(*second, 1), 100u);
  put_tagged(*second, 1, 200);
  const uint64_t seq2 = commit(*second, *db.writer);
  ASSERT_GT(seq2, seq1);

  auto old_view = db.txn(seq1);
  auto new_view = db.txn(seq2);
  EXPECT_EQ(read_tag(*old_view, 1), 100u);
  EXPECT_EQ(read_tag(*new_view, 1), 200u);
  // Before the first commit page 1 does not exist.
  auto empty_view = db.txn(0);
  EXPECT_EQ(empty_view->meta().page_count, 1u);
  EXPECT_TRUE(empty_view->read_page(1).status().is(Code::kCorruption));
}

TEST(TxnPageStore, OwnWritesVisibleOnlyToItself) {
  Db db;
  auto setup = db.txn(0);
  put_tagged(*setup, 1, 100);
  const uint64_t seq = commit(*setup, *db.writer);

  auto writer_txn = db.txn(seq);
  auto reader_txn = db.txn(seq);
  put_tagged(*writer_txn, 1, 300);
  put_tagged(*writer_txn, 2, 301);
  EXPECT_EQ(read_tag(*writer_txn, 1), 300u);
  EXPECT_EQ(read_tag(*writer_txn, 2), 301u);
  EXPECT_EQ(read_tag(*reader_txn, 1), 100u);
  EXPECT_EQ(reader_txn->meta().page_count, 2u);
  EXPECT_TRUE(reader_txn->read_page(2).status().is(Code::kCorruption));
  // Nothing reached the WAL before commit.
  EXPECT_EQ(db.index.last_commit_seq(), seq);
  auto size = db.wal->size();
  ASSERT_TRUE(size.ok());
  EXPECT_EQ(*size, db.writer->end_offset_bytes());
}

TEST(TxnPageStore, ReadOnlyCommitWritesNothing) {
  Db db;
  auto store = db.txn(0);
  auto appended = store->commit(*db.writer);
  ASSERT_TRUE(appended.ok());
  EXPECT_EQ(appended->commit_seq, 0u);
  EXPECT_EQ(db.index.commit_count(), 0u);
}

TEST(TxnPageStore, FailedAppendPassesStatusAndLeavesIndex) {
  Db db;
  auto setup = db.txn(0);
  put_tagged(*setup, 1, 100);
  const uint64_t seq = commit(*setup, *db.writer);
  auto store = db.txn(seq);
  put_tagged(*store, 1, 200);
  ASSERT_TRUE(db.wal->close().ok());  // every later write fails with EBADF
  auto appended = store->commit(*db.writer);
  ASSERT_FALSE(appended.ok());
  EXPECT_TRUE(appended.status().is(Code::kIoError)) << appended.status().to_string();
  EXPECT_TRUE(db.writer->last_append_wrote_nothing());
  EXPECT_FALSE(store->committed());
  EXPECT_EQ(db.index.last_commit_seq(), seq);
  EXPECT_EQ(db.index.frame_count(), 1u);
}

std::string key_of(int i) {
  std::string digits = std::to_string(i);
  return std::string(8 - digits.size(), '0') + digits;
}

std::map<std::string, std::string> contents(PageStore& store) {
  BTree tree(store);
  std::map<std::string, std::string> out;
  BTreeCursor cursor(tree);
  EXPECT_TRUE(cursor.first().ok());
  for (int steps = 0; cursor.valid() && steps < 100000; ++steps) {
    out.emplace(std::string(cursor.key().begin(), cursor.key().end()),
                std::string(cursor.value().begin(), cursor.value().end()));
    EXPECT_TRUE(cursor.next().ok());
  }
  return out;
}

TEST(TxnPageStore, BtreeThroughTransactionsAndReopen) {
  Db db;
  std::map<std::string, std::string> model;
  std::vector<std::map<std::string, std::string>> per_commit;
  std::vector<uint64_t> seqs;
  for (int round = 0; round < 3; ++round) {
    auto store = db.latest();
    BTree tree(*store);
    for (int i = 0; i < 400; ++i) {
      const std::string key = key_of(i * 7 + round);
      const std::string value = "v" + std::to_string(round) + "-" + std::string(40, 'x');
      ASSERT_TRUE(tree.put(as_bytes(key), as_bytes(value)).ok());
      model[key] = value;
    }
    for (int i = 0; i < 50 * round; ++i) {
      const std::string key = key_of(i * 7);
      auto erased = tree.erase(as_bytes(key));
      ASSERT_TRUE(erased.ok());
      model.erase(key);
    }
    ASSERT_TRUE(check_tree(*store).ok());
    EXPECT_EQ(contents(*store), model);
    seqs.push_back(commit(*store, *db.writer));
    per_commit.push_back(model);
  }
  for (size_t i = 0; i < seqs.size(); ++i) {
    auto view = db.txn(seqs[i]);
    EXPECT_EQ(contents(*view), per_commit[i]) << "snapshot " << seqs[i];
    EXPECT_TRUE(check_tree(*view).ok());
  }

  // Reopen: the WAL bytes alone, scanned into a new index.
  ASSERT_TRUE(db.wal->close().ok());
  auto wal = testing::open_file(db.vfs, "wal", faultvfs::OpenMode::kMustExist);
  auto scan = scan_wal(*wal);
  ASSERT_TRUE(scan.ok()) << scan.status().to_string();
  EXPECT_EQ(scan->commit_count, seqs.size());
  auto index = WalIndex::from_scan(*scan);
  ASSERT_TRUE(index.ok()) << index.status().to_string();
  EXPECT_EQ(index->last_commit_seq(), seqs.back());
  TxnPageStore reopened(*db.page_file, *wal, *index, db.header, index->last_commit_seq());
  EXPECT_EQ(contents(reopened), per_commit.back());
  EXPECT_TRUE(check_tree(reopened).ok());

  // A commit after resume() is indexed and visible to a later snapshot.
  auto resumed = WalWriter::resume(*wal, *scan);
  ASSERT_TRUE(resumed.ok()) << resumed.status().to_string();
  {
    BTree tree(reopened);
    ASSERT_TRUE(tree.put(as_bytes("zz-after-reopen"), as_bytes("1")).ok());
  }
  const uint64_t after = commit(reopened, *resumed);
  EXPECT_EQ(after, seqs.back() + 1);
  TxnPageStore later(*db.page_file, *wal, *index, db.header, after);
  auto expected = per_commit.back();
  expected["zz-after-reopen"] = "1";
  EXPECT_EQ(contents(later), expected);
}

TEST(TxnPageStore, CorruptWalFrameIsCorruption) {
  Db db;
  auto store = db.txn(0);
  put_tagged(*store, 1, 100);
  put_tagged(*store, 2, 101);
  commit(*store, *db.writer);
  // The committing store cached its images in the index ([widx.6]); an index
  // rebuilt by recovery has none and reads the WAL file.
  EXPECT_NE(db.index.find_entry(2, 1)->image, nullptr);
  auto scan = scan_wal(*db.wal);
  ASSERT_TRUE(scan.ok());
  db.index = std::move(*WalIndex::from_scan(*scan));
  ASSERT_EQ(db.index.find_entry(2, 1)->image, nullptr);
  auto frame = db.index.find_frame(2, 1);
  ASSERT_TRUE(frame.has_value());
  // Flip one byte of page 2's image in the WAL.
  const uint64_t at = frame->offset_bytes + kFrameHeaderBytes + 100;
  uint8_t byte = 0;
  ASSERT_TRUE(db.wal->read(at, std::span<uint8_t>(&byte, 1)).ok());
  byte ^= 0x40;
  ASSERT_TRUE(db.wal->write(at, std::span<const uint8_t>(&byte, 1)).ok());

  auto view = db.txn(1);
  EXPECT_EQ(read_tag(*view, 1), 100u);
  auto damaged = view->read_page(2);
  ASSERT_FALSE(damaged.ok());
  EXPECT_TRUE(damaged.status().is(Code::kCorruption)) << damaged.status().to_string();
  EXPECT_NE(damaged.status().to_string().find("page 2"), std::string::npos) << damaged.status().to_string();
}

TEST(TxnPageStore, CorruptOrShortPageFileIsCorruption) {
  Bytes page1 = make_page(1, 7);
  Bytes page2 = make_page(2, 8);
  page2[kPageSizeBytes - 1] ^= 0x01;
  Db db({page1, page2});
  auto view = db.txn(0);
  EXPECT_EQ(view->meta().page_count, 3u);
  EXPECT_EQ(read_tag(*view, 1), 7u);
  auto damaged = view->read_page(2);
  ASSERT_FALSE(damaged.ok());
  EXPECT_TRUE(damaged.status().is(Code::kCorruption));
  EXPECT_NE(damaged.status().to_string().find("page 2"), std::string::npos) << damaged.status().to_string();

  // A committed WAL image of page 2 hides the damaged page-file copy.
  put_tagged(*view, 2, 9);
  const uint64_t seq = commit(*view, *db.writer);
  auto fixed = db.txn(seq);
  EXPECT_EQ(read_tag(*fixed, 2), 9u);

  // A page file shorter than page_count pages.
  ASSERT_TRUE(db.page_file->truncate(kPageSizeBytes + 100).ok());
  auto short_view = db.txn(0);
  auto missing = short_view->read_page(1);
  ASSERT_FALSE(missing.ok());
  EXPECT_TRUE(missing.status().is(Code::kCorruption));
  EXPECT_NE(missing.status().to_string().find("page 1"), std::string::npos) << missing.status().to_string();
}

}  // namespace
}  // namespace fl::engine
