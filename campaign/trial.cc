// campaign/trial.cc: one trial and its artifacts (trial.h).
#include "campaign/trial.h"

#include <chrono>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "campaign/crash_images.h"
#include "campaign/files.h"
#include "engine/db.h"
#include "faultvfs/fault_plan.h"
#include "history/edn_writer.h"
#include "history/jsonl_writer.h"
#include "workloads/refdb_client.h"

namespace fl::campaign {

namespace {

Status bad(std::string_view field, std::string what) { return Status::invalid_argument(field, std::move(what)); }

bool known_profile(std::string_view name) {
  for (std::string_view known : faultvfs::kFaultProfileNames) {
    if (known == name) return true;
  }
  return false;
}

std::string profile_list() {
  std::string out;
  for (std::string_view known : faultvfs::kFaultProfileNames) out += (out.empty() ? "" : ", ") + std::string(known);
  return out;
}

}  // namespace

Status validate(const TrialConfig& config) {
  if (config.engine != "refdb") return bad("engine", "unknown engine '" + config.engine + "'; valid: refdb");
  FL_TRY(workloads::parse_workload(config.workload).status());
  if (!known_profile(config.faults)) {
    return bad("faults", "unknown fault profile '" + config.faults + "'; valid: " + profile_list());
  }
  for (const std::string& bug : config.bugs) FL_TRY(engine::parse_bug(bug).status());
  FL_TRY(engine::parse_isolation(config.isolation).status());
  FL_TRY(engine::parse_durability(config.durability).status());
  if (config.clients == 0 || config.clients > 1024) {
    return bad("clients", "must be in [1, 1024], got " + std::to_string(config.clients));
  }
  if (config.txns == 0 || config.txns > 100'000'000) {
    return bad("txns", "must be in [1, 100000000], got " + std::to_string(config.txns));
  }
  if (config.keys == 0 || config.keys > 100'000) return bad("keys", "must be in [1, 100000]");
  if (config.plan) {
    if (Status plan = faultvfs::validate_fault_plan(*config.plan); !plan.ok()) return bad("plan", plan.to_string());
  }
  return Status::success();
}

Result<workloads::SimOptions> sim_options(const TrialConfig& config) {
  FL_TRY(validate(config));
  workloads::SimOptions options;
  options.seed = config.seed;
  options.clients = config.clients;
  options.txns = config.txns;
  options.faults = config.faults;
  options.plan = config.plan;  // [trial.4]
  options.crash_image_bytes_max = kCrashImageBytesMax;  // [trial.2]
  FL_ASSIGN_OR_RETURN(options.workload.kind, workloads::parse_workload(config.workload));
  options.workload.active_keys = config.keys;
  FL_TRY(workloads::validate(options.workload));
  return options;
}

Result<workloads::EngineFactory> engine_factory(const TrialConfig& config) {
  FL_TRY(validate(config));
  engine::Options options;
  FL_ASSIGN_OR_RETURN(options.isolation, engine::parse_isolation(config.isolation));
  FL_ASSIGN_OR_RETURN(options.durability, engine::parse_durability(config.durability));
  options.salt_seed = config.seed;
  // Small enough that checkpoints (and WAL generations) happen in every run.
  options.auto_checkpoint_frames = 256;
  for (const std::string& bug : config.bugs) {
    FL_ASSIGN_OR_RETURN(size_t index, engine::parse_bug(bug));
    options.bugs.set(index);
  }
  return workloads::EngineFactory([options] { return std::make_unique<workloads::RefdbEngine>(options); });
}

Result<TrialOutput> run_trial(const TrialConfig& config) {
  FL_ASSIGN_OR_RETURN(workloads::SimOptions options, sim_options(config));
  FL_ASSIGN_OR_RETURN(workloads::EngineFactory factory, engine_factory(config));
  const auto start = std::chrono::steady_clock::now();
  FL_ASSIGN_OR_RETURN(workloads::SimResult sim, workloads::simulate(factory, options));
  TrialOutput output;
  output.sim = std::move(sim);
  output.elapsed_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return output;
}

std::string config_json(const TrialConfig& config) {
  nlohmann::ordered_json j;
  j["faultline_version"] = kFaultlineVersion;
  j["engine"] = config.engine;
  j["workload"] = config.workload;
  j["clients"] = config.clients;
  j["txns"] = config.txns;
  j["keys"] = config.keys;
  j["faults"] = config.faults;
  j["seed"] = config.seed;
  j["bugs"] = config.bugs;
  j["isolation"] = config.isolation;
  j["durability"] = config.durability;
  // [trial.4]: to_json() is the plan's canonical form (fault-plan.md [plan.2]).
  if (config.plan) j["plan"] = nlohmann::ordered_json::parse(faultvfs::to_json(*config.plan));
  return j.dump(2) + "\n";
}

Result<faultvfs::FaultPlan> effective_plan(const TrialConfig& config) {
  if (config.plan) return *config.plan;
  return faultvfs::generate_fault_plan(config.faults, config.seed);
}

Status write_trial(const TrialConfig& config, const TrialOutput& output, const std::filesystem::path& out_dir) {
  std::error_code error;
  std::filesystem::create_directories(out_dir, error);
  if (error) return Status::io_error(out_dir.string() + ": " + error.message(), error.value());
  FL_TRY(write_file(out_dir / "history.edn", history::to_edn(output.sim.history)));
  FL_TRY(write_file(out_dir / "history.jsonl", history::to_jsonl(output.sim.history)));
  FL_TRY(write_file(out_dir / "faults.jsonl", output.sim.fault_log_jsonl));
  FL_TRY(write_file(out_dir / "plan.json", faultvfs::to_json(output.sim.plan) + "\n"));
  FL_TRY(write_file(out_dir / "config.json", config_json(config)));
  std::string findings;
  for (const workloads::Finding& f : output.sim.findings) {
    nlohmann::ordered_json j;
    j["kind"] = f.kind;
    j["epoch"] = f.epoch;
    j["detail"] = f.detail;
    findings += j.dump() + "\n";
  }
  FL_TRY(write_file(out_dir / "findings.jsonl", findings));
  return write_crash_images(out_dir, output.sim);
}

std::string summary_text(const TrialConfig& config, const TrialOutput& output) {
  const workloads::SimStats& s = output.sim.stats;
  std::ostringstream out;
  out << "faultline run: " << config.engine << " / " << config.workload << " / faults " << config.faults
      << (config.plan ? " (plan override)" : "") << " / seed " << config.seed;
  if (!config.bugs.empty()) {
    out << " / bugs";
    for (const std::string& bug : config.bugs) out << ' ' << bug;
  }
  out << "\n";
  out << "  operations     " << s.invocations << " invoked: " << s.ok << " ok (committed), " << s.fail
      << " fail (aborted), " << s.info << " info (indeterminate)\n";
  out << "  crashes        " << s.crashes << " (" << s.crash_states << " possible crash states), " << s.restarts
      << " restarts, " << s.kills << " liveness kills\n";
  out << "  vfs operations " << s.vfs_ops << " in " << s.steps << " scheduler steps\n";
  out << "  findings       " << output.sim.findings.size();
  for (const workloads::Finding& f : output.sim.findings) out << "\n    [" << f.kind << "] epoch " << f.epoch << ": " << f.detail;
  out << "\n";
  char elapsed[64];
  std::snprintf(elapsed, sizeof elapsed, "%.3f s", output.elapsed_seconds);
  out << "  elapsed        " << elapsed << "\n";
  return out.str();
}

}  // namespace fl::campaign
