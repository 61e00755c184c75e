// campaign/trial_record.cc: a trial's verdict summary and its JSON
// (trial_record.h).
#include "campaign/trial_record.h"

#include <cmath>

#include "campaign/campaign_limits.h"
#include "campaign/json_fields.h"
#include "campaign/sha256.h"
#include "checkers/durability.h"
#include "history/edn_writer.h"

namespace fl::campaign {

std::string_view trial_status_name(TrialStatus status) {
  switch (status) {
    case TrialStatus::kPass: return "pass";
    case TrialStatus::kFail: return "fail";
    case TrialStatus::kError: return "error";
  }
  return "error";
}

std::string bundle_name(const TrialKey& key) { return key.workload + "-seed" + std::to_string(key.seed); }

namespace {

// [rec.2]: the finding kinds that blame the engine.
bool engine_finding(const workloads::Finding& finding) {
  return finding.kind == "integrity" || finding.kind == "recovery" || finding.kind == "liveness";
}

std::string one_line(std::string text, size_t bytes_max) {
  for (char& c : text) {
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  }
  if (text.size() > bytes_max) text = text.substr(0, bytes_max) + "...";
  return text;
}

// [rec.4] "invalid: G2-item x3, lost-write x1; engine: integrity x1 (first: ...) (durability acked, 2 crashes)"
std::string headline(const TrialRecord& record, const checkers::CheckResult& checked,
                     const std::vector<const workloads::Finding*>& blamed) {
  std::string out = record.validity;
  std::string types;
  for (const auto& [type, count] : record.anomaly_counts) {
    types += (types.empty() ? "" : ", ") + type + " x" + std::to_string(count);
  }
  if (!types.empty()) out += ": " + types;
  if (!blamed.empty()) {
    std::map<std::string, uint64_t> kinds;
    for (const workloads::Finding* finding : blamed) ++kinds[finding->kind];
    std::string list;
    for (const auto& [kind, count] : kinds) list += (list.empty() ? "" : ", ") + kind + " x" + std::to_string(count);
    out += "; engine findings: " + list + " (first: " + one_line(blamed.front()->detail, kHeadlineFindingBytesMax) + ")";
  }
  out += " (durability " + std::string(checkers::durability_promise_name(checked.promise)) + ", " +
         std::to_string(checked.crashes) + (checked.crashes == 1 ? " crash)" : " crashes)");
  return out;
}

}  // namespace

TrialEvaluation evaluate_trial(const TrialConfig& config, const TrialOutput& output) {
  const history::History& history = output.sim.history;
  checkers::CheckOptions options;
  const history::Value* isolation = history.meta.get("isolation");
  if (isolation != nullptr && isolation->is_keyword("snapshot")) options.models = {"snapshot-isolation"};
  TrialEvaluation evaluation;
  evaluation.checked = checkers::check_history(history, options);
  evaluation.history_edn = history::to_edn(history);
  const checkers::Verdict& verdict = evaluation.checked.verdict;

  TrialRecord& record = evaluation.record;
  record.key = TrialKey{config.seed, config.workload};
  record.validity = std::string(checkers::validity_name(verdict.validity));
  record.anomaly_counts = verdict.anomaly_counts;
  for (const auto& [type, count] : verdict.anomaly_counts) record.anomaly_types.push_back(type);
  std::vector<const workloads::Finding*> blamed;
  for (const workloads::Finding& finding : output.sim.findings) {
    record.findings.push_back(finding.kind + " (epoch " + std::to_string(finding.epoch) + "): " + finding.detail);
    if (engine_finding(finding)) blamed.push_back(&finding);
  }
  const bool invalid = verdict.validity == checkers::Validity::kInvalid;
  record.status = invalid || !blamed.empty() ? TrialStatus::kFail : TrialStatus::kPass;
  record.ops = history.ops.size();
  record.crashes = evaluation.checked.crashes;
  record.history_sha256 = sha256_hex(evaluation.history_edn);
  record.headline = headline(record, evaluation.checked, blamed);
  record.seconds = output.elapsed_seconds;
  return evaluation;
}

TrialRecord error_record(const TrialKey& key, const Status& error) {
  TrialRecord record;
  record.key = key;
  record.status = TrialStatus::kError;
  record.validity = "unknown";
  record.headline = "error: " + one_line(error.to_string(), 4 * kHeadlineFindingBytesMax);
  return record;
}

nlohmann::ordered_json trial_record_object(const TrialRecord& record) {
  nlohmann::ordered_json j;
  j["seed"] = record.key.seed;
  j["workload"] = record.key.workload;
  j["status"] = trial_status_name(record.status);
  j["validity"] = record.validity;
  j["headline"] = record.headline;
  j["anomaly_types"] = record.anomaly_types;
  j["anomaly_counts"] = record.anomaly_counts;
  j["findings"] = record.findings;
  j["ops"] = record.ops;
  j["crashes"] = record.crashes;
  j["history_sha256"] = record.history_sha256;
  j["bundle"] = record.bundle ? nlohmann::ordered_json(*record.bundle) : nlohmann::ordered_json(nullptr);
  // Microseconds: enough for a person, and the same text after a re-read.
  j["seconds"] = std::round(record.seconds * 1e6) / 1e6;
  return j;
}

std::string trial_record_json(const TrialRecord& record) { return trial_record_object(record).dump(); }

Result<TrialRecord> parse_trial_record(const nlohmann::json& j, const std::string& where) {
  const json_fields::Object object(j, where);
  FL_TRY(object.is_object());
  TrialRecord record;
  FL_ASSIGN_OR_RETURN(record.key.seed, object.u64("seed"));
  FL_ASSIGN_OR_RETURN(record.key.workload, object.string("workload"));
  FL_ASSIGN_OR_RETURN(std::string status, object.string("status"));
  if (status == "pass") {
    record.status = TrialStatus::kPass;
  } else if (status == "fail") {
    record.status = TrialStatus::kFail;
  } else if (status == "error") {
    record.status = TrialStatus::kError;
  } else {
    return object.bad("status", "expected \"pass\", \"fail\" or \"error\", got \"" + status + "\"");
  }
  FL_ASSIGN_OR_RETURN(record.validity, object.string("validity"));
  if (record.validity != "valid" && record.validity != "invalid" && record.validity != "unknown") {
    return object.bad("validity", "expected \"valid\", \"invalid\" or \"unknown\"");
  }
  FL_ASSIGN_OR_RETURN(record.headline, object.string("headline"));
  FL_ASSIGN_OR_RETURN(record.anomaly_types, object.strings("anomaly_types"));
  FL_ASSIGN_OR_RETURN(record.anomaly_counts, object.counts("anomaly_counts"));
  FL_ASSIGN_OR_RETURN(record.findings, object.strings("findings"));
  FL_ASSIGN_OR_RETURN(record.ops, object.u64("ops"));
  FL_ASSIGN_OR_RETURN(record.crashes, object.u64("crashes"));
  FL_ASSIGN_OR_RETURN(record.history_sha256, object.string("history_sha256"));
  FL_ASSIGN_OR_RETURN(const nlohmann::json* bundle, object.field("bundle"));
  if (bundle->is_string()) {
    record.bundle = bundle->get<std::string>();
  } else if (!bundle->is_null()) {
    return object.bad("bundle", "expected a string or null");
  }
  FL_ASSIGN_OR_RETURN(record.seconds, object.number("seconds"));
  return record;
}

}  // namespace fl::campaign
