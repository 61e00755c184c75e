// A task one thread offers to another thread that may be free to help.
//
// The checker's second thread runs the non-cyclic detectors while the main
// thread builds the graph. A third thread for the graph's second lane
// shared the two cores with them: at 10^4 transactions the main thread
// waited up to 2 ms for it. Instead the detectors' thread, when done,
// takes the lane's work if it is still on offer.
//
//   Handoff help;
//   std::jthread worker([&] { own_work(); help.help(); });
//   Handoff::Closer closer(help);  // destroyed, so closed, before the join
//   ...                            // what the task uses
//   Handoff::Closer closer2(help); // after it: closed before it goes
//   help.offer([&] { take_chunks(lane1); });
//   take_chunks(lane0);  // the task must not be needed: the offerer does
//   help.close();        // the work the helper does not
//   // lane 1 is no longer touched by anyone
//
// offer() at most once, before close(). help() waits for an offer or for
// close(), runs the task if it got there first, and returns. close()
// withdraws an offer not yet taken, or waits for the taker to finish; it
// may be called more than once.
#pragma once

#include <condition_variable>
#include <functional>
#include <mutex>
#include <utility>

#include "base/assert.h"

namespace fl::checkers::internal {

class Handoff {
 public:
  void offer(std::function<void()> task) {
    std::lock_guard lock(mu_);
    FL_ASSERT(state_ == State::kNone);
    task_ = std::move(task);
    state_ = State::kOffered;
    cv_.notify_all();
  }

  void help() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [this] { return state_ != State::kNone; });
    if (state_ != State::kOffered) return;
    state_ = State::kTaken;
    lock.unlock();
    task_();
    lock.lock();
    state_ = State::kDone;
    cv_.notify_all();
  }

  void close() {
    std::unique_lock lock(mu_);
    if (state_ == State::kNone || state_ == State::kOffered) {
      state_ = State::kClosed;
      cv_.notify_all();
      return;
    }
    cv_.wait(lock, [this] { return state_ != State::kTaken; });
  }

  // Closes on every way out of a scope, an exception's included: declared
  // after the helping thread, it lets that thread's join return.
  class Closer {
   public:
    explicit Closer(Handoff& handoff) : handoff_(handoff) {}
    ~Closer() { handoff_.close(); }
    Closer(const Closer&) = delete;
    Closer& operator=(const Closer&) = delete;

   private:
    Handoff& handoff_;
  };

 private:
  enum class State { kNone, kOffered, kTaken, kDone, kClosed };
  std::mutex mu_;
  std::condition_variable cv_;
  std::function<void()> task_;
  State state_ = State::kNone;
};

}  // namespace fl::checkers::internal
