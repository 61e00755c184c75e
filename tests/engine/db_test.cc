// refdb transactions, MVCC visibility, conflicts, durability modes,
// checkpoint and reopen on MemVfs (db.h).
#include <gtest/gtest.h>

#include <string>

#include "engine/db.h"
#include "engine/limits.h"
#include "faultvfs/mem_vfs.h"

namespace fl::engine::testing {
namespace {

std::unique_ptr<Db> open_db(faultvfs::Vfs& vfs, Options options = {}) {
  auto db = Db::open(vfs, "", options);
  EXPECT_TRUE(db.ok()) << db.status().to_string();
  return std::move(*db);
}

std::optional<std::string> read(Db& db, std::string_view key) {
  auto txn = db.begin();
  auto value = txn->get(key);
  EXPECT_TRUE(value.ok()) << value.status().to_string();
  EXPECT_TRUE(txn->commit().ok());
  return value.ok() ? *value : std::nullopt;
}

void write(Db& db, std::string_view key, std::string_view value) {
  auto txn = db.begin();
  ASSERT_TRUE(txn->put(key, value).ok());
  Status committed = txn->commit();
  ASSERT_TRUE(committed.ok()) << committed.to_string();
}

TEST(Db, PutGetCommitReopen) {
  faultvfs::MemVfs vfs;
  {
    auto db = open_db(vfs);
    write(*db, "a", "1");
    write(*db, "b", "2");
    EXPECT_EQ(read(*db, "a"), "1");
    EXPECT_EQ(read(*db, "zz"), std::nullopt);
    ASSERT_TRUE(db->close().ok());
  }
  auto db = open_db(vfs);
  EXPECT_EQ(read(*db, "a"), "1");
  EXPECT_EQ(read(*db, "b"), "2");
  EXPECT_TRUE(db->check_integrity().ok());
}

TEST(Db, OwnWritesVisibleOthersNotUntilCommit) {
  faultvfs::MemVfs vfs;
  auto db = open_db(vfs);
  auto t1 = db->begin();
  ASSERT_TRUE(t1->put("k", "v1").ok());
  EXPECT_EQ(*t1->get("k"), "v1");
  auto t2 = db->begin();
  EXPECT_EQ(*t2->get("k"), std::nullopt);
  ASSERT_TRUE(t1->commit().ok());
  EXPECT_EQ(*t2->get("k"), std::nullopt) << "t2 reads its snapshot, not the later commit";
  ASSERT_TRUE(t2->commit().ok());
  EXPECT_EQ(read(*db, "k"), "v1");
}

TEST(Db, RollbackDiscardsWrites) {
  faultvfs::MemVfs vfs;
  auto db = open_db(vfs);
  auto t1 = db->begin();
  ASSERT_TRUE(t1->put("k", "v").ok());
  t1->rollback();
  EXPECT_EQ(t1->outcome(), CommitOutcome::kNotCommitted);
  EXPECT_EQ(read(*db, "k"), std::nullopt);
  EXPECT_TRUE(db->check_integrity().ok());
}

TEST(Db, FirstCommitterWinsUnderBothLevels) {
  for (Isolation isolation : {Isolation::kSnapshot, Isolation::kSerializable}) {
    faultvfs::MemVfs vfs;
    Options options;
    options.isolation = isolation;
    auto db = open_db(vfs, options);
    auto t1 = db->begin();
    auto t2 = db->begin();
    ASSERT_TRUE(t1->put("k", "1").ok());
    ASSERT_TRUE(t2->put("k", "2").ok());
    ASSERT_TRUE(t1->commit().ok());
    Status second = t2->commit();
    EXPECT_TRUE(second.is(Code::kConflict)) << second.to_string();
    EXPECT_EQ(t2->outcome(), CommitOutcome::kNotCommitted);
    EXPECT_EQ(read(*db, "k"), "1");
  }
}

TEST(Db, DisjointConcurrentWritersBothCommit) {
  faultvfs::MemVfs vfs;
  auto db = open_db(vfs);
  auto t1 = db->begin();
  auto t2 = db->begin();
  ASSERT_TRUE(t1->put("a", "1").ok());
  ASSERT_TRUE(t2->put("b", "2").ok());
  ASSERT_TRUE(t1->commit().ok());
  ASSERT_TRUE(t2->commit().ok()) << "t2 is replayed on the newest state";
  EXPECT_EQ(read(*db, "a"), "1");
  EXPECT_EQ(read(*db, "b"), "2");
  EXPECT_TRUE(db->check_integrity().ok());
}

// Write skew: each reads both keys and writes one.
Status write_skew(Isolation isolation) {
  faultvfs::MemVfs vfs;
  Options options;
  options.isolation = isolation;
  auto db = open_db(vfs, options);
  write(*db, "x", "1");
  write(*db, "y", "1");
  auto t1 = db->begin();
  auto t2 = db->begin();
  EXPECT_TRUE(t1->get("x").ok() && t1->get("y").ok());
  EXPECT_TRUE(t2->get("x").ok() && t2->get("y").ok());
  EXPECT_TRUE(t1->put("x", "0").ok());
  EXPECT_TRUE(t2->put("y", "0").ok());
  EXPECT_TRUE(t1->commit().ok());
  return t2->commit();
}

TEST(Db, SnapshotAllowsWriteSkewSerializableRejectsIt) {
  EXPECT_TRUE(write_skew(Isolation::kSnapshot).ok());
  EXPECT_TRUE(write_skew(Isolation::kSerializable).is(Code::kConflict));
}

TEST(Db, ManyKeysCheckpointReopen) {
  faultvfs::MemVfs vfs;
  Options options;
  options.auto_checkpoint_frames = 0;
  {
    auto db = open_db(vfs, options);
    for (int batch = 0; batch < 20; ++batch) {
      auto txn = db->begin();
      for (int i = 0; i < 50; ++i) {
        const int k = batch * 50 + i;
        ASSERT_TRUE(txn->put("key" + std::to_string(k), std::string(100, 'a' + k % 26)).ok());
      }
      ASSERT_TRUE(txn->commit().ok());
    }
    auto result = db->checkpoint();
    ASSERT_TRUE(result.ok()) << result.status().to_string();
    EXPECT_TRUE(result->wal_reset);
    EXPECT_GT(result->pages_copied, 10u);
    EXPECT_EQ(db->stats().wal_frames, 0u);
    EXPECT_EQ(read(*db, "key777"), std::string(100, 'a' + 777 % 26));
    for (int i = 0; i < 1000; i += 3) {
      auto txn = db->begin();
      ASSERT_TRUE(txn->erase("key" + std::to_string(i)).ok());
      ASSERT_TRUE(txn->commit().ok());
    }
    ASSERT_TRUE(db->checkpoint().ok());
    EXPECT_TRUE(db->check_integrity().ok());
  }
  auto db = open_db(vfs, options);
  EXPECT_TRUE(db->check_integrity().ok());
  for (int i = 0; i < 1000; ++i) {
    const auto expected = i % 3 == 0 ? std::nullopt : std::optional<std::string>(std::string(100, 'a' + i % 26));
    ASSERT_EQ(read(*db, "key" + std::to_string(i)), expected) << i;
  }
  EXPECT_EQ(db->stats().wal_generation, 3u);
}

TEST(Db, CheckpointWaitsForOldSnapshotBeforeResetting) {
  faultvfs::MemVfs vfs;
  Options options;
  options.auto_checkpoint_frames = 0;
  auto db = open_db(vfs, options);
  write(*db, "k", "old");
  auto reader = db->begin();
  write(*db, "k", "new");
  auto result = db->checkpoint();
  ASSERT_TRUE(result.ok());
  EXPECT_FALSE(result->wal_reset);
  EXPECT_EQ(*reader->get("k"), "old");
  ASSERT_TRUE(reader->commit().ok());
  result = db->checkpoint();
  ASSERT_TRUE(result.ok());
  EXPECT_TRUE(result->wal_reset);
  EXPECT_EQ(read(*db, "k"), "new");
}

TEST(Db, CommitsDuringASteppedCheckpointSurviveIt) {
  faultvfs::MemVfs vfs;
  Options options;
  options.auto_checkpoint_frames = 0;
  {
    auto db = open_db(vfs, options);
    write(*db, "a", "1");
    auto cp = db->begin_checkpoint();
    auto done = cp->step();
    ASSERT_TRUE(done.ok() && !*done);
    write(*db, "b", "2");  // after the checkpoint picked its target
    while (done.ok() && !*done) done = cp->step();
    ASSERT_TRUE(done.ok());
    EXPECT_FALSE(cp->result().wal_reset);
    EXPECT_EQ(read(*db, "b"), "2");
  }
  auto db = open_db(vfs, options);
  EXPECT_EQ(read(*db, "a"), "1");
  EXPECT_EQ(read(*db, "b"), "2");
}

TEST(Db, AutoCheckpointKeepsWalBounded) {
  faultvfs::MemVfs vfs;
  Options options;
  options.auto_checkpoint_frames = 64;
  auto db = open_db(vfs, options);
  for (int i = 0; i < 500; ++i) write(*db, "k" + std::to_string(i % 37), std::to_string(i));
  EXPECT_LT(db->stats().wal_frames, 64u);
  EXPECT_GT(db->stats().checkpoints, 3u);
  EXPECT_TRUE(db->check_integrity().ok());
}

TEST(Db, RejectsBadKeysAndValues) {
  faultvfs::MemVfs vfs;
  auto db = open_db(vfs);
  auto txn = db->begin();
  EXPECT_TRUE(txn->put("", "v").is(Code::kInvalidArgument));
  EXPECT_TRUE(txn->put(std::string(kKeyBytesMax + 1, 'k'), "v").is(Code::kInvalidArgument));
  EXPECT_TRUE(txn->put("k", std::string(kValueBytesMax + 1, 'v')).is(Code::kInvalidArgument));
  EXPECT_TRUE(txn->put(std::string(kKeyBytesMax, 'k'), std::string(kValueBytesMax, 'v')).ok());
  EXPECT_TRUE(txn->commit().ok());
}

TEST(Db, NotARefdbFileIsCorruption) {
  faultvfs::MemVfs vfs;
  ASSERT_TRUE(faultvfs::write_all(vfs, std::string(kPageFileName), faultvfs::as_bytes("hello, not a database")).ok());
  auto db = Db::open(vfs, "", {});
  ASSERT_FALSE(db.ok());
  EXPECT_TRUE(db.status().is(Code::kCorruption)) << db.status().to_string();
  EXPECT_NE(db.status().to_string().find("refdb.db"), std::string::npos) << db.status().to_string();
}

}  // namespace
}  // namespace fl::engine::testing
