// history/thread.h: a helper thread started on another core than the one
// that starts it. Used by the reader and, through history/, the checkers
// (base/ is the standard library only, and this is Linux's affinity API).
//
// Linux often queues a new thread on its creator's core, even with the
// other core idle; it waits there until the creator's time slice ends or
// the load balancer moves it. On the 2-core VM the checker is measured on,
// the parse of a 10^4-transaction history then took 5-10 ms instead of 5:
// the helper started 0.2-3.7 ms late, and the two threads shared one core
// for a while. So the thread is started with an affinity that leaves out
// the creator's current core, and once running it takes back the whole
// affinity it was given (the creator's), so the scheduler may move it
// as it likes from then on. Where there is no other core (or the calls
// fail), it starts as a std::thread would.
//
// Joins on destruction, like std::jthread (without its stop token).
// Elsewhere than Linux it starts as a std::thread would.
#pragma once

#include <functional>
#include <memory>
#include <system_error>
#include <utility>

#include <pthread.h>
#include <sched.h>

#include "base/assert.h"

namespace fl::history {

class ElsewhereThread {
 public:
  explicit ElsewhereThread(std::function<void()> body) {
    auto start = std::make_unique<Start>();
    start->body = std::move(body);
    start->first_cpu = &first_cpu_;
    pthread_attr_t attr;
    FL_ASSERT(::pthread_attr_init(&attr) == 0);
#ifdef __linux__
    const bool known = ::sched_getaffinity(0, sizeof(start->allowed), &start->allowed) == 0;
    cpu_set_t elsewhere = start->allowed;
    const int here = ::sched_getcpu();
    creator_cpu_ = here;
    if (known && here >= 0 && here < CPU_SETSIZE && CPU_ISSET(here, &elsewhere)) CPU_CLR(here, &elsewhere);
    start->restore = known && CPU_COUNT(&elsewhere) > 0 &&
                     ::pthread_attr_setaffinity_np(&attr, sizeof(elsewhere), &elsewhere) == 0;
#endif
    Start* raw = start.release();
    int err = ::pthread_create(&thread_, &attr, &ElsewhereThread::run, raw);
    ::pthread_attr_destroy(&attr);
    if (err != 0 && raw->restore) {  // an affinity the system refused: start as usual
      raw->restore = false;
      pthread_attr_t plain;
      FL_ASSERT(::pthread_attr_init(&plain) == 0);
      err = ::pthread_create(&thread_, &plain, &ElsewhereThread::run, raw);
      ::pthread_attr_destroy(&plain);
    }
    if (err != 0) {
      std::unique_ptr<Start> owned(raw);
      throw std::system_error(err, std::generic_category(), "pthread_create");
    }
  }
  ~ElsewhereThread() { join(); }
  ElsewhereThread(const ElsewhereThread&) = delete;
  ElsewhereThread& operator=(const ElsewhereThread&) = delete;

  void join() {
    if (joined_) return;
    joined_ = true;
    FL_ASSERT(::pthread_join(thread_, nullptr) == 0);
  }
  // For tests, after join(): the core the creator was on when it started
  // the thread, and the one the thread first ran on (-1: not known).
  int creator_cpu() const { return creator_cpu_; }
  int first_cpu() const { return first_cpu_; }

 private:
  struct Start {
    std::function<void()> body;
#ifdef __linux__
    cpu_set_t allowed;
#endif
    bool restore = false;
    int* first_cpu = nullptr;
  };
  // noexcept: a body that throws ends the process, as in a std::thread.
  static void* run(void* arg) noexcept {
    std::unique_ptr<Start> start(static_cast<Start*>(arg));
#ifdef __linux__
    *start->first_cpu = ::sched_getcpu();
    if (start->restore) ::sched_setaffinity(0, sizeof(start->allowed), &start->allowed);
#endif
    start->body();
    return nullptr;
  }

  pthread_t thread_{};
  bool joined_ = false;
  int creator_cpu_ = -1;
  int first_cpu_ = -1;
};

}  // namespace fl::history
