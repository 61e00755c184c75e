// Shared copy-on-write pages: corruption visibility and the page pool at exit.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <thread>

#include "faultvfs/internal/paged_bytes.h"
#include "tests/faultvfs/fault_util.h"

namespace fl::faultvfs::testing {
namespace {

// The file was truncated to 0 and re-extended (a hole): its bytes are zeros
// whatever happens to the freed blocks on the disk. A bit flip in the old
// durable content must not surface in reads, nor become durable on sync.
TEST(FaultPages, FlipInBlocksFreedByAPendingTruncateStaysInvisible) {
  FaultPlan plan;
  plan.seed = 3;
  plan.rules.push_back(make_rule(Selector{.op = OpKind::kSize}, Action{.kind = ActionKind::kCorrupt, .bits = 64}, 1));
  Rig rig(plan);
  auto file = rig.open("f");
  rig.write(*file, 0, repeat('a', 8192));
  ASSERT_TRUE(file->sync().ok());
  ASSERT_TRUE(rig.vfs->sync_dir("").ok());
  ASSERT_TRUE(file->truncate(0).ok());
  ASSERT_TRUE(file->truncate(8192).ok());
  ASSERT_TRUE(file->size().ok());  // corruption fires on the durable (old) bytes
  const std::string seen = rig.read(*file, 0, 8192);
  EXPECT_EQ(std::count(seen.begin(), seen.end(), '\0'), 8192) << "reads of a hole show flipped freed blocks";
  ASSERT_TRUE(file->sync().ok());
  ASSERT_TRUE(rig.vfs->crash(CrashKind::kPower).ok());
  std::string disk(as_chars(rig.backend.image().files.at("f")));
  EXPECT_EQ(disk.size(), 8192u);
  EXPECT_EQ(std::count(disk.begin(), disk.end(), '\0'), 8192) << "flipped freed blocks became durable after the sync";
}

// A FaultVfs with static storage duration (a global harness, a registered
// sqlite3_vfs) frees its pages after the main thread's thread_local free
// list was destroyed: PagePool::deallocate then pushes into a dead vector.
TEST(PagePool, StaticFaultVfsIsDestroyedCleanlyAtExit) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(
      {
        static MemVfs backend;
        static std::unique_ptr<FaultVfs> vfs = std::move(FaultVfs::create(backend, FaultPlan{}).value());
        auto file = std::move(vfs->open("f", OpenMode::kCreate).value());
        for (int round = 0; round < 4; ++round) {
          static_cast<void>(file->write(0, Bytes(4 * 4096, static_cast<uint8_t>(round))));
          static_cast<void>(file->sync());  // replaced pages go back to the free list
        }
        file.reset();
        std::exit(0);
      },
      ::testing::ExitedWithCode(0), "");
}

// The same with a thread_local owner constructed before the pool's list.
TEST(PagePool, ThreadLocalOwnerOutlivingThePoolList) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(
      {
        std::thread thread([] {
          thread_local internal::PagedBytes owner;  // constructed first, destroyed last
          static_cast<void>(owner.size());
          {
            internal::PagedBytes scratch;
            scratch.write(0, Bytes(4 * 4096, 1));  // the list now exists and holds blocks
          }
          owner.write(0, Bytes(2 * 4096, 2));
        });
        thread.join();
        std::exit(0);
      },
      ::testing::ExitedWithCode(0), "");
}

}  // namespace
}  // namespace fl::faultvfs::testing
