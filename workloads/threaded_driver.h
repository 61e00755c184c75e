// workloads/threaded_driver.h: real threads on one engine, for stress.
// Unlike the simulator (simulator.h) this is not deterministic: the OS
// schedules the threads, and times are wall-clock nanoseconds since the
// start. Its histories have the same shape and are checked the same way.
//
// [thr.1] Each of `threads` threads runs its own Session and invokes
//         transactions from one shared Generator (so values stay unique per
//         key) until `txns` invocations were issued in total; every
//         invocation gets exactly one completion (:ok, :fail or :info, as in
//         [sim.2]). The application behaves as in the simulator
//         (application.h: rollbacks, the outbox), from the same stream.
// [thr.2] Liveness: a watchdog checks every thread's current operation; one
//         running longer than `op_deadline` gets the FaultVfs kill switch
//         ([fvfs.8]): every thread's next file-system call unwinds, each
//         in-flight operation completes :info, a "liveness" finding names
//         the stuck operation, and the driver returns instead of hanging.
// [thr.3] At the end (unless killed) the final reads run on one thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <vector>

#include "base/status.h"
#include "faultvfs/fault_vfs.h"
#include "history/history.h"
#include "workloads/client.h"
#include "workloads/simulator.h"
#include "workloads/workload.h"

namespace fl::workloads {

struct ThreadedOptions {
  uint64_t seed = 1;
  uint32_t threads = 4;
  uint64_t txns = 1000;
  WorkloadOptions workload;
  std::chrono::milliseconds op_deadline{10000};
};

struct ThreadedResult {
  history::History history;
  std::vector<Finding> findings;
  SimStats stats;
};

// `engine` is open on `vfs`; the driver does not crash or reopen it.
Result<ThreadedResult> run_threaded(Engine& engine, faultvfs::FaultVfs& vfs, const ThreadedOptions& options);

}  // namespace fl::workloads
