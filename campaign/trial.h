// campaign/trial.h: one trial (one seed, one workload, one fault profile) of
// an engine under the deterministic simulator, and its artifacts on disk.
// `faultline run` is a thin wrapper over run_trial() + write_trial().
//
// [trial.1] run_trial() is a pure function of the TrialConfig (and the code
//           version): the same config gives byte-identical history.edn,
//           history.jsonl and faults.jsonl.
// [trial.2] write_trial() writes into `out_dir` (created if missing):
//           history.edn, history.jsonl, faults.jsonl (the fault log),
//           plan.json (the fault plan), config.json (everything needed to
//           re-run the trial), findings.jsonl (liveness, integrity and
//           recovery findings; empty when none) and, when the trial
//           crashed, crash-images/ (crash_images.h [img.1]; a trial keeps
//           at most kCrashImageBytesMax bytes of images).
// [trial.3] Bad configuration (unknown engine, workload, profile, bug,
//           isolation or durability; out-of-range sizes; an invalid plan
//           override) is kInvalidArgument naming the field and the valid
//           choices.
// [trial.4] A fault plan override (`plan`) replaces the plan the profile
//           would generate; `faults` then only says where it came from.
//           config.json carries it as its "plan" field, absent without an
//           override, so a config written before overrides existed reads
//           back unchanged. `faultline shrink` writes overrides.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "faultvfs/fault_plan.h"
#include "workloads/simulator.h"

namespace fl::campaign {

// 0.2.0: application rollbacks, the outbox and delayed restarts changed every
// history, so older bundles no longer replay byte-identically.
inline constexpr std::string_view kFaultlineVersion = "0.2.0";

struct TrialConfig {
  std::string engine = "refdb";
  std::string workload = "list-append";
  uint32_t clients = 8;
  uint64_t txns = 1000;
  std::string faults = "none";
  uint64_t seed = 1;
  std::vector<std::string> bugs;  // planted bugs (refdb), by name
  std::string isolation = "serializable";
  std::string durability = "full";
  uint32_t keys = 8;  // active keys of the workload
  std::optional<faultvfs::FaultPlan> plan;  // [trial.4]: overrides `faults` when set
};

struct TrialOutput {
  workloads::SimResult sim;
  double elapsed_seconds = 0;  // wall clock, for the summary only (never in artifacts)
};

Status validate(const TrialConfig& config);
Result<workloads::SimOptions> sim_options(const TrialConfig& config);
Result<workloads::EngineFactory> engine_factory(const TrialConfig& config);

Result<TrialOutput> run_trial(const TrialConfig& config);  // [trial.1]
Status write_trial(const TrialConfig& config, const TrialOutput& output,
                   const std::filesystem::path& out_dir);  // [trial.2]

std::string config_json(const TrialConfig& config);  // [trial.4]
// The plan the trial runs with: the override, else the profile's plan.
Result<faultvfs::FaultPlan> effective_plan(const TrialConfig& config);
// A one-screen human summary: ops, commits, aborts, indeterminate, crashes,
// crash states, findings, elapsed.
std::string summary_text(const TrialConfig& config, const TrialOutput& output);

}  // namespace fl::campaign
