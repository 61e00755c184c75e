// workloads/application.h: what the application around a workload does
// besides the workload's own micro-ops (docs/formats/workloads.md
// "Application behaviour"). Real applications do not commit every
// transaction they start, and they keep data beside the data a checker can
// judge. Both reach parts of an engine that Elle's list-append and
// rw-register never touch on their own: rolling back a transaction that
// wrote, and page allocation, B+tree merges and the freelist (those
// workloads never delete a key, so no page is ever freed).
//
// [app.1] Rollbacks: with chance WorkloadOptions::rollback_ratio a
//         transaction that wrote something is rolled back by its client
//         once all its steps are done, instead of committed. The history
//         records :fail (it had no effect) with :error kApplicationRollback.
//         A transaction that wrote nothing commits as usual.
// [app.2] Outbox: a transaction that wrote something also inserts the
//         outbox record of its invocation number n (engine key
//         outbox_key(n)) with a payload of outbox_bytes_min..outbox_bytes_max
//         bytes, and deletes the record of invocation n - outbox_window
//         when n >= outbox_window (absent when that invocation wrote
//         nothing or did not commit; deleting it then changes nothing):
//         two engine calls, one client step each, after the workload's steps
//         and before the commit (or the rollback of [app.1]). Keys grow with
//         n, so records arrive at the right edge of the B+tree and leave at
//         its left edge: leaves split and merge, and pages move through the
//         freelist all the time. The history does not mention the outbox: no
//         checker judges it, but the engine's integrity check after every
//         recovery and at the end of a run (simulator.h [sim.6]) covers every
//         page it touched, and a failed outbox call fails the transaction
//         like any other engine call ([client.3]).
// [app.3] Determinism: next() draws from the Prng it was given the same
//         number of times for every invocation (one draw for [app.1], one
//         for the payload size), whatever becomes of the transaction, so one
//         transaction's fate never shifts another's decisions. The payload's
//         bytes are a function of n.
// [app.4] outbox_window == 0 turns the outbox off; rollback_ratio 0 turns
//         rollbacks off. Final reads and setup writes have no application
//         behaviour.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/prng.h"
#include "workloads/workload.h"

namespace fl::workloads {

inline constexpr std::string_view kApplicationRollback = "the application rolled the transaction back";

// The engine key of outbox record n: "outbox/" and n in 20 decimal digits
// (zero-padded, so keys sort as their numbers do).
std::string outbox_key(uint64_t n);

// What the application does with one transaction, decided when it starts.
struct AppTxn {
  bool rollback = false;     // [app.1]: applies only if the transaction wrote
  std::vector<Step> outbox;  // [app.2]: a kWrite then a kErase, or nothing; only if it wrote
};

class Application {
 public:
  // REQUIRES: validate(options).ok().
  Application(const WorkloadOptions& options, Prng stream);
  // [app.1]-[app.3] for the next invocation (numbered 0, 1, 2, ... by call).
  AppTxn next();

 private:
  WorkloadOptions options_;
  Prng stream_;
  uint64_t invocations_ = 0;
};

}  // namespace fl::workloads
