// checkers/internal/handoff.h: a task one thread offers another.
#include "checkers/internal/handoff.h"

#include <atomic>
#include <chrono>
#include <thread>

#include <gtest/gtest.h>

namespace fl::checkers::internal {
namespace {

// Offered before the helper comes: the helper runs it, and close() returns
// only once it has finished.
TEST(Handoff, AnOfferTakenIsFinishedBeforeCloseReturns) {
  Handoff handoff;
  std::atomic<bool> started{false};
  std::atomic<bool> done{false};
  handoff.offer([&] {
    started = true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    done = true;
  });
  std::thread helper([&] { handoff.help(); });
  while (!started) std::this_thread::yield();
  handoff.close();  // the task is running: close() waits for it
  EXPECT_TRUE(done);
  handoff.close();  // again: returns
  helper.join();
}

// Closed before the helper comes: the task never runs, and help() returns.
TEST(Handoff, AnOfferWithdrawnIsNeverRun) {
  Handoff handoff;
  std::atomic<int> runs{0};
  handoff.offer([&] { runs += 1; });
  handoff.close();
  std::thread helper([&] { handoff.help(); });
  helper.join();
  EXPECT_EQ(runs, 0);
}

// A helper waiting with nothing offered is let go by close(), and by the
// Closer on the way out of a scope.
TEST(Handoff, AWaitingHelperIsLetGoByClose) {
  for (bool closer : {false, true}) {
    Handoff handoff;
    std::thread helper([&] { handoff.help(); });
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    if (closer) {
      Handoff::Closer close_on_exit(handoff);
    } else {
      handoff.close();
    }
    helper.join();  // would hang if help() still waited
  }
}

}  // namespace
}  // namespace fl::checkers::internal
