// campaign/trial_record.h: what a campaign keeps of one trial: its status,
// verdict summary and history hash (one line of trials.jsonl, one entry of
// summary.json's "trials"; docs/formats/campaign.md).
//
// [rec.1] evaluate_trial() checks the trial's history with
//         checkers::check_history for the models the engine claims (its
//         :isolation: snapshot -> snapshot-isolation, otherwise
//         strict-serializable, as `faultline run` does) and the durability
//         promise in the history's metadata.
// [rec.2] status: kFail when the verdict is invalid or the simulator
//         reported an integrity, recovery or liveness finding; an
//         "unavailable" finding (the device failed, not the engine) and an
//         unknown verdict alone pass. kError is a harness error (the trial
//         could not run).
// [rec.3] history_sha256 is the SHA-256 of the trial's history.edn bytes
//         (history::to_edn), so a repro compares exactly what was written.
// [rec.4] The headline is one line: validity, anomaly types with counts,
//         engine findings, durability promise and crash count.
// [rec.5] trial_record_from_json(trial_record_json(r)) == r except for
//         `seconds`, which is rounded to microseconds.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "campaign/campaign_config.h"
#include "campaign/trial.h"
#include "checkers/check.h"

namespace fl::campaign {

enum class TrialStatus : uint8_t { kPass, kFail, kError };
std::string_view trial_status_name(TrialStatus status);  // "pass", "fail", "error"

struct TrialRecord {
  TrialKey key;
  TrialStatus status = TrialStatus::kPass;
  std::string validity = "unknown";  // "valid", "invalid", "unknown"
  std::string headline;
  std::vector<std::string> anomaly_types;  // sorted
  std::map<std::string, uint64_t> anomaly_counts;
  std::vector<std::string> findings;  // "kind (epoch N): detail", every finding
  uint64_t ops = 0;                   // history operations (invocations and completions)
  uint64_t crashes = 0;               // crash nemesis events in the history
  std::string history_sha256;         // empty for kError
  std::optional<std::string> bundle;  // relative to the campaign directory
  double seconds = 0;                 // wall clock: never compared
};

// A trial evaluated, with what its bundle needs.
struct TrialEvaluation {
  TrialRecord record;
  checkers::CheckResult checked;
  std::string history_edn;
};

TrialEvaluation evaluate_trial(const TrialConfig& config, const TrialOutput& output);  // [rec.1]-[rec.4]
TrialRecord error_record(const TrialKey& key, const Status& error);
std::string bundle_name(const TrialKey& key);  // "list-append-seed17"

std::string trial_record_json(const TrialRecord& record);  // one line, no newline
Result<TrialRecord> parse_trial_record(const nlohmann::json& j, const std::string& where);
nlohmann::ordered_json trial_record_object(const TrialRecord& record);

}  // namespace fl::campaign
