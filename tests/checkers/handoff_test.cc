// checkers/internal/handoff.h: a task one thread offers another.
#include "checkers/internal/handoff.h"

#include <atomic>
#include <thread>

#include <gtest/gtest.h>

namespace fl::checkers::internal {
namespace {

// Taken by the helper, the task is finished before close() returns: the
// task itself looks, at its end, whether close() has returned yet (it must
// not have), after giving the closing thread every chance to run.
TEST(Handoff, AnOfferTakenIsFinishedBeforeCloseReturns) {
  for (int round = 0; round < 20; ++round) {
    Handoff handoff;
    std::atomic<bool> started{false};
    std::atomic<bool> closing{false};
    std::atomic<bool> closed{false};
    std::atomic<bool> closed_while_running{false};
    handoff.offer([&] {
      started = true;
      while (!closing) std::this_thread::yield();
      for (int i = 0; i < 1000; ++i) std::this_thread::yield();
      closed_while_running = closed.load();
    });
    std::thread helper([&] { handoff.help(); });
    while (!started) std::this_thread::yield();
    closing = true;
    handoff.close();
    closed = true;
    helper.join();
    EXPECT_FALSE(closed_while_running) << round;
    handoff.close();  // again: returns
  }
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

// A helper with nothing offered is let go by close(), and by the Closer on
// the way out of a scope, whether it was already waiting or comes after.
TEST(Handoff, AHelperWithNothingOfferedIsLetGoByClose) {
  for (int round = 0; round < 50; ++round) {
    Handoff handoff;
    std::thread helper([&] { handoff.help(); });
    if (round % 2 == 0) {
      Handoff::Closer close_on_exit(handoff);
    } else {
      handoff.close();
    }
    helper.join();  // hangs if help() still waits
  }
}

}  // namespace
}  // namespace fl::checkers::internal
