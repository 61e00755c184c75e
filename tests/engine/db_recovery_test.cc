// refdb recovery (db.h [db.8]) at the Db level: every prefix of a WAL
// recovers to exactly the commits it holds whole, and files that are not a
// refdb database are kCorruption, never a crash.
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "base/prng.h"
#include "engine/db.h"
#include "engine/page_format.h"
#include "engine/wal_format.h"
#include "faultvfs/mem_vfs.h"

namespace fl::engine::testing {
namespace {

using KV = std::map<std::string, std::string>;

KV read_keys(Db& db, int keys) {
  KV out;
  auto txn = db.begin();
  for (int k = 0; k < keys; ++k) {
    auto value = txn->get("k" + std::to_string(k));
    EXPECT_TRUE(value.ok()) << value.status().to_string();
    if (value.ok() && *value) out["k" + std::to_string(k)] = **value;
  }
  EXPECT_TRUE(txn->commit().ok());
  return out;
}

struct Recorded {
  faultvfs::Bytes page_file;
  faultvfs::Bytes wal;
  std::vector<uint64_t> commit_end;  // WAL size after commit i
  std::vector<KV> states;            // states[i] = after i commits
};

constexpr int kKeys = 40;

// Twelve commits of puts and erases (values large enough to split leaves).
Recorded record() {
  faultvfs::MemVfs vfs;
  Options options;
  options.auto_checkpoint_frames = 0;
  auto db = *Db::open(vfs, "", options);
  Recorded rec;
  rec.states.push_back({});
  Prng prng = Prng::stream(7, "recovery-test");
  KV model;
  for (int i = 0; i < 12; ++i) {
    auto txn = db->begin();
    for (int op = 0; op < 6; ++op) {
      const std::string key = "k" + std::to_string(prng.uniform(kKeys));
      if (prng.chance(Ratio{1, 4})) {
        EXPECT_TRUE(txn->erase(key).ok());
        model.erase(key);
      } else {
        const std::string value = std::to_string(i) + std::string(150 + prng.uniform(300), 'v');
        EXPECT_TRUE(txn->put(key, value).ok());
        model[key] = value;
      }
    }
    EXPECT_TRUE(txn->commit().ok());
    rec.states.push_back(model);
    rec.commit_end.push_back(faultvfs::read_all(vfs, wal_file_name(1))->size());
  }
  rec.page_file = *faultvfs::read_all(vfs, std::string(kPageFileName));
  rec.wal = *faultvfs::read_all(vfs, wal_file_name(1));
  return rec;
}

TEST(DbRecovery, EveryPrefixOfTheWalRecoversTheWholeCommitsItHolds) {
  const Recorded rec = record();
  ASSERT_EQ(rec.commit_end.back(), rec.wal.size());
  // Every sector boundary, and every frame boundary with its neighbours.
  std::vector<uint64_t> cuts;
  for (uint64_t at = 0; at <= rec.wal.size(); at += 512) cuts.push_back(at);
  for (uint64_t at = kWalHeaderBytes; at <= rec.wal.size(); at += kWalFrameBytes) {
    for (uint64_t near : {at - 1, at, at + 1}) {
      if (near <= rec.wal.size()) cuts.push_back(near);
    }
  }
  cuts.push_back(rec.wal.size());
  for (uint64_t cut : cuts) {
    faultvfs::MemVfs vfs;
    ASSERT_TRUE(faultvfs::write_all(vfs, std::string(kPageFileName), rec.page_file).ok());
    ASSERT_TRUE(faultvfs::write_all(vfs, wal_file_name(1), std::span(rec.wal).first(cut)).ok());
    auto db = Db::open(vfs, "", {});
    ASSERT_TRUE(db.ok()) << "cut " << cut << ": " << db.status().to_string();
    size_t whole = 0;
    while (whole < rec.commit_end.size() && rec.commit_end[whole] <= cut) ++whole;
    EXPECT_EQ(read_keys(**db, kKeys), rec.states[whole]) << "cut at byte " << cut;
    EXPECT_TRUE((*db)->check_integrity().ok()) << "cut " << cut;
    // The recovered log accepts new commits after its last whole one.
    auto txn = (*db)->begin();
    ASSERT_TRUE(txn->put("after", "recovery").ok());
    ASSERT_TRUE(txn->commit().ok()) << "cut " << cut;
  }
}

TEST(DbRecovery, DamagedOrForeignFilesAreCorruptionNamingTheFile) {
  const Recorded rec = record();
  Prng prng = Prng::stream(11, "garbage");
  faultvfs::Bytes garbage(3 * kPageSizeBytes);
  for (auto& b : garbage) b = static_cast<uint8_t>(prng.uniform(256));
  const std::vector<faultvfs::Bytes> page_files = {
      {},                                                                   // empty
      faultvfs::Bytes(rec.page_file.begin(), rec.page_file.begin() + 100),  // truncated header
      garbage,                                                              // random
      faultvfs::Bytes(kPageSizeBytes, 0),                                   // zeros
  };
  for (size_t i = 0; i < page_files.size(); ++i) {
    faultvfs::MemVfs vfs;
    ASSERT_TRUE(faultvfs::write_all(vfs, std::string(kPageFileName), page_files[i]).ok());
    auto db = Db::open(vfs, "", {});
    ASSERT_FALSE(db.ok()) << "page file variant " << i;
    EXPECT_TRUE(db.status().is(Code::kCorruption)) << db.status().to_string();
    EXPECT_NE(db.status().to_string().find(kPageFileName), std::string::npos) << db.status().to_string();
  }
  // A WAL of garbage holds no commit: the page file's state is recovered.
  faultvfs::MemVfs vfs;
  ASSERT_TRUE(faultvfs::write_all(vfs, std::string(kPageFileName), rec.page_file).ok());
  ASSERT_TRUE(faultvfs::write_all(vfs, wal_file_name(1), garbage).ok());
  auto db = Db::open(vfs, "", {});
  ASSERT_TRUE(db.ok()) << db.status().to_string();
  EXPECT_EQ(read_keys(**db, kKeys), rec.states[0]);
  EXPECT_TRUE((*db)->check_integrity().ok());
}

}  // namespace
}  // namespace fl::engine::testing
