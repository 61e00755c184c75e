// Crash semantics of FaultVfs, asserted as the exact set of images a power
// loss can leave ([fvfs.2]..[fvfs.4], [fcrash.*], [names.*]).
#include <gtest/gtest.h>

#include "tests/faultvfs/fault_util.h"

namespace fl::faultvfs::testing {
namespace {

using Images = std::set<std::map<std::string, std::string>>;

// A file "f" whose name and `content` are durable.
void make_durable(Rig& rig, const std::string& path, const std::string& content) {
  auto file = rig.open(path);
  rig.write(*file, 0, content);
  ASSERT_TRUE(file->sync().ok());
  ASSERT_TRUE(rig.vfs->sync_dir(std::string(parent_dir(path))).ok());
  ASSERT_TRUE(file->close().ok());
}

TEST(FaultCrash, SyncedDataAndNameHaveOneState) {
  Rig rig;
  make_durable(rig, "f", "hello");
  EXPECT_EQ(rig.crash_images(), (Images{{{"f", "hello"}}}));
}

TEST(FaultCrash, UnsyncedOverwriteOfOneSectorKeepsOldOrNew) {
  Rig rig;
  make_durable(rig, "f", repeat('A', 512));
  auto file = rig.open("f");
  rig.write(*file, 0, repeat('B', 512));
  EXPECT_EQ(rig.read(*file, 0, 4), "BBBB");  // [vfs.3] read-your-writes
  EXPECT_EQ(rig.crash_images(), (Images{{{"f", repeat('A', 512)}}, {{"f", repeat('B', 512)}}}));
}

TEST(FaultCrash, MultiSectorWriteTearsPerSector) {
  Rig rig;
  make_durable(rig, "f", repeat('A', 1024));
  auto file = rig.open("f");
  rig.write(*file, 0, repeat('B', 1024));
  const std::string a = repeat('A', 512), b = repeat('B', 512);
  EXPECT_EQ(rig.crash_images(), (Images{{{"f", a + a}}, {{"f", a + b}}, {{"f", b + a}}, {{"f", b + b}}}));
}

TEST(FaultCrash, SectorSize4096MakesTheSameWriteAtomic) {
  FaultPlan plan;
  plan.sector_size_bytes = 4096;
  Rig rig(plan);
  make_durable(rig, "f", repeat('A', 1024));
  auto file = rig.open("f");
  rig.write(*file, 0, repeat('B', 1024));
  EXPECT_EQ(rig.crash_images(), (Images{{{"f", repeat('A', 1024)}}, {{"f", repeat('B', 1024)}}}));
}

TEST(FaultCrash, NewerWriteNeverLandsWithoutTheOlderOneInTheSameSector) {
  Rig rig;
  make_durable(rig, "f", repeat('A', 512));
  auto file = rig.open("f");
  rig.write(*file, 0, repeat('B', 512));
  rig.write(*file, 0, repeat('C', 256));
  // Prefixes of (B, C): A | B | C over B. Never C over A.
  EXPECT_EQ(rig.crash_images(), (Images{{{"f", repeat('A', 512)}},
                                        {{"f", repeat('B', 512)}},
                                        {{"f", repeat('C', 256) + repeat('B', 256)}}}));
}

TEST(FaultCrash, AppendSizeIsDurableOrPendingAndUnpersistedBytesAreZero) {
  Rig rig;
  make_durable(rig, "f", "");
  auto file = rig.open("f");
  rig.write(*file, 0, repeat('D', 700));  // sectors 0 and 1 (partly)
  const std::string z = std::string(512, '\0');
  const std::string d0 = repeat('D', 512), d1 = repeat('D', 188);
  EXPECT_EQ(rig.crash_images(), (Images{{{"f", ""}},
                                        {{"f", z + std::string(188, '\0')}},
                                        {{"f", d0 + std::string(188, '\0')}},
                                        {{"f", z + d1}},
                                        {{"f", d0 + d1}}}));
}

TEST(FaultCrash, SizeBeforeDataLeavesGarbageNotZerosNorData) {
  FaultPlan plan;
  plan.size_before_data = true;
  Rig rig(plan);
  make_durable(rig, "f", "");
  auto file = rig.open("f");
  rig.write(*file, 0, repeat('D', 512));
  Images images = rig.crash_images();
  ASSERT_EQ(images.size(), 3u);  // empty, the data, or a garbage tail
  EXPECT_TRUE(images.count({{"f", ""}}));
  EXPECT_TRUE(images.count({{"f", repeat('D', 512)}}));
  int garbage = 0;
  for (const auto& image : images) {
    const std::string& content = image.at("f");
    if (content.size() != 512 || content == repeat('D', 512)) continue;
    ++garbage;
    EXPECT_NE(content, std::string(512, '\0'));
    EXPECT_EQ(content.find(repeat('D', 8)), std::string::npos) << "garbage must not be the data";
  }
  EXPECT_EQ(garbage, 1);
}

TEST(FaultCrash, DatasyncPersistsAnAppendsSize) {
  Rig rig;
  make_durable(rig, "f", "abc");
  auto file = rig.open("f");
  rig.write(*file, 3, repeat('x', 1000));
  ASSERT_TRUE(file->datasync().ok());
  EXPECT_EQ(rig.crash_images(), (Images{{{"f", "abc" + repeat('x', 1000)}}}));
}

TEST(FaultCrash, TruncateIsPendingUntilSync) {
  Rig rig;
  make_durable(rig, "f", repeat('A', 512));
  auto file = rig.open("f");
  ASSERT_TRUE(file->truncate(100).ok());
  EXPECT_EQ(*file->size(), 100u);
  Images images = rig.crash_images();
  EXPECT_TRUE(images.count({{"f", repeat('A', 512)}}));
  EXPECT_TRUE(images.count({{"f", repeat('A', 100)}}));
  ASSERT_TRUE(file->sync().ok());
  EXPECT_EQ(rig.crash_images(), (Images{{{"f", repeat('A', 100)}}}));
}

TEST(FaultCrash, NewFileNeedsItsDirectorySynced) {
  Rig rig;
  auto file = rig.open("f");
  rig.write(*file, 0, "data");
  ASSERT_TRUE(file->sync().ok());  // data durable, name not ([vfs.2])
  EXPECT_EQ(rig.crash_images(), (Images{{}, {{"f", "data"}}}));
  ASSERT_TRUE(rig.vfs->sync_dir("").ok());
  EXPECT_EQ(rig.crash_images(), (Images{{{"f", "data"}}}));
}

TEST(FaultCrash, CrossDirectoryRenameIsAllOrNothing) {
  Rig rig;
  ASSERT_TRUE(rig.vfs->mkdir("d1").ok());
  ASSERT_TRUE(rig.vfs->mkdir("d2").ok());
  ASSERT_TRUE(rig.vfs->sync_dir("").ok());
  make_durable(rig, "d1/x", "payload");
  ASSERT_TRUE(rig.vfs->rename("d1/x", "d2/y").ok());
  EXPECT_EQ(rig.crash_images(), (Images{{{"d1/x", "payload"}}, {{"d2/y", "payload"}}}));
  ASSERT_TRUE(rig.vfs->sync_dir("d1").ok());  // either parent persists it whole
  EXPECT_EQ(rig.crash_images(), (Images{{{"d2/y", "payload"}}}));
}

TEST(FaultCrash, RenameOverAnExistingFileReplacesAtomically) {
  Rig rig;
  make_durable(rig, "db", "old");
  auto tmp = rig.open("db.tmp");
  rig.write(*tmp, 0, "new");
  ASSERT_TRUE(tmp->sync().ok());
  ASSERT_TRUE(rig.vfs->rename("db.tmp", "db").ok());
  // Prefixes of (create db.tmp, rename db.tmp -> db).
  EXPECT_EQ(rig.crash_images(), (Images{{{"db", "old"}}, {{"db", "old"}, {"db.tmp", "new"}}, {{"db", "new"}}}));
}

TEST(FaultCrash, NamespaceOperationsPersistAsAPrefixPerDirectory) {
  Rig rig;
  auto a = rig.open("a");
  auto b = rig.open("b");
  auto c = rig.open("c");
  EXPECT_EQ(rig.crash_images(), (Images{{}, {{"a", ""}}, {{"a", ""}, {"b", ""}}, {{"a", ""}, {"b", ""}, {"c", ""}}}));
}

TEST(FaultCrash, GlobalMetaOrderSpansDirectories) {
  FaultPlan plan;
  plan.meta_order = MetaOrder::kGlobal;
  Rig rig(plan);
  ASSERT_TRUE(rig.vfs->mkdir("d").ok());
  ASSERT_TRUE(rig.vfs->sync_dir("").ok());
  auto a = rig.open("a");
  auto b = rig.open("d/b");
  // Per directory, "d/b" without "a" would be possible; globally it is not.
  EXPECT_EQ(rig.crash_images(), (Images{{}, {{"a", ""}}, {{"a", ""}, {"d/b", ""}}}));
}

TEST(FaultCrash, FilesInAnUnsyncedNewDirectoryNeedTheDirectory) {
  Rig rig;
  ASSERT_TRUE(rig.vfs->mkdir("d").ok());
  auto f = rig.open("d/f");
  rig.write(*f, 0, "x");
  ASSERT_TRUE(f->sync().ok());
  ASSERT_TRUE(rig.vfs->sync_dir("d").ok());  // d's entry in the root persists with it
  EXPECT_EQ(rig.crash_images(), (Images{{{"d/f", "x"}}}));
  auto space = rig.vfs->crash_space();
  ASSERT_TRUE(space.ok());
  Prng prng(1);
  for (const DiskImage& image : space->images(100, prng)) EXPECT_EQ(image.dirs, std::set<std::string>{"d"});
}

TEST(FaultCrash, ProcessCrashPersistsEverythingCompleted) {
  Rig rig;
  make_durable(rig, "f", repeat('A', 1024));
  auto file = rig.open("f");
  rig.write(*file, 0, repeat('B', 1024));
  auto g = rig.open("g");
  rig.write(*g, 0, "unsynced");
  auto summary = rig.vfs->crash(CrashKind::kProcess);
  ASSERT_TRUE(summary.ok());
  EXPECT_EQ(rig.backend.image().files, (std::map<std::string, Bytes>{
                                           {"f", Bytes(1024, 'B')}, {"g", Bytes{'u', 'n', 's', 'y', 'n', 'c', 'e', 'd'}}}));
  // The old handle died with the process ([fvfs.7]).
  Bytes out(4);
  EXPECT_EQ(file->read(0, out).status().err(), EBADF);
}

TEST(FaultCrash, PowerCrashChoosesOneOfTheEnumeratedStates) {
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    FaultPlan plan;
    plan.seed = seed;
    plan.size_before_data = true;
    Rig rig(plan);
    make_durable(rig, "f", repeat('A', 1500));
    auto file = rig.open("f");
    rig.write(*file, 100, repeat('B', 1500));
    rig.write(*file, 1400, repeat('C', 900));
    auto g = rig.open("g");
    rig.write(*g, 0, "g");
    auto space = rig.vfs->crash_space();
    ASSERT_TRUE(space.ok());
    ASSERT_TRUE(rig.vfs->crash(CrashKind::kPower).ok());
    DiskImage after = rig.backend.image();
    EXPECT_EQ(space->possible(after), std::optional<bool>(true)) << "seed " << seed << "\n" << after.describe();
  }
}

TEST(FaultCrash, CrashRuleStopsEveryCallUntilTheHarnessCrashes) {
  FaultPlan plan;
  plan.rules.push_back(make_rule(Selector{.op = OpKind::kWrite, .nth = 2}, Action{.kind = ActionKind::kCrash}));
  Rig rig(plan);
  auto file = rig.open("f");
  rig.write(*file, 0, "one");
  auto second = file->write(3, as_bytes("two"));
  ASSERT_FALSE(second.ok());
  EXPECT_TRUE(second.status().injected());
  EXPECT_EQ(rig.vfs->crash_requested(), std::optional<CrashKind>(CrashKind::kPower));
  EXPECT_FALSE(rig.vfs->exists("f").ok());
  EXPECT_FALSE(file->sync().ok());
  ASSERT_TRUE(rig.vfs->crash(CrashKind::kPower).ok());
  EXPECT_FALSE(rig.vfs->crash_requested().has_value());
  EXPECT_EQ(rig.vfs->epoch(), 1u);
  EXPECT_TRUE(rig.vfs->exists("f").ok());
  Bytes out(3);
  EXPECT_EQ(file->read(0, out).status().err(), EBADF);
}

TEST(FaultCrash, CrashStatesAreCountedExactly) {
  Rig rig;
  make_durable(rig, "f", repeat('A', 2048));
  auto file = rig.open("f");
  for (int i = 0; i < 4; ++i) rig.write(*file, i * 512, repeat('B' + i, 512));
  auto space = rig.vfs->crash_space();
  ASSERT_TRUE(space.ok());
  EXPECT_EQ(space->count().states, 16u);
  EXPECT_TRUE(space->count().exact);
  // Over the limit: sampling, not exhaustive.
  Prng prng(7);
  CrashVisit visit = space->for_each(5, prng, [](const DiskImage&) { return true; });
  EXPECT_FALSE(visit.exhaustive);
  EXPECT_EQ(visit.visited, 5u);
}

TEST(FaultCrash, RemovedAndRecreatedEqualFilesAreOneImage) {
  Rig rig;
  make_durable(rig, "f", "");
  ASSERT_TRUE(rig.vfs->remove("f").ok());
  auto again = rig.open("f");
  // Prefixes: {f (old)}, {}, {f (new)}: the first and last are equal images.
  EXPECT_EQ(rig.crash_images(), (Images{{}, {{"f", ""}}}));
}

}  // namespace
}  // namespace fl::faultvfs::testing
