// campaign/repro_bundle.cc: repro bundles (repro_bundle.h).
#include "campaign/repro_bundle.h"

#include <algorithm>
#include <fstream>
#include <set>
#include <system_error>

#include "campaign/files.h"
#include "campaign/json_fields.h"
#include "campaign/sha256.h"
#include "checkers/report.h"

namespace fl::campaign {

namespace fs = std::filesystem;

namespace {

checkers::ReportContext bundle_context(const TrialRecord& record) {
  return {{"headline", record.headline},
          {"history_sha256", record.history_sha256},
          {"workload", record.key.workload},
          {"seed", std::to_string(record.key.seed)}};
}

}  // namespace

Status write_bundle(const fs::path& dir, const TrialConfig& config, const TrialOutput& output,
                    const TrialEvaluation& evaluation) {
  // A bundle left half-written by a killed campaign is replaced whole, so
  // no stale cycles/ file survives next to a new verdict.
  std::error_code error;
  fs::remove_all(dir, error);
  if (error) return Status::io_error(dir.string() + ": " + error.message(), error.value());
  FL_TRY(write_trial(config, output, dir));
  const checkers::Verdict& verdict = evaluation.checked.verdict;
  const checkers::ReportContext context = bundle_context(evaluation.record);
  FL_TRY(write_file(dir / "verdict.json", checkers::verdict_json(verdict, context)));
  std::string text = checkers::verdict_text(verdict, context);
  if (!output.sim.findings.empty()) {
    text += "\nsimulator findings:\n";
    for (const std::string& finding : evaluation.record.findings) text += "  " + finding + "\n";
  }
  FL_TRY(write_file(dir / "verdict.txt", text));
  size_t cycle = 0;
  for (const auto& [type, examples] : verdict.anomalies) {
    for (const checkers::Anomaly& anomaly : examples) {
      if (anomaly.dot.empty()) continue;
      if (cycle == 0) {
        fs::create_directories(dir / "cycles", error);
        if (error) return Status::io_error((dir / "cycles").string() + ": " + error.message(), error.value());
      }
      FL_TRY(write_file(dir / "cycles" / (std::to_string(cycle) + ".dot"), anomaly.dot));
      ++cycle;
    }
  }
  return Status::success();
}

Result<TrialConfig> parse_trial_config(std::string_view text, const std::string& file,
                                       std::string* faultline_version) {
  FL_ASSIGN_OR_RETURN(nlohmann::json j, json_fields::parse(text, file));
  const json_fields::Object object(j, file);
  FL_TRY(object.is_object());
  TrialConfig config;
  FL_ASSIGN_OR_RETURN(std::string version, object.string("faultline_version"));
  if (faultline_version != nullptr) *faultline_version = version;
  FL_ASSIGN_OR_RETURN(config.engine, object.string("engine"));
  FL_ASSIGN_OR_RETURN(config.workload, object.string("workload"));
  FL_ASSIGN_OR_RETURN(uint64_t clients, object.u64("clients"));
  FL_ASSIGN_OR_RETURN(config.txns, object.u64("txns"));
  FL_ASSIGN_OR_RETURN(uint64_t keys, object.u64("keys"));
  if (clients > UINT32_MAX) return object.bad("clients", "out of range");
  if (keys > UINT32_MAX) return object.bad("keys", "out of range");
  config.clients = static_cast<uint32_t>(clients);
  config.keys = static_cast<uint32_t>(keys);
  FL_ASSIGN_OR_RETURN(config.faults, object.string("faults"));
  FL_ASSIGN_OR_RETURN(config.seed, object.u64("seed"));
  FL_ASSIGN_OR_RETURN(config.bugs, object.strings("bugs"));
  FL_ASSIGN_OR_RETURN(config.isolation, object.string("isolation"));
  FL_ASSIGN_OR_RETURN(config.durability, object.string("durability"));
  // [trial.4]: optional; a config.json written before plan overrides has none.
  if (const auto plan = j.find("plan"); plan != j.end() && !plan->is_null()) {
    if (!plan->is_object()) return object.bad("plan", "expected a fault plan object (docs/formats/fault-plan.md)");
    Result<faultvfs::FaultPlan> parsed = faultvfs::parse_fault_plan(plan->dump());
    if (!parsed.ok()) return object.bad("plan", parsed.status().to_string());
    config.plan = std::move(*parsed);
  }
  if (Status valid = validate(config); !valid.ok()) return Status::invalid_argument(file, valid.to_string());
  return config;
}

Result<ReproBundle> read_repro_bundle(const fs::path& dir) {
  std::error_code error;
  if (!fs::is_directory(dir, error)) {
    return Status::invalid_argument(dir.string(), fs::exists(dir, error) ? "not a directory (expected a repro bundle)"
                                                                         : "no such bundle directory");
  }
  ReproBundle bundle;
  bundle.dir = dir;
  const std::string config_path = (dir / "config.json").string();
  FL_ASSIGN_OR_RETURN(std::string config_text, json_fields::read_file(config_path));
  FL_ASSIGN_OR_RETURN(bundle.config, parse_trial_config(config_text, config_path, &bundle.faultline_version));

  const std::string verdict_path = (dir / "verdict.json").string();
  FL_ASSIGN_OR_RETURN(std::string verdict_text, json_fields::read_file(verdict_path));
  FL_ASSIGN_OR_RETURN(nlohmann::json verdict, json_fields::parse(verdict_text, verdict_path));
  const json_fields::Object object(verdict, verdict_path);
  FL_ASSIGN_OR_RETURN(bundle.validity, object.string("validity"));
  if (bundle.validity != "valid" && bundle.validity != "invalid" && bundle.validity != "unknown") {
    return object.bad("validity", "expected \"valid\", \"invalid\" or \"unknown\", got \"" + bundle.validity + "\"");
  }
  FL_ASSIGN_OR_RETURN(bundle.anomaly_types, object.strings("anomaly_types"));
  std::sort(bundle.anomaly_types.begin(), bundle.anomaly_types.end());
  FL_ASSIGN_OR_RETURN(const nlohmann::json* context_json, object.field("context"));
  const json_fields::Object context(*context_json, verdict_path + ": context");
  FL_ASSIGN_OR_RETURN(bundle.history_sha256, context.string("history_sha256"));
  FL_ASSIGN_OR_RETURN(bundle.headline, context.string("headline"));
  FL_ASSIGN_OR_RETURN(bundle.context_workload, context.string("workload"));
  FL_ASSIGN_OR_RETURN(bundle.context_seed, context.string("seed"));
  FL_ASSIGN_OR_RETURN(bundle.crash_images, read_crash_image_digests(dir));
  return bundle;
}

namespace {

std::string joined(const std::vector<std::string>& items) {
  if (items.empty()) return "(none)";
  std::string out;
  for (const std::string& item : items) out += (out.empty() ? "" : ", ") + item;
  return out;
}

}  // namespace

Result<ReproOutcome> replay_bundle(const fs::path& dir) {
  ReproOutcome outcome;
  FL_ASSIGN_OR_RETURN(outcome.bundle, read_repro_bundle(dir));
  const ReproBundle& bundle = outcome.bundle;
  if (bundle.faultline_version != kFaultlineVersion) {
    outcome.notes.push_back("the bundle was written by faultline " + bundle.faultline_version + ", this is " +
                            std::string(kFaultlineVersion) + ": a different history may be a change of the code");
  }
  if (Result<std::string> edn = json_fields::read_file((dir / "history.edn").string());
      edn.ok() && sha256_hex(*edn) != bundle.history_sha256) {
    outcome.notes.push_back("the bundle's own history.edn does not hash to its history_sha256 (edited bundle?)");
  }
  // config.json is what is replayed; a verdict naming another trial means
  // the files were edited or mixed up, which the replay will likely show.
  if (bundle.context_workload != bundle.config.workload || bundle.context_seed != std::to_string(bundle.config.seed)) {
    outcome.notes.push_back("verdict.json is about " + bundle.context_workload + " seed " + bundle.context_seed +
                            " but config.json says " + bundle.config.workload + " seed " +
                            std::to_string(bundle.config.seed) + " (edited bundle?)");
  }
  FL_ASSIGN_OR_RETURN(TrialOutput output, run_trial(bundle.config));
  const TrialEvaluation evaluation = evaluate_trial(bundle.config, output);
  outcome.replayed = evaluation.record;
  const TrialRecord& now = outcome.replayed;
  if (now.history_sha256 != bundle.history_sha256) {
    outcome.differences.push_back("history sha256: bundle " + bundle.history_sha256 + ", replay " +
                                  now.history_sha256);
  }
  if (now.validity != bundle.validity) {
    outcome.differences.push_back("validity: bundle " + bundle.validity + ", replay " + now.validity);
  }
  if (now.anomaly_types != bundle.anomaly_types) {
    outcome.differences.push_back("anomaly types: bundle " + joined(bundle.anomaly_types) + ", replay " +
                                  joined(now.anomaly_types));
  }
  if (bundle.crash_images) {
    // Like history.edn's hash above: the replay is compared with index.json;
    // files that no longer match it mean the bundle was edited or damaged.
    FL_ASSIGN_OR_RETURN(std::vector<std::string> damaged, check_crash_image_files(dir));
    outcome.crash_image_files_differing = damaged.size();
    for (std::string& problem : damaged) outcome.notes.push_back(std::move(problem) + " (edited bundle?)");
    const std::vector<CrashImageDigest> replayed = crash_image_digests(output.sim);
    const std::vector<CrashImageDigest>& kept = *bundle.crash_images;
    for (size_t i = 0; i < std::max(kept.size(), replayed.size()); ++i) {
      if (i < kept.size() && i < replayed.size() && kept[i] == replayed[i]) continue;
      outcome.differences.push_back("crash image " + std::to_string(i) + ": bundle " +
                                    (i < kept.size() ? describe(kept[i]) : "(none)") + ", replay " +
                                    (i < replayed.size() ? describe(replayed[i]) : "(none)"));
    }
  }
  return outcome;
}

}  // namespace fl::campaign
