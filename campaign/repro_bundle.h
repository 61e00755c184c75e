// campaign/repro_bundle.h: a failing trial's repro bundle: writing it,
// reading it back, and replaying it (docs/formats/campaign.md "Repro
// bundle"; `faultline repro`).
//
// [bundle.1] write_bundle() replaces `dir` with: the files of write_trial()
//            (trial.h [trial.2]); verdict.json (checkers/report.h
//            verdict_json with context headline, history_sha256, workload,
//            seed); verdict.txt (verdict_text, then the simulator's
//            findings); cycles/<n>.dot for every explained cycle, n from 0
//            in verdict.json order (types by name, examples in order).
// [bundle.2] read_repro_bundle() needs config.json and verdict.json. A
//            missing directory, a missing file, invalid JSON or a missing
//            or mistyped field is kInvalidArgument naming the file (and the
//            field) and the problem. config.json's "plan" (trial.h
//            [trial.4]) is optional, and read as the override when present.
// [bundle.3] replay_bundle() re-runs config.json and compares with the
//            bundle: the history's SHA-256 ([rec.3]), the verdict's
//            validity and its anomaly types, and, when the bundle has
//            crash-images/, the digest of every crash image in order
//            (crash_images.h [img.4]). `differences` says, one line
//            each, what differs; empty means reproduced. A bundle whose own
//            history.edn does not hash to its history_sha256, or that an
//            older faultline wrote, or whose verdict.json names another
//            trial than config.json, or whose crash-images/ files do not
//            match index.json (crash_images.h [img.5]), gets a note (not a
//            difference).
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "campaign/crash_images.h"
#include "campaign/trial.h"
#include "campaign/trial_record.h"

namespace fl::campaign {

Status write_bundle(const std::filesystem::path& dir, const TrialConfig& config, const TrialOutput& output,
                    const TrialEvaluation& evaluation);  // [bundle.1]

struct ReproBundle {
  std::filesystem::path dir;
  TrialConfig config;
  std::string faultline_version;  // config.json's
  std::string history_sha256;     // verdict.json context
  std::string validity;
  std::vector<std::string> anomaly_types;  // sorted
  std::string headline;
  std::string context_workload;  // verdict.json context: the trial it judged
  std::string context_seed;
  std::optional<std::vector<CrashImageDigest>> crash_images;  // absent: no crash-images/
};

Result<ReproBundle> read_repro_bundle(const std::filesystem::path& dir);  // [bundle.2]
// config.json alone (also what `faultline run` writes).
Result<TrialConfig> parse_trial_config(std::string_view text, const std::string& file,
                                       std::string* faultline_version);

struct ReproOutcome {
  ReproBundle bundle;
  TrialRecord replayed;
  std::vector<std::string> differences;  // empty: reproduced
  std::vector<std::string> notes;
  size_t crash_image_files_differing = 0;  // files under crash-images/ not matching index.json
};

// kInvalidArgument for a bad bundle; the replay itself failing to run is
// its own Status.
Result<ReproOutcome> replay_bundle(const std::filesystem::path& dir);  // [bundle.3]

}  // namespace fl::campaign
