// workloads/simulator.h: the deterministic simulator (ARCHITECTURE.md
// "Determinism"). One OS thread runs K logical clients against one engine
// on a FaultVfs; the scheduler stream picks which client takes its next
// step (begin + first engine call, one engine call, or the commit), so
// transactions interleave. Every trial is a pure function of its options.
//
// [sim.1] Streams: "workload" drives the generator only, "scheduler" the
//         interleaving and maintenance steps, "application" the
//         application's decisions (application.h [app.3]), "supervisor" the
//         restart delays of [sim.4], and the fault plan comes from
//         generate_fault_plan(profile, seed) (its own streams). Changing the
//         fault profile never changes the sequence of invocations.
// [sim.2] History: an :invoke when a client starts a transaction, then
//         exactly one completion: :ok (committed, reads filled in), :fail
//         (the engine guarantees no effect: conflict, validation, a bank
//         transfer refused, an error before anything was written, or the
//         application rolled it back, application.h [app.1]) or :info
//         (indeterminate: an I/O error at or after the commit write, or the
//         client was in flight at a crash or a kill). A client whose
//         operation ended :info continues with a fresh process id (Jepsen:
//         that process may still be running it). Time is logical: the
//         step counter times 1000 ns; no wall clock is read.
// [sim.3] Crashes: when a fault rule requests a crash, in-flight operations
//         complete as :info, the crash is recorded as a nemesis :crash
//         invoke/complete pair, the engine is killed, the FaultVfs crashes
//         (picking one crash state with its crash-state stream), and a
//         nemesis :recover pair records the reopen and check_integrity().
//         Clients continue with fresh process ids (Jepsen: a crashed
//         process never completes another operation).
// [sim.4] Restart: an engine that refuses writes after a failed write or
//         sync (Engine::needs_restart) is restarted the same way with a
//         process crash, recorded as a nemesis :crash {:kind :process,
//         :reason "engine restarted after refusing writes"}, so a run is not
//         stuck. As in a deployment, where a supervisor notices the refusals
//         and restarts the process some time later, the restart comes a
//         delay after the step that first saw the refusal: 0 to
//         restart_delay_steps_max scheduler steps (the "supervisor"
//         stream). Meanwhile clients keep taking steps on the refusing
//         engine (its reads work; its commits fail), unless a crash restarts
//         it first. A restart still due when the clients are done happens
//         before the final reads.
// [sim.5] Liveness: each client or maintenance step may issue at most
//         step_op_budget VFS operations ([fvfs.8]). An engine exceeding it
//         is killed: the in-flight operation completes :info with a
//         liveness error, a finding is recorded, and the run continues
//         after a process crash and recovery.
// [sim.6] At the end, fault injection stops, final reads of every key
//         used run serially with a fresh process, and check_integrity() of
//         the final state runs; a report of damage is an "integrity"
//         finding (an I/O error there, a latent sector error, is
//         "unavailable", as in [sim.7]).
// [sim.7] A recovery that fails, or a check_integrity() that reports
//         damage, is a finding; a failed recovery ends the run (there is
//         no database left to test). A recovery that fails with an I/O
//         error on its last, fault-free attempt (a persistent device error
//         such as a latent sector error in the log) is the finding
//         "unavailable": the device failed, not the engine.
// [sim.8] Crash images: with crash_image_bytes_max > 0, the disk image each
//         crash of [sim.3]/[sim.4] leaves is kept in
//         SimResult::crash_images, in crash order, while the bytes of all
//         kept images stay within crash_image_bytes_max and there are at
//         most kCrashImagesMax of them; a crash whose image would not fit
//         is counted in crash_images_omitted instead. The image is the
//         disk: after a power crash, exactly what recovery's first attempt
//         opens; after a process crash, pages whose writeback failed may
//         still be in the page cache above it ([fvfs.3]), and recovery
//         reads those instead. A crash during a failed recovery attempt is
//         not imaged. Keeping images reads the disk and nothing else: the
//         history, the fault log and every stream are the same with or
//         without them.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "faultvfs/disk_image.h"
#include "faultvfs/fault_plan.h"
#include "history/history.h"
#include "workloads/client.h"
#include "workloads/workload.h"

namespace fl::workloads {

struct SimOptions {
  uint64_t seed = 1;
  uint32_t clients = 8;
  uint64_t txns = 1000;  // invocations, not counting final reads
  WorkloadOptions workload;
  std::string faults = "none";              // a profile name (faultvfs/fault_plan.h)
  std::optional<faultvfs::FaultPlan> plan;  // overrides `faults` when set
  uint64_t step_op_budget = 100000;         // [sim.5]
  Ratio maintenance_ratio{1, 16};           // chance a scheduler turn is a maintenance step
  uint32_t recovery_attempts_max = 3;       // reopen attempts after a crash before giving up
  uint64_t restart_delay_steps_max = 256;   // [sim.4]: 0..kRestartDelayStepsMax
  uint64_t crash_image_bytes_max = 0;       // [sim.8]: 0 keeps none
};
Status validate(const SimOptions& options);

// Something the run found that is not in the history itself.
struct Finding {
  std::string kind;  // "liveness", "integrity", "recovery", "unavailable" ([sim.7])
  std::string detail;
  uint64_t epoch = 0;
};

struct SimStats {
  uint64_t invocations = 0, ok = 0, fail = 0, info = 0;
  uint64_t crashes = 0, restarts = 0, kills = 0;
  uint64_t crash_states = 0;  // sum over crashes of the states each could have left
  uint64_t vfs_ops = 0;
  uint64_t steps = 0;
};

// [sim.8]: the disk as one crash left it, before recovery touched it.
struct CrashImage {
  uint64_t epoch = 0;  // the epoch this image starts: 1 for the first crash
  faultvfs::CrashKind kind = faultvfs::CrashKind::kPower;
  faultvfs::DiskImage image;
};

struct SimResult {
  history::History history;
  std::string fault_log_jsonl;
  faultvfs::FaultPlan plan;
  std::vector<Finding> findings;
  SimStats stats;
  std::vector<CrashImage> crash_images;  // [sim.8]
  uint64_t crash_images_omitted = 0;
};

using EngineFactory = std::function<std::unique_ptr<Engine>()>;

// Runs one trial. Errors are bad options or a failing harness (not faults
// in the engine, which are results).
Result<SimResult> simulate(const EngineFactory& make_engine, const SimOptions& options);

}  // namespace fl::workloads
