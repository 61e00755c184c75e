// campaign/report_bundle.h: what the HTML report (html_report.h) reads of a
// campaign directory: summary.json, and a failing trial's repro bundle
// (docs/formats/campaign.md).
//
// [report-in.1] load_summary(): summary.json must be a JSON object whose
//               "trials" is an array of objects, each with "seed" (an
//               unsigned integer), "workload" and "status" (strings);
//               anything else, or a missing or unreadable file, is
//               kInvalidArgument naming the file (and the field path).
//               Other fields are optional: a missing one is shown as
//               absent, and totals missing from "totals" are counted from
//               the trials.
// [report-in.2] load_bundle() never fails: a bundle file that is missing
//               or unreadable is listed in Bundle::problems (the page says
//               so) and the rest is still loaded. A bundle path that is
//               absolute or climbs out of the campaign directory ("..") is
//               not read.
// [report-in.3] Cycle files are cycles/<n>.dot in the numeric order of n;
//               other names in cycles/ follow, by name.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/status.h"
#include "campaign/crash_images.h"
#include "history/history.h"

namespace fl::campaign {

struct SummaryTrial {
  uint64_t seed = 0;
  std::string workload;
  std::string status;    // "pass", "fail", "error" (as written)
  std::string validity;  // may be empty
  std::string headline;
  std::vector<std::string> findings;
  std::optional<std::string> bundle;  // relative to the campaign directory
  std::optional<uint64_t> ops;
  std::optional<uint64_t> crashes;
  bool failing() const { return status != "pass"; }
};

struct CampaignSummary {
  std::string faultline_version;
  // campaign.json's fields, in file order, each value as JSON text without
  // quotes around strings ("everything", ["list-append", "bank"], 8 ...).
  std::vector<std::pair<std::string, std::string>> campaign;
  std::optional<uint32_t> clients;  // campaign.clients
  uint64_t trials = 0, passed = 0, failed = 0, errors = 0, not_run = 0;
  std::map<std::string, uint64_t> anomaly_types;
  std::optional<std::pair<std::string, uint64_t>> first_failure;  // (workload, seed)
  std::optional<double> elapsed_seconds;
  std::vector<SummaryTrial> rows;
  bool passed_all() const { return failed == 0 && errors == 0; }
};

Result<CampaignSummary> load_summary(const std::filesystem::path& summary_json);  // [report-in.1]

struct AnomalyExample {
  std::string type;
  std::vector<int64_t> ops;  // :index values
  std::string explanation;
  std::string dot;  // empty when not a cycle
};

struct CycleFile {
  std::string name;  // "cycles/0.dot"
  std::string dot;
};

struct Bundle {
  std::string path;  // as summary.json gave it
  bool found = false;
  // verdict.json
  std::string validity;
  std::string headline;
  std::map<std::string, uint64_t> anomaly_counts;
  std::vector<AnomalyExample> examples;  // in verdict.json order
  std::map<std::string, std::vector<std::string>> violated_models;
  std::vector<std::string> notes;
  std::string verdict_text;  // verdict.txt, cut at kReportVerdictTextBytesMax
  bool verdict_text_cut = false;
  std::vector<CycleFile> cycles;  // [report-in.3]
  std::optional<history::History> history;
  std::vector<CrashImageDigest> crash_images;  // crash-images/index.json, when present
  std::vector<std::string> problems;  // [report-in.2], one sentence each
};

Bundle load_bundle(const std::filesystem::path& campaign_dir, const std::string& bundle);  // [report-in.2]

}  // namespace fl::campaign
