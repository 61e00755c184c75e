// history/thread.h: a helper thread started on another core than its creator's.
#include "history/thread.h"

#include <atomic>
#include <thread>

#include <gtest/gtest.h>
#include <sched.h>

namespace fl::history {
namespace {

cpu_set_t affinity() {
  cpu_set_t set;
  CPU_ZERO(&set);
  EXPECT_EQ(::sched_getaffinity(0, sizeof(set), &set), 0);
  return set;
}

// It runs its body once, joins on destruction or on join() (once), and
// leaves the thread free to run anywhere its creator may: the affinity that
// kept it off the creator's core is dropped before the body runs.
TEST(ElsewhereThread, RunsItsBodyWithItsCreatorsAffinity) {
  const cpu_set_t creator = affinity();
  std::atomic<int> runs{0};
  cpu_set_t seen;
  CPU_ZERO(&seen);
  {
    ElsewhereThread t([&] {
      seen = affinity();
      runs += 1;
    });
    t.join();
    EXPECT_EQ(runs, 1);
    t.join();
  }
  EXPECT_EQ(runs, 1);
  EXPECT_TRUE(CPU_EQUAL(&seen, &creator));
  { ElsewhereThread joined_by_destructor([&] { runs += 1; }); }
  EXPECT_EQ(runs, 2);
}

// With another core allowed, the thread first runs off the core its
// creator was on when it started it (the kernel keeps to the affinity it
// was started with); with one core allowed, on that core. Started many
// times (the creator may be on either core each time).
TEST(ElsewhereThread, FirstRunsOffItsCreatorsCore) {
  const cpu_set_t all = affinity();
  for (int i = 0; i < 50; ++i) {
    ElsewhereThread t([] {});
    t.join();
    ASSERT_GE(t.creator_cpu(), 0);
    ASSERT_GE(t.first_cpu(), 0);
    if (CPU_COUNT(&all) >= 2) {
      EXPECT_NE(t.first_cpu(), t.creator_cpu()) << i;
    } else {
      EXPECT_EQ(t.first_cpu(), t.creator_cpu()) << i;
    }
  }
}

}  // namespace
}  // namespace fl::history
